"""From analyses to a generation problem: spoiler guard, eligibility, material checks."""
from __future__ import annotations

from typing import Tuple

import numpy as np

from .errors import MediaError
from .model import GenerationProblem

#: Shots rated below this (black, blank, credits) are never offered to a generator.
MIN_QUALITY = 0.3


def usable_end_frame(frame_count: int, spoiler_guard: float) -> int:
    """First frame excluded by the spoiler guard (0.9 keeps the last 10% unseen)."""
    return int(np.floor(frame_count * spoiler_guard))


def build_problem(movie, music, spoiler_guard: float) -> Tuple[GenerationProblem, int]:
    """The :class:`GenerationProblem` for ``movie`` and ``music`` and the usable end frame.

    Raises MediaError when the music is longer than the usable movie material.
    """
    shots = movie.shots
    usable_end = usable_end_frame(shots.frame_count, spoiler_guard)
    starts = shots.shots[:, 0]
    ends = np.minimum(shots.shots[:, 1], usable_end)
    fps = float(shots.fps)
    durations = np.clip(ends - starts, 0, None) / fps
    credits = movie.shot_cues.get("credits_fraction", np.zeros(len(starts)))
    watchable = movie.shot_cues.get("watchable", movie.shot_quality)
    eligible = ((starts < usable_end) & (durations >= 0.25) & (watchable >= MIN_QUALITY)
                & (credits < 0.3))
    material = float(durations[eligible].sum())
    need = music.analysis.duration_s
    if material < need:
        raise MediaError(
            f"The music ({need:.1f} s) is longer than the usable movie material ({material:.1f} s "
            f"of watchable shots in the first {spoiler_guard:.0%}). Pick a shorter track, or "
            "raise --spoiler-guard.")
    segs = music.analysis.segments_s
    energy = music.analysis.energy
    beats = np.asarray(music.analysis.beats_s, float)
    beat_period = float(np.median(np.diff(beats))) if len(beats) > 2 else 0.5
    problem = GenerationProblem(
        shot_features=movie.shot_features, shot_durations_s=durations,
        segment_features=music.segment_features, segment_durations_s=segs[:, 1] - segs[:, 0],
        eligible=eligible, scenes=shots.scenes, shot_quality=movie.shot_quality,
        segment_energy=energy, beat_period_s=beat_period)
    return problem, usable_end


def frame_values(movie, usable_end: int) -> np.ndarray:
    """Per-frame desirability for choosing a long shot's window: avoid black, blank and text."""
    from .features.affect import FRAME_STATS
    from .features.text_overlay import text_frames

    n = movie.shots.frame_count
    stats = movie.frame_state.get("affect_stats")
    values = np.zeros(n)
    if stats is None or len(stats) != n:
        return values
    dark = stats[:, FRAME_STATS.index("dark_fraction")]
    contrast = stats[:, FRAME_STATS.index("contrast")]
    values -= 2.0 * dark + (contrast < 6.0)
    # e.g. a title over a long shot's first seconds
    values -= 2.0 * text_frames(movie.frame_state.get("affect_text"), n)
    return values
