"""``ot``: partial optimal transport between shots and music segments (IPOT's zero-shot core).

Every eligible shot offers mass 1/S, every segment asks for 1/S, and exactly mass 1 is moved
(POT's exact partial Wasserstein), so each segment receives one whole shot and each shot is used
at most once. Diversity across scenes comes from re-solving with a penalty on over-used scenes.
"""
from __future__ import annotations

import logging

import numpy as np

from ..errors import ParameterError
from ..model import Assignment, GenerationProblem
from .costs import cost_to_score, match_cost, variety_noise

log = logging.getLogger(__name__)


def _import_pot():
    """Import POT with numpy only: its backend probe would otherwise import torch (about 1 s of
    every command-line run), and we only ever pass numpy arrays."""
    import os
    import sys

    if "ot" in sys.modules:
        return sys.modules["ot"]
    keys = ("POT_BACKEND_DISABLE_PYTORCH", "POT_BACKEND_DISABLE_JAX",
            "POT_BACKEND_DISABLE_TENSORFLOW", "POT_BACKEND_DISABLE_CUPY")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update({k: "1" for k in keys})
    try:
        import ot
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return ot


def solve_partial_assignment(cost: np.ndarray) -> np.ndarray:
    """Row index for each column of ``cost`` (n >= S), each row at most once, by partial OT."""
    ot = _import_pot()

    n, s = cost.shape
    # Exact pruning: an optimal solution uses, for each column, one of that column's S cheapest
    # rows (otherwise one of those is free and swapping it in is no dearer).
    keep = np.unique(np.argsort(cost, axis=0)[:s].ravel()) if n > s else np.arange(n)
    sub = cost[keep]
    plan = ot.partial.partial_wasserstein(np.full(len(keep), 1.0 / s), np.full(s, 1.0 / s),
                                          sub.astype(np.float64), m=1.0 - 1e-9)
    rows = plan.argmax(axis=0)
    if len(set(rows.tolist())) < s or not np.allclose(plan[rows, np.arange(s)] * s, 1, atol=1e-3):
        # A degenerate (split) vertex: the equivalent rectangular assignment is exact too.
        from scipy.optimize import linear_sum_assignment
        log.debug("partial OT plan was fractional; using the equivalent assignment")
        r, c = linear_sum_assignment(sub)
        rows = np.empty(s, int)
        rows[c] = r
    return keep[rows]


def generate(problem: GenerationProblem, *, rng: np.random.Generator, eta: float = 0.1,
             quality_weight: float = 1.0, variety: float = 0.05, scene_share: float = 0.25,
             rounds: int = 4) -> Assignment:
    """Choose one shot per segment by partial OT; see the module docstring.

    ``scene_share`` is the largest share of segments one scene may fill before its shots get
    dearer; ``variety`` the amplitude of seed-dependent noise for "another variant".
    """
    idx = np.flatnonzero(problem.eligible)
    s = len(problem.segment_durations_s)
    if len(idx) < s:
        raise ParameterError(f"The movie has {len(idx)} usable shots but the music needs {s}; "
                             "pick a shorter track, a slower pace, or a later spoiler guard.")
    base = match_cost(problem, idx, eta=eta, quality_weight=quality_weight)
    cost = base + variety_noise(rng, base.shape, variety)
    scenes = problem.scenes[idx]
    cap = max(2, int(np.ceil(scene_share * s)))
    penalty = np.zeros(len(idx))
    for _ in range(rounds):
        rows = solve_partial_assignment(cost + penalty[:, None])
        used, counts = np.unique(scenes[rows], return_counts=True)
        over = used[counts > cap]
        if not len(over):
            break
        for scene in over:
            penalty[scenes == scene] += 0.5
    chosen = idx[rows]
    scores = cost_to_score(base[rows, np.arange(s)])
    reasons = ["closest match in feature, duration and quality (optimal transport)"] * s
    return Assignment(shots=chosen, scores=scores, reasons=reasons)


#: Keyword options of :func:`generate` (besides ``rng``).
OPTIONS = ("eta", "quality_weight", "variety", "scene_share", "rounds")


def load():
    """The generator callable (the registry's entry point)."""
    return generate
