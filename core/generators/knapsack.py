"""``knapsack``: EaMD's emotion-aware knapsack, exact dynamic programming.

Shots are taken in story order and mapped to the music segments in order (EaMD maps selected shots
to bars chronologically). Durations are quantised to beats: a shot may fill a segment only when it
holds at least the segment's whole beats (EaMD's rhythm constraint). At most ``max_scenes`` scenes
may be used (EaMD's hard scene constraint, story completeness). Among all such selections the
DP returns the one with the highest total match value (feature + duration + quality, with EaMD's
scene-average bonus).
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..model import Assignment, GenerationProblem
from .costs import cost_to_score, match_cost, variety_noise

_NEG = -1e18
_TOO_SHORT = 1e3  # value lost by a shot shorter than its segment's beats (allowed only if needed)


def _values(problem: GenerationProblem, idx: np.ndarray, rng, variety: float, eta: float):
    cost = match_cost(problem, idx, eta=eta)
    value = -(cost + variety_noise(rng, cost.shape, variety))
    # EaMD: add the scene's average value so strong scenes pull together.
    scenes = problem.scenes[idx]
    for scene in np.unique(scenes):
        rows = scenes == scene
        value[rows] += 0.5 * value[rows].mean(axis=0, keepdims=True)
    beat = max(problem.beat_period_s, 1e-3)
    shot_beats = np.floor(problem.shot_durations_s[idx] / beat + 1e-6)
    seg_beats = np.round(problem.segment_durations_s / beat)
    value[shot_beats[:, None] < seg_beats[None, :]] -= _TOO_SHORT
    return value, cost


def solve_ordered(value: np.ndarray, scenes: np.ndarray, max_scenes: int) -> np.ndarray:
    """Exact DP: increasing rows, one per column, at most ``max_scenes`` distinct scene runs.

    ``value`` is (n, S); ``scenes`` (n,) are non-decreasing scene ids. Returns the row for each
    column maximising the summed value. State after row i: (columns filled j, scenes used k,
    whether row i's scene is already used).
    """
    n, s = value.shape
    k_max = max_scenes
    fresh = np.full((s + 1, k_max + 1), _NEG)  # current scene not used yet
    used = np.full((s + 1, k_max + 1), _NEG)  # current scene used
    fresh[0, 0] = 0.0
    choice = np.zeros((n, s + 1, k_max + 1), np.int8)  # 0 keep, 1 from used, 2 from fresh
    boundary_from_used = np.zeros((n, s + 1, k_max + 1), bool)
    for i in range(n):
        if i > 0 and scenes[i] != scenes[i - 1]:
            boundary_from_used[i] = used > fresh
            fresh = np.maximum(fresh, used)
            used = np.full_like(used, _NEG)
        v = value[i][:, None]  # (S, 1): filling column j with row i
        via_used = used[:-1, :] + v
        via_fresh = np.full_like(via_used, _NEG)
        via_fresh[:, 1:] = fresh[:-1, :-1] + v
        new_used = used.copy()
        best = np.maximum(via_used, via_fresh)
        better = best > new_used[1:, :]
        new_used[1:, :] = np.where(better, best, new_used[1:, :])
        choice[i, 1:, :] = np.where(better, np.where(via_used >= via_fresh, 1, 2), 0)
        used = new_used
    final = np.maximum(fresh[s], used[s])
    k = int(np.argmax(final))
    if final[k] <= _NEG / 2:
        raise ParameterError("No selection satisfies the scene limit; raise max_scenes.")
    in_used = used[s, k] >= fresh[s, k]
    j = s
    rows = np.empty(s, int)
    for i in range(n - 1, -1, -1):
        if in_used:
            c = choice[i, j, k]
            if c:
                j -= 1
                rows[j] = i
                if c == 2:
                    k -= 1
                    in_used = False
        if i > 0 and scenes[i] != scenes[i - 1] and not in_used:
            in_used = bool(boundary_from_used[i, j, k])
        if j == 0:
            break
    return rows


def generate(problem: GenerationProblem, *, rng: np.random.Generator, max_scenes: int = None,
             eta: float = 0.1, variety: float = 0.05) -> Assignment:
    """Choose shots in story order under EaMD's rhythm and scene constraints; see module doc."""
    idx = np.flatnonzero(problem.eligible)
    s = len(problem.segment_durations_s)
    if len(idx) < s:
        raise ParameterError(f"The movie has {len(idx)} usable shots but the music needs {s}; "
                             "pick a shorter track, a slower pace, or a later spoiler guard.")
    # Scene ids renumbered as runs, so the DP sees non-decreasing ids even if scenes recur.
    runs = np.concatenate([[0], np.cumsum(np.diff(problem.scenes[idx]) != 0)])
    # The fewest scenes that hold S shots at all: below that no selection exists.
    sizes = np.sort(np.bincount(runs))[::-1]
    needed = int(np.searchsorted(np.cumsum(sizes), s) + 1)
    if max_scenes is None:
        max_scenes = max(5, s // 4, needed)
    elif max_scenes < needed:
        raise ParameterError(f"max_scenes={max_scenes} is too few: this movie needs at least "
                             f"{needed} scenes to fill {s} music segments.")
    value, cost = _values(problem, idx, rng, variety, eta)
    rows = solve_ordered(value, runs, min(max_scenes, int(runs[-1]) + 1))
    chosen = idx[rows]
    scores = cost_to_score(cost[rows, np.arange(s)])
    reasons = ["best story-order fit under the beat and scene limits (knapsack)"] * s
    return Assignment(shots=chosen, scores=scores, reasons=reasons)


#: Keyword options of :func:`generate` (besides ``rng``).
OPTIONS = ("max_scenes", "eta", "variety")


def load():
    """The generator callable (the registry's entry point)."""
    return generate
