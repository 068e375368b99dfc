"""Fit the chosen shots to the music segments, frame-exact in integers.

Each segment ``j`` covers timeline frames ``[b_j, b_{j+1})`` where ``b`` are the planned cuts
rounded to frames; the last segment ends at the music's last frame, so the video ends exactly
where the music ends. A long shot is trimmed to its best window; a short one grows into its
neighbours (IPOT's post-processing) without crossing used frames; when that cannot work, the best
free window elsewhere in the usable movie is taken. No source frame is ever used twice, and
every loop is bounded by the number of shots.
"""
from __future__ import annotations

from fractions import Fraction
from typing import List, Optional, Tuple

import numpy as np

from .errors import MediaError
from .model import Assignment, CutPlan, MusicAnalysis, PlacedClip, ShotList, VideoInfo
from .timebase import seconds_to_frames


def plan_length(shots_end: int, music: MusicAnalysis, fps: Fraction, *, titled: bool
                ) -> Tuple[int, Optional[int]]:
    """``(duration_frames, title_start_frame)`` of a plan whose clips end at ``shots_end``:
    without a title card the plan ends there; with one the title runs on to the music's end."""
    if not titled:
        return int(shots_end), None
    return seconds_to_frames(music.duration_s, fps), int(shots_end)


def segment_frames(music: MusicAnalysis, fps: Fraction) -> np.ndarray:
    """Timeline frame edges ``(S + 1,)`` of the music segments; strictly increasing."""
    edges = [0] + [seconds_to_frames(t, fps) for t in music.cuts_s]
    edges.append(seconds_to_frames(music.duration_s, fps))
    edges = np.asarray(edges, np.int64)
    if np.any(np.diff(edges) <= 0):
        raise MediaError("Two planned cuts fall on the same frame; use a slower pace.")
    return edges


def _best_window(values: np.ndarray, start: int, end: int, length: int,
                 free: np.ndarray, cut_cost: Optional[np.ndarray] = None) -> Optional[int]:
    """Start of the free window of ``length`` inside ``[start, end)`` with the highest sum
    (among those whose in and out points cut no spoken line, when ``cut_cost`` says where)."""
    if end - start < length:
        return None
    seg = values[start:end]
    blocked = (~free[start:end]).astype(np.int64)
    csum = np.concatenate([[0.0], np.cumsum(seg)])
    cblk = np.concatenate([[0], np.cumsum(blocked)])
    sums = csum[length:] - csum[:-length]
    ok = (cblk[length:] - cblk[:-length]) == 0
    if not ok.any():
        return None
    sums = np.where(ok, sums, -np.inf)
    if cut_cost is not None:
        sums = _avoid_cutting_lines(sums, cut_cost, start, length)
    return start + int(np.argmax(sums))


def _avoid_cutting_lines(sums: np.ndarray, cut_cost: np.ndarray, start: int,
                         length: int) -> np.ndarray:
    """Rank windows first by how many of their two cuts split a spoken line, then by ``sums``.

    ``cut_cost[f]`` is 1 where a cut just before frame ``f`` falls inside speech.
    """
    cost = np.append(np.asarray(cut_cost, float), 0.0)
    starts = np.arange(start, start + len(sums))
    split = cost[starts] + cost[np.minimum(starts + length, len(cost) - 1)]
    finite = np.isfinite(sums)
    if not finite.any() or not split[finite].any():
        return sums
    weight = 2.0 * (np.abs(sums[finite]).max() + 1.0)
    return np.where(finite, sums - weight * split, sums)


def _extend(shot: int, length: int, shots: np.ndarray, quality: np.ndarray, free: np.ndarray,
            limit: int) -> Optional[tuple]:
    """Grow shot ``shot`` into free neighbouring frames (better neighbour first) to ``length``."""
    lo, hi = int(shots[shot, 0]), min(int(shots[shot, 1]), limit)
    if lo >= hi or not free[lo:hi].all():
        return None
    left, right = shot - 1, shot + 1
    used = []
    for _ in range(len(shots)):  # each step consumes one neighbour shot: bounded
        if hi - lo >= length:
            return lo, lo + length, used
        can_left = left >= 0 and lo > 0 and free[lo - 1]
        can_right = right < len(shots) and hi < limit and free[hi]
        if not (can_left or can_right):
            return None
        go_right = can_right and (not can_left or quality[right] >= quality[left])
        need = length - (hi - lo)
        if go_right:
            stop = min(int(shots[right, 1]), limit, hi + need)
            run = np.flatnonzero(~free[hi:stop])
            stop = hi + int(run[0]) if len(run) else stop
            hi, used, right = stop, used + [right], right + 1
        else:
            start = max(int(shots[left, 0]), lo - need)
            run = np.flatnonzero(~free[start:lo])
            start = start + int(run[-1]) + 1 if len(run) else start
            lo, used, left = start, used + [left], left - 1
    return None


def assemble(assignment: Assignment, shots: ShotList, music: MusicAnalysis, movie: VideoInfo, *,
             usable_end: int, quality: np.ndarray, frame_value: Optional[np.ndarray] = None,
             eligible: Optional[np.ndarray] = None, edges: Optional[np.ndarray] = None,
             used: Optional[np.ndarray] = None,
             cut_cost: Optional[np.ndarray] = None,
             filled: Optional[MusicAnalysis] = None) -> CutPlan:
    """Place ``assignment`` on the timeline; see the module docstring.

    Parameters
    ----------
    usable_end
        First frame that may not be used (the spoiler guard).
    quality
        Per-shot stand-alone quality, used to pick which neighbour to grow into.
    frame_value
        Per-frame desirability (higher is better) used to choose a long shot's window.
    eligible
        Per-shot mask of usable material; extensions and replacements never leave it (no
        credits or black frames sneak in through a neighbour).
    edges
        Timeline frame edges of the segments to fill (default: the music's planned segments);
        ``recut`` passes the part of the track the editor's clips leave.
    used
        Per-frame mask of movie frames already on the timeline; they are never used again.
    cut_cost
        Per source frame, 1 where cutting just before it would split a spoken line
        (:func:`.features.speech.cut_costs`); a long shot's window then starts and ends
        outside speech where one such window exists.
    filled
        With a title card: the music before it, whose segments the shots fill (the analysis
        :func:`.problem.shots_music` gave the generator); the plan's ``title_start_frame``
        marks where they end, and the plan still lasts as long as ``music``.
    """
    fps = shots.fps
    edges = (segment_frames(music if filled is None else filled, fps) if edges is None
             else np.asarray(edges, np.int64))
    n_frames = shots.frame_count
    free = np.ones(n_frames, bool)
    if eligible is not None:
        for s in np.flatnonzero(~np.asarray(eligible, bool)):
            free[shots.shots[s, 0]:shots.shots[s, 1]] = False
        for s in assignment.shots:  # a chosen shot is usable by definition
            free[shots.shots[s, 0]:shots.shots[s, 1]] = True
    free[usable_end:] = False
    if used is not None:
        free &= ~np.asarray(used, bool)
    values = np.zeros(n_frames) if frame_value is None else np.asarray(frame_value, float)
    for first, last in shots.transitions:  # mid-transition frames make poor material
        values[first:last + 1] -= 1.0
    rng = shots.shots
    chosen = set(int(s) for s in assignment.shots)
    # Frames of a chosen shot stay reserved until it is placed: a neighbour grows around them.
    reserved = np.zeros(n_frames, bool)
    for s in chosen:
        reserved[rng[s, 0]:rng[s, 1]] = True
    clips: List[PlacedClip] = []
    for j in np.argsort(-np.asarray(assignment.scores), kind="stable"):
        shot = int(assignment.shots[j])
        length = int(edges[j + 1] - edges[j])
        reason = assignment.reasons[j]
        extended: list = []
        lo, hi = int(rng[shot, 0]), min(int(rng[shot, 1]), usable_end)
        start = _best_window(values, lo, hi, length, free, cut_cost) if hi > lo else None
        if start is None:
            own = np.zeros(n_frames, bool)
            own[rng[shot, 0]:rng[shot, 1]] = True
            grown = _extend(shot, length, rng, quality, free & (~reserved | own), usable_end)
            if grown is not None:
                start, _, extended = grown
                reason += "; extended into neighbouring shots " + ", ".join(map(str, extended))
        if start is None:
            start, shot = _fallback(values, rng, quality, free, length, chosen, usable_end)
            reason = "replacement: the chosen shot had no free frames left; best free window"
        free[start:start + length] = False
        reserved[rng[shot, 0]:rng[shot, 1]] = False  # placed: its other frames may be lent
        clips.append(PlacedClip(
            segment=int(j), shot=shot, scene=int(shots.scenes[shot]), source_start=start,
            source_end=start + length, record_start=int(edges[j]), record_end=int(edges[j + 1]),
            score=float(assignment.scores[j]), reason=reason, extended_with=extended))
    clips.sort(key=lambda c: c.record_start)
    sections = [(seconds_to_frames(a, fps), seconds_to_frames(b, fps), f"Section {k + 1}")
                for k, (a, b) in enumerate(np.asarray(music.sections_s).reshape(-1, 2))]
    end, title = plan_length(int(edges[-1]), music, fps, titled=filled is not None)
    return CutPlan(movie=movie, music_path=music.path, music_duration_s=music.duration_s, fps=fps,
                   duration_frames=end, clips=clips, sections=sections,
                   frame_times_s=shots.frame_times_s if movie.variable_frame_rate else None,
                   title_start_frame=title)


def _fallback(values, rng, quality, free, length, chosen, usable_end):
    """Best free window of ``length`` inside one unchosen shot, else anywhere usable."""
    order = np.argsort(-quality, kind="stable")
    for shot in order:
        if int(shot) in chosen or not free[rng[shot, 0]:rng[shot, 1]].any():
            continue
        lo, hi = int(rng[shot, 0]), min(int(rng[shot, 1]), usable_end)
        start = _best_window(values, lo, hi, length, free) if hi > lo else None
        if start is not None:
            return start, int(shot)
    start = _best_window(values, 0, usable_end, length, free)
    if start is None:
        raise MediaError("The movie has too little unused material for this music; pick a "
                         "shorter track or a later spoiler guard.")
    return start, int(np.searchsorted(rng[:, 0], start, side="right") - 1)
