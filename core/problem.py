"""The generation problem: the one place that turns analyses into what a generator solves.

``suggest``, training and ``trailersmith eval`` all build their :class:`GenerationProblem` here,
so the spoiler guard, the eligibility rule, shot durations (``ShotList.durations_s``, from
timestamps) and the music's segment energy and beat period mean the same everywhere.
"""
from __future__ import annotations

import dataclasses
import heapq
from typing import Optional, Tuple

import numpy as np

from .errors import MediaError
from .model import GenerationProblem, ShotList
from .music.beats import DEFAULT_BEAT_PERIOD_S, beat_period

#: Shots rated below this (black, blank, credits) are never offered to a generator.
MIN_QUALITY = 0.3
#: Shots (their part before the spoiler guard) shorter than this are never offered.
MIN_SHOT_S = 0.25
#: Shots with at least this share of credit-like frames are never offered.
MAX_CREDITS = 0.3
#: When long shots are cut into windows, this many candidates per music segment are aimed for.
WINDOWS_PER_SEGMENT = 1.25


def usable_end_frame(frame_count: int, spoiler_guard: float) -> int:
    """First frame excluded by the spoiler guard (0.9 keeps the last 10% unseen)."""
    return int(np.floor(frame_count * spoiler_guard))


def guarded_shots(shots: ShotList, spoiler_guard: float) -> Tuple[np.ndarray, np.ndarray, int]:
    """``(durations_s, starts_before_guard, usable_end)``: each shot's seconds before the
    spoiler guard (from :meth:`ShotList.durations_s`), whether it starts before it, and the
    first guarded frame."""
    usable_end = usable_end_frame(shots.frame_count, spoiler_guard)
    return shots.durations_s(end_frame=usable_end), shots.shots[:, 0] < usable_end, usable_end


def eligible_shots(durations_s: np.ndarray, before_guard: np.ndarray,
                   watchable: Optional[np.ndarray] = None,
                   credits: Optional[np.ndarray] = None) -> np.ndarray:
    """The eligibility rule: before the guard, long enough, watchable and not credits."""
    n = len(durations_s)
    watchable = np.ones(n) if watchable is None else np.asarray(watchable, float)
    credits = np.zeros(n) if credits is None else np.asarray(credits, float)
    return (np.asarray(before_guard, bool) & (np.asarray(durations_s) >= MIN_SHOT_S)
            & (watchable >= MIN_QUALITY) & (credits < MAX_CREDITS))


def make_problem(*, shot_features, durations_s, before_guard, scenes, segment_features,
                 segment_durations_s, shot_quality=None, watchable=None, credits=None,
                 segment_energy=None, beat_period_s: float = DEFAULT_BEAT_PERIOD_S
                 ) -> GenerationProblem:
    """A :class:`GenerationProblem` from per-shot and per-segment arrays.

    ``durations_s``/``before_guard`` come from :func:`guarded_shots` (or, for pairs without
    frame data, the same rule in seconds); eligibility is :func:`eligible_shots`.
    """
    durations_s = np.asarray(durations_s, np.float64)
    return GenerationProblem(
        shot_features=np.asarray(shot_features, np.float64), shot_durations_s=durations_s,
        segment_features=np.asarray(segment_features, np.float64),
        segment_durations_s=np.asarray(segment_durations_s, np.float64),
        eligible=eligible_shots(durations_s, before_guard, watchable, credits),
        scenes=np.asarray(scenes, np.int64),
        shot_quality=None if shot_quality is None else np.asarray(shot_quality, np.float64),
        segment_energy=None if segment_energy is None else np.asarray(segment_energy, float),
        beat_period_s=float(beat_period_s))


def shots_music(music, title_start_s: Optional[float] = None):
    """The music the shots fill: ``music`` itself, or with a title card starting at
    ``title_start_s`` its part before that (:func:`.music.title.analysis_until`), segment
    features and cues kept for the segments left (a prefix, so indices still match)."""
    if title_start_s is None:
        return music
    from .music.title import analysis_until

    analysis = analysis_until(music.analysis, title_start_s)
    count = len(analysis.cuts_s) + 1
    total = len(music.analysis.cuts_s) + 1
    cues = {k: (np.asarray(v)[:count] if np.ndim(v) and len(v) == total else v)
            for k, v in music.segment_cues.items()}
    return dataclasses.replace(music, analysis=analysis, segment_cues=cues,
                               segment_features=np.asarray(music.segment_features)[:count])


def build_problem(movie, music, spoiler_guard: float) -> Tuple[GenerationProblem, int]:
    """The problem ``suggest`` solves for a MovieAnalysis and a MusicResult, and the usable end
    frame.

    Raises MediaError when the music is longer than the usable movie material.
    """
    durations, before, usable_end = guarded_shots(movie.shots, spoiler_guard)
    n = len(durations)
    segs = music.analysis.segments_s
    problem = make_problem(
        shot_features=movie.shot_features, durations_s=durations, before_guard=before,
        scenes=movie.shots.scenes, segment_features=music.segment_features,
        segment_durations_s=segs[:, 1] - segs[:, 0], shot_quality=movie.shot_quality,
        watchable=movie.shot_cues.get("watchable", movie.shot_quality),
        credits=movie.shot_cues.get("credits_fraction", np.zeros(n)),
        segment_energy=music.analysis.energy, beat_period_s=beat_period(music.analysis.beats_s))
    material = float(durations[problem.eligible].sum())
    need = music.analysis.duration_s
    if material < need:
        raise MediaError(
            f"The music ({need:.1f} s) is longer than the usable movie material ({material:.1f} s "
            f"of watchable shots in the first {spoiler_guard:.0%}): a track up to "
            f"{material:.0f} s would fit. Pick a shorter track, or raise --spoiler-guard.")
    segments = len(problem.segment_durations_s)
    available = int(problem.eligible.sum())
    if available < segments:
        fits = music.analysis.duration_s * available / segments
        raise MediaError(
            f"The movie has {available} usable shots (long ones already cut into windows) but "
            f"the music needs {segments}: a track of about {fits:.3g} s would fit at this pace. "
            "Pick a shorter track, a slower --pace, or a later --spoiler-guard.")
    return problem, usable_end


def windowed_movie(movie, music, spoiler_guard: float):
    """``(movie, parent)``: the movie with long usable shots cut into consecutive windows when
    the music needs more segments than there are usable shots, as an editor takes several
    non-overlapping pieces of one long shot; ``parent[k]`` is the original shot of window ``k``.

    Each window carries its shot's features, quality, cues and scene; windows never share a
    frame, so assembly still uses no source frame twice. Without a shortage the movie comes
    back unchanged (``parent`` the identity). The longest usable window is halved until there
    are :data:`WINDOWS_PER_SEGMENT` candidates per segment or no window is at least twice the
    median segment long; a window is not halved when the longest segments would then lack a
    window as long as themselves (the k-th longest window holds the k-th longest of the
    segments at least twice the median; shorter ones may grow into a neighbour).
    """
    shots = movie.shots
    n = len(shots.shots)
    durations, before, _ = guarded_shots(shots, spoiler_guard)
    cues = movie.shot_cues
    eligible = eligible_shots(durations, before, cues.get("watchable", movie.shot_quality),
                              cues.get("credits_fraction"))
    segs = music.analysis.segments_s
    need = len(segs)
    if eligible.sum() >= need:
        return movie, np.arange(n)
    shortest = max(2 * MIN_SHOT_S, 0.5 * float(np.median(segs[:, 1] - segs[:, 0])))
    usable_end = usable_end_frame(shots.frame_count, spoiler_guard)
    pieces = {i: [(int(a), int(b))] for i, (a, b) in enumerate(shots.shots)}
    heap = [(-float(durations[i]), i, int(shots.shots[i, 0]), int(min(shots.shots[i, 1],
                                                                   usable_end)))
            for i in np.flatnonzero(eligible)]
    heapq.heapify(heap)
    count, target = int(eligible.sum()), int(np.ceil(WINDOWS_PER_SEGMENT * need))
    one = ShotList(fps=shots.fps, frame_count=shots.frame_count, shots=np.zeros((1, 2), np.int64),
                   kinds=["cut"], scenes=np.zeros(1, np.int64), frame_times_s=shots.frame_times_s)
    median = float(np.median(segs[:, 1] - segs[:, 0]))
    longest = np.sort(segs[:, 1] - segs[:, 0])[::-1]
    longest = longest[longest >= 2 * median]  # short segments can grow into a neighbour
    lengths = sorted((-h[0] for h in heap), reverse=True)

    def still_fits(old: float, halves: tuple) -> bool:
        # the k-th longest window must still hold the k-th longest segment
        trial = list(lengths)
        trial.remove(old)
        trial = np.sort(np.concatenate([trial, halves]))[::-1][:len(longest)]
        return bool(np.all(trial >= longest[:len(trial)]))

    kept = []
    while heap and count < target:
        neg, i, a, b = heapq.heappop(heap)
        if -neg < 2 * shortest or b - a < 2:
            kept.append((neg, i, a, b))
            break
        mid = (a + b) // 2
        halves = []
        for lo, hi in ((a, mid), (mid, b)):
            one.shots[0] = (lo, hi)
            halves.append(float(one.durations_s()[0]))
        if not still_fits(-neg, tuple(halves)):
            kept.append((neg, i, a, b))  # this one stays whole for a long segment
            continue
        whole = pieces[i]
        k = whole.index(next(p for p in whole if p[0] <= a < p[1]))
        end = whole[k][1]
        whole[k:k + 1] = [(whole[k][0], mid), (mid, end)]
        lengths.remove(-neg)
        for (lo, hi), length in zip(((a, mid), (mid, b)), halves):
            heapq.heappush(heap, (-length, i, lo, hi))
            lengths.append(length)
        lengths.sort(reverse=True)
        count += 1
    if count == int(eligible.sum()):
        return movie, np.arange(n)
    parent = np.array([i for i in range(n) for _ in pieces[i]], np.int64)
    frames = np.array([p for i in range(n) for p in pieces[i]], np.int64)
    kinds = [shots.kinds[i] if j == 0 else "cut" for i in range(n) for j in range(len(pieces[i]))]
    split = dataclasses.replace(shots, shots=frames, kinds=kinds, scenes=shots.scenes[parent])
    per_shot = {k: (np.asarray(v)[parent] if np.ndim(v) and len(v) == n else v)
                for k, v in cues.items()}
    return dataclasses.replace(movie, shots=split, shot_features=movie.shot_features[parent],
                               shot_quality=movie.shot_quality[parent],
                               shot_cues=per_shot), parent


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
