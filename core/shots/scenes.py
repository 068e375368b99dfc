"""Group adjacent shots into scenes by colour similarity.

Each shot gets the mean colour signature of its sampled frames. A shot that resembles one of the
few shots before it links to it, and every shot in between joins the same scene ("overlapping
links": A-B-A-B cutting between two characters stays one scene). A gradual transition (fade,
dissolve) always opens a new scene, as film grammar uses them between scenes, and a scene longer
than a cap is split at its least similar cut.
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
        # Samples k * stride inside [start, end): k from ceil(start/stride) to ceil(end/stride).
        lo, hi = -(-int(start) // stride), -(-int(end) // stride)
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
        Least histogram intersection for a link between two shots.
    lookback : int
        How many shots back a link may reach.
    max_scene_s : float
        Longest scene; longer ones are split at their weakest cut until they fit.
    """
    n = len(shots)
    if n == 0:
        return np.zeros(0, np.int64)
    # strength[i]: best similarity of a link spanning the cut before shot i (0 = no link).
    strength = np.zeros(n, np.float64)
    for i in range(1, n):
        for j in range(max(0, i - lookback), i):
            sim = similarity(shot_sigs[i], shot_sigs[j])
            if sim >= threshold:
                strength[j + 1:i + 1] = np.maximum(strength[j + 1:i + 1], sim)
    starts = [i for i in range(1, n) if strength[i] == 0
              or (kinds is not None and kinds[i] == "gradual")]
    scenes = [0] + starts + [n]
    durations = np.asarray(durations_s, np.float64)
    out: list = []
    for a, b in zip(scenes[:-1], scenes[1:]):
        out.extend(_split_long(a, b, durations, strength, max_scene_s))
    ids = np.zeros(n, np.int64)
    for k, (a, b) in enumerate(sorted(out)):
        ids[a:b] = k
    return ids


def _split_long(a: int, b: int, durations: np.ndarray, strength: np.ndarray,
                cap: float) -> list:
    """Split shots ``[a, b)`` at their weakest links until every piece lasts at most ``cap``."""
    if b - a <= 1 or durations[a:b].sum() <= cap:
        return [(a, b)]
    # Weakest link; among equals the one nearest the middle, so the pieces stay balanced.
    t = np.cumsum(durations[a:b])
    middle = t[-1] / 2
    cut = min(range(a + 1, b), key=lambda i: (strength[i], abs(t[i - a - 1] - middle)))
    return _split_long(a, cut, durations, strength, cap) + _split_long(cut, b, durations,
                                                                        strength, cap)
