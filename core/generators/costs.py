"""Shared pieces of the generators' cost: IPOT's feature + duration terms, quality, variety."""
from __future__ import annotations

import numpy as np

from ..model import GenerationProblem

#: Seconds of shortfall a shot may have before it counts as too short (one frame at 24 fps).
SHORT_TOLERANCE_S = 0.05
#: Cost added per second a shot is shorter than its segment: such a shot would need neighbours.
SHORTFALL_COST = 4.0


def match_cost(problem: GenerationProblem, idx: np.ndarray, *, eta: float = 0.1,
               quality_weight: float = 1.0) -> np.ndarray:
    """Cost (len(idx), S) of putting shot ``idx[k]`` under segment ``j``.

    IPOT's eq. 8: squared feature distance + eta * duration difference. Trimming a long shot is
    harmless, extending a short one costs an off-beat cut, so the duration term is asymmetric:
    eta per second of excess, SHORTFALL_COST per second of shortfall. Low stand-alone quality
    (black, blank, credits) adds ``quality_weight * (1 - quality)``.
    """
    f = problem.shot_features[idx]
    g = problem.segment_features
    cost = ((f[:, None, :] - g[None, :, :]) ** 2).sum(-1)
    d_shot = problem.shot_durations_s[idx][:, None]
    d_seg = problem.segment_durations_s[None, :]
    excess = np.clip(d_shot - d_seg, 0, None)
    shortfall = np.clip(d_seg - d_shot - SHORT_TOLERANCE_S, 0, None)
    cost = cost + eta * np.minimum(excess, 10.0) + SHORTFALL_COST * shortfall
    if problem.shot_quality is not None:
        cost = cost + quality_weight * (1.0 - problem.shot_quality[idx])[:, None]
    return cost


def variety_noise(rng: np.random.Generator, shape, amount: float) -> np.ndarray:
    """Small random cost perturbation so another seed gives another, equally plausible variant."""
    return amount * rng.random(shape) if amount > 0 else np.zeros(shape)


def cost_to_score(cost: np.ndarray) -> np.ndarray:
    """Map a non-negative cost to a [0, 1] score (1 = perfect match)."""
    return 1.0 / (1.0 + np.clip(cost, 0, None))
