"""Turning pairs and generation problems into padded model inputs (shared by IPOT and SSMP).

Each token is ``[standardised features, log duration, sin/cos of the position in time]``: the
position (start time over total time) lets attention see story order, the duration what a shot
can fill. Standardisation statistics come from the training pairs and travel in the checkpoint.
"""
from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np

#: Frequencies of the time encoding (position in [0, 1]).
TIME_FREQS = (1.0, 2.0, 4.0, 8.0)
EXTRA_DIMS = 1 + 2 * len(TIME_FREQS)


def time_encoding(durations_s: np.ndarray) -> np.ndarray:
    """``(n, 2 * len(TIME_FREQS))`` sin/cos of each item's start time as a share of the total."""
    d = np.asarray(durations_s, dtype=np.float64)
    total = max(float(d.sum()), 1e-9)
    start = np.concatenate([[0.0], np.cumsum(d)[:-1]]) / total
    angles = np.pi * start[:, None] * np.asarray(TIME_FREQS)[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def tokens(features: np.ndarray, durations_s: np.ndarray, mean: np.ndarray, std: np.ndarray
           ) -> np.ndarray:
    """Token matrix ``(n, D + EXTRA_DIMS)`` for shots or music segments."""
    f = (np.asarray(features, np.float64) - mean) / std
    logd = np.log(np.clip(np.asarray(durations_s, np.float64), 0.04, None))[:, None]
    return np.concatenate([f, logd, time_encoding(durations_s)], axis=1).astype(np.float32)


def feature_stats(arrays: Sequence[np.ndarray]) -> Dict[str, List[float]]:
    """Per-dimension mean and std over the rows of several arrays (std floored at 1e-6)."""
    x = np.concatenate([np.asarray(a, np.float64) for a in arrays], axis=0)
    return {"mean": x.mean(axis=0).tolist(), "std": np.maximum(x.std(axis=0), 1e-6).tolist()}


def pad_stack(arrays: Sequence[np.ndarray], fill: float = 0.0):
    """Stack arrays of different lengths (first axis) into ``(B, L, ...)`` plus a validity mask."""
    n = max(len(a) for a in arrays)
    shape = (len(arrays), n) + tuple(np.asarray(arrays[0]).shape[1:])
    out = np.full(shape, fill, dtype=np.asarray(arrays[0]).dtype)
    mask = np.zeros((len(arrays), n), dtype=bool)
    for b, a in enumerate(arrays):
        out[b, :len(a)] = a
        mask[b, :len(a)] = True
    return out, mask


def make_batch(examples, config: Dict, device="cpu") -> Dict:
    """Padded tensors for a list of (matched) :class:`PairExample` under a model ``config``."""
    import torch

    mm, ms = np.asarray(config["movie_mean"]), np.asarray(config["movie_std"])
    am, as_ = np.asarray(config["music_mean"]), np.asarray(config["music_std"])
    movie, movie_mask = pad_stack([tokens(e.movie_features, e.movie_durations_s, mm, ms)
                                   for e in examples])
    music, music_mask = pad_stack([tokens(e.music_features, e.music_durations_s, am, as_)
                                   for e in examples])
    match, _ = pad_stack([np.asarray(e.match, np.int64) for e in examples], fill=-1)
    t = lambda x: torch.from_numpy(x).to(device)  # noqa: E731
    return {"movie": t(movie), "movie_mask": t(movie_mask), "music": t(music),
            "music_mask": t(music_mask), "match": t(match)}
