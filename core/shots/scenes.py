"""Group adjacent shots into scenes by colour similarity.

Each shot gets the mean colour signature of its sampled frames. A shot joins the current scene
when it resembles one of the scene's last few shots (so A-B-A-B cutting between two
characters stays one scene) and the scene stays under a length cap; a gradual transition
(fade, dissolve) always opens a new scene, as film grammar uses them between scenes.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np


def shot_signatures(shots: np.ndarray, signatures: np.ndarray, stride: int) -> np.ndarray:
    """Mean sampled signature per shot; a shot with no sample takes the nearest sample."""
    sig = np.asarray(signatures, np.float32)
    out = np.zeros((len(shots), sig.shape[1] if sig.ndim == 2 else 1), np.float32)
    if len(sig) == 0:
        return out
    for i, (start, end) in enumerate(np.asarray(shots, np.int64)):
        lo, hi = -(-int(start) // stride), -(-int(end) // stride)  # samples k*stride in [start, end)
        if hi > lo:
            out[i] = sig[lo:min(hi, len(sig))].mean(axis=0) if lo < len(sig) else sig[-1]
        else:
            out[i] = sig[min(max(0, int(start) // stride), len(sig) - 1)]
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Histogram intersection of two normalised signatures, in [0, 1]."""
    return float(np.minimum(a, b).sum())


def group_scenes(shots: np.ndarray, shot_sigs: np.ndarray, durations_s: np.ndarray, *,
                 kinds: Optional[Sequence[str]] = None, threshold: float = 0.55,
                 lookback: int = 3, max_scene_s: float = 90.0) -> np.ndarray:
    """Scene id (0, 1, ...) of every shot; ids grow along the film.

    Parameters
    ----------
    shots : (N, 2) int array
        Shot frame ranges.
    shot_sigs : (N, D) array
        Per-shot colour signatures (:func:`shot_signatures`).
    durations_s : (N,) array
        Shot durations in seconds.
    kinds : list of str, optional
        Shot kinds; a ``"gradual"`` shot always starts a scene.
    threshold : float
        Least histogram intersection with one of the last ``lookback`` shots to stay in a scene.
    max_scene_s : float
        A shot that would make its scene longer than this starts a new one.
    """
    n = len(shots)
    scenes = np.zeros(n, np.int64)
    if n == 0:
        return scenes
    scene, members, length = 0, [0], float(durations_s[0])
    for i in range(1, n):
        joins = any(similarity(shot_sigs[i], shot_sigs[j]) >= threshold
                    for j in members[-lookback:])
        opens = kinds is not None and kinds[i] == "gradual"
        if not joins or opens or length + float(durations_s[i]) > max_scene_s:
            scene, members, length = scene + 1, [], 0.0
        members.append(i)
        length += float(durations_s[i])
        scenes[i] = scene
    return scenes
