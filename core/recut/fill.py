"""New shots for the part of the track the editor's clips do not cover.

The generation problem is the one ``suggest`` solves, narrowed to the remaining segments; a shot's
duration counts only its frames that are still free, and shots with too few free frames are not
offered. Placement is ``assemble``'s, told which frames the editor's clips already use.
"""
from __future__ import annotations

import dataclasses
from typing import List

import numpy as np

from ..model import Assignment, PlacedClip

#: A shot is offered to the generator only if this share of its frames is still free.
MIN_FREE_SHARE = 0.5


def segment_of(midpoints: np.ndarray, planned_edges: np.ndarray) -> np.ndarray:
    """Index of the planned segment containing each timeline frame in ``midpoints``."""
    idx = np.searchsorted(planned_edges, midpoints, side="right") - 1
    return np.clip(idx, 0, len(planned_edges) - 2)


def fill(problem, edges: np.ndarray, planned_edges: np.ndarray, *, free: np.ndarray, movie, music,
         usable_end: int, generator, rng, frame_value, cut_cost=None) -> List[PlacedClip]:
    """Clips for the segments between ``edges``; marks their frames used in ``free``."""
    from ..assemble import assemble

    shots = movie.shots
    fps = float(shots.fps)
    planned = segment_of((edges[:-1] + edges[1:]) // 2, planned_edges)
    counts = np.array([free[s:e].sum() for s, e in shots.shots])
    lengths = np.maximum(shots.lengths, 1)
    eligible = problem.eligible & (counts / lengths >= MIN_FREE_SHARE)
    energy = problem.segment_energy
    sub = dataclasses.replace(
        problem, shot_durations_s=counts / fps, eligible=eligible,
        segment_features=problem.segment_features[planned],
        segment_durations_s=np.diff(edges) / fps,
        segment_energy=None if energy is None else np.asarray(energy)[planned])
    assignment: Assignment = generator(sub, rng=rng)
    plan = assemble(assignment, shots, music.analysis, movie.info, usable_end=usable_end,
                    quality=movie.shot_quality, eligible=eligible, frame_value=frame_value,
                    edges=edges, used=~free, cut_cost=cut_cost)
    for clip in plan.clips:
        free[clip.source_start:clip.source_end] = False
        clip.tags["recut"] = "filled"
    return list(plan.clips)
