"""From sampled-frame embeddings to shots, prompt scores and zero-shot tags (numpy only)."""
from __future__ import annotations

from typing import Tuple

import numpy as np


def normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero)."""
    x = np.asarray(x, np.float32)
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norm, 1e-12)


def pick_frames(sampled: np.ndarray, start: int, end: int, count: int,
                transitions: np.ndarray) -> np.ndarray:
    """Positions in ``sampled`` (sorted frame indices) of up to ``count`` frames spread across
    the shot ``[start, end)``.

    Frames inside gradual transitions are avoided when the shot has others. A shot holding no
    sampled frame gets the sampled frame nearest its middle.
    """
    lo, hi = np.searchsorted(sampled, [start, end])
    inside = np.arange(lo, hi)
    if len(inside) and len(transitions):
        frames = sampled[inside][:, None]
        in_transition = ((frames >= transitions[:, 0]) & (frames <= transitions[:, 1])).any(1)
        if not in_transition.all():
            inside = inside[~in_transition]
    if len(inside) == 0:
        middle = (start + end - 1) / 2.0
        return np.array([int(np.argmin(np.abs(sampled - middle)))])
    n = min(count, len(inside))
    return inside[((np.arange(n) + 0.5) * len(inside) / n).astype(np.int64)]


def shot_embeddings(frame_index: np.ndarray, embedding: np.ndarray, shots: np.ndarray,
                    transitions: np.ndarray, per_shot: int) -> np.ndarray:
    """``(N, D)`` unit vectors: the mean of each shot's picked frame embeddings, renormalised."""
    transitions = np.asarray(transitions, np.int64).reshape(-1, 2)
    out = np.empty((len(shots), embedding.shape[1]), np.float32)
    for i, (start, end) in enumerate(np.asarray(shots, np.int64)):
        out[i] = embedding[pick_frames(frame_index, start, end, per_shot, transitions)].mean(0)
    return normalise(out)


def prompt_match(features: np.ndarray, prompts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """How well each row of ``features`` matches weighted text prompts, in standard deviations.

    Each prompt's cosine similarity is standardised across the rows (raw CLIP-style cosines sit
    in a narrow band), then the prompts are combined with their weights normalised by the
    absolute sum (negative weights push away).
    """
    weights = np.asarray(weights, np.float64)
    sims = np.asarray(features, np.float64) @ np.asarray(prompts, np.float64).T
    std = sims.std(axis=0)
    z = np.where(std > 1e-6, (sims - sims.mean(axis=0)) / np.maximum(std, 1e-6), 0.0)
    return (z @ weights / max(np.abs(weights).sum(), 1e-12)).astype(np.float32)


def zero_shot(features: np.ndarray, classes: np.ndarray, scale: float
              ) -> Tuple[np.ndarray, np.ndarray]:
    """``(class index, probability)`` per row: softmax of ``scale`` x cosine similarity."""
    logits = scale * (np.asarray(features, np.float64) @ np.asarray(classes, np.float64).T)
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    best = probs.argmax(axis=1)
    return best.astype(np.int64), probs[np.arange(len(probs)), best].astype(np.float32)
