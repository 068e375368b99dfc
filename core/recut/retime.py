"""Lay the editor's clips on the new track's cut points; kept clips stay exact.

Every clip gets one segment of the new track, in the editor's order. A flexible clip ends on the
next planned cut (a beat); a kept clip keeps its exact source in-point and length, so the plan
bends around it: the clip before it ends on the beat that lets the kept clip end closest to a beat
too (the residual, usually within a frame, is reported). A flexible clip keeps the editor's source
in-point where it can and grows or shrinks at its tail; when those frames are taken or past the
spoiler guard it slides to the nearest free window that still overlaps the editor's choice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..model import PlacedClip
from .edited import EditedClip

#: How far past the planned cut (in beats) the clip before a kept clip may end to line it up.
ALIGN_SEARCH_BEATS = 4


@dataclass
class ClipOutcome:
    """What happened to one of the editor's clips: ``kept``, ``moved``, ``retimed`` or ``dropped``."""

    position: int
    status: str
    old_source: Tuple[int, int]
    old_record: int
    new_source: Optional[Tuple[int, int]] = None
    new_record: Optional[Tuple[int, int]] = None
    note: str = ""
    end_offset_frames: int = 0  # kept clips: distance of their end from the nearest beat


@dataclass
class RecutReport:
    """Per-clip outcomes, the newly filled segments and notes on skipped timeline items."""

    clips: List[ClipOutcome] = field(default_factory=list)
    filled: List[Tuple[int, int]] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)

    def counts(self) -> dict:
        """``{"kept": n, "moved": n, "retimed": n, "dropped": n, "filled": n}``."""
        out = {k: 0 for k in ("kept", "moved", "retimed", "dropped")}
        for c in self.clips:
            out[c.status] += 1
        out["filled"] = len(self.filled)
        return out

    def as_dict(self) -> dict:
        """JSON-ready form for ``recut --json``."""
        return {"counts": self.counts(), "skipped": list(self.skipped),
                "filled": [list(map(int, f)) for f in self.filled],
                "clips": [{"position": c.position, "status": c.status,
                           "old_source": list(c.old_source), "old_record": c.old_record,
                           "new_source": list(c.new_source) if c.new_source else None,
                           "new_record": list(c.new_record) if c.new_record else None,
                           "end_offset_frames": c.end_offset_frames, "note": c.note}
                          for c in self.clips]}


def _nearest_offset(frame: int, beats: np.ndarray) -> int:
    if not len(beats):
        return 0
    k = int(np.clip(np.searchsorted(beats, frame), 1, len(beats) - 1)) if len(beats) > 1 else 0
    return int(min(abs(frame - beats[k]), abs(frame - beats[max(k - 1, 0)])))


def _end_before_kept(pos: int, planned: int, kept_length: int, beats: np.ndarray,
                     min_len: int, end: int) -> int:
    """Where the flexible clip at ``pos`` ends when a kept clip of ``kept_length`` follows."""
    period = int(np.median(np.diff(beats))) if len(beats) > 2 else max(min_len, 1)
    lo, hi = pos + min_len, planned + ALIGN_SEARCH_BEATS * period
    candidates = beats[(beats >= lo) & (beats <= hi) & (beats + kept_length <= end)]
    if not len(candidates):
        return planned
    cost = [(_nearest_offset(int(b) + kept_length, beats), abs(int(b) - planned))
            for b in candidates]
    return int(candidates[min(range(len(cost)), key=lambda i: cost[i])])


def _run(mask: np.ndarray, frame: int, *, both_ways: bool) -> int:
    """Length of the run of True values of ``mask`` from ``frame`` on (or containing it)."""
    if frame < 0 or frame >= len(mask) or not mask[frame]:
        return 0
    after = np.flatnonzero(~mask[frame:])
    last = frame + int(after[0]) if len(after) else len(mask)
    if not both_ways:
        return last - frame
    before = np.flatnonzero(~mask[:frame])
    return last - (int(before[-1]) + 1 if len(before) else 0)


def _fit_end(cut: int, pos: int, clip: EditedClip, avail: np.ndarray, beats: np.ndarray,
             min_len: int, end: int) -> int:
    """End a flexible clip earlier, on a beat, when the frames after its in-point run out.

    Keeping the editor's in-point comes first; then keeping the clip at all (a window around the
    in-point, down to half the usual shortest clip); sliding away or taking another clip's frames
    is the last resort (left to the caller).
    """
    for both_ways, shortest in ((False, min_len), (True, max(1, min_len // 2))):
        room = _run(avail, clip.source_start, both_ways=both_ways)
        if room >= cut - pos:
            return cut
        fits = beats[(beats >= pos + shortest) & (beats <= pos + room) & (end - beats >= min_len)]
        if len(fits):
            return int(fits[-1])
    return cut


def _window(clip: EditedClip, length: int, free: np.ndarray) -> Optional[int]:
    """Start of a free window of ``length`` near the editor's source in-point, or None."""
    s = clip.source_start
    n = len(free)
    starts = [s] + [v for d in range(1, max(length, clip.length) + 1)
                    for v in (s - d, s + d)]
    for start in starts:
        if start < 0 or start + length > n:
            continue
        overlap = min(start + length, clip.source_end) - max(start, clip.source_start)
        if overlap <= 0 and start != s:
            continue
        if free[start:start + length].all():
            return start
    return None


def retime(edited: Sequence[EditedClip], *, planned_edges: np.ndarray, beats: np.ndarray,
           usable: np.ndarray, min_len: int) -> Tuple[List[PlacedClip], np.ndarray, RecutReport]:
    """Place ``edited`` on the new track; returns clips, the remaining segment edges, the report.

    Parameters
    ----------
    planned_edges : (S + 1,) int array
        The new track's planned segment edges in timeline frames, 0 first, the music's end last.
    beats : int array
        The new track's beats, in timeline frames.
    usable : (frames,) bool array
        Movie frames that may be used (spoiler guard applied); placed clips are marked used here.
    min_len : int
        Shortest clip in frames.

    The returned edges start where the editor's clips end and cover the rest of the track (for
    :mod:`.fill`); they are empty when the editor's clips fill the whole track.
    """
    end = int(planned_edges[-1])
    beats = np.unique(np.asarray(beats, np.int64))
    free = np.asarray(usable, bool).copy()
    report = RecutReport()
    outcomes = {c.position: ClipOutcome(c.position, "dropped", (c.source_start, c.source_end),
                                        c.record_start) for c in edited}
    # Kept clips reserve their frames first: nothing flexible may take them.
    for c in edited:
        if not c.keep:
            continue
        if c.source_end > len(free) or not free[c.source_start:c.source_end].all():
            outcomes[c.position].note = ("after the spoiler guard or overlapping another kept "
                                         "clip; raise --spoiler-guard to keep it")
            continue
        free[c.source_start:c.source_end] = False
    # The editor's own frames stay reserved for their clip: a neighbour growing at its tail must
    # not take the in-point of a clip that comes later.
    reserved = np.zeros(len(free), np.int32)
    for c in edited:
        if not c.keep:
            reserved[c.source_start:min(c.source_end, len(free))] += 1
    placed: List[PlacedClip] = []
    pos = 0
    order = list(edited)
    for k, clip in enumerate(order):
        outcome = outcomes[clip.position]
        if outcome.note and clip.keep:
            continue
        if end - pos < min_len:
            outcome.note = "the new track ended before this clip"
            continue
        if clip.keep:
            if pos + clip.length > end:
                outcome.note = "longer than what is left of the new track"
                free[clip.source_start:clip.source_end] = True
                continue
            start, length = clip.source_start, clip.length
            outcome.status = "kept"
            outcome.end_offset_frames = _nearest_offset(pos + length, beats)
        else:
            later = planned_edges[planned_edges >= pos + min_len]
            cut = int(later[0]) if len(later) else end
            following = next((c for c in order[k + 1:] if outcomes[c.position].note == ""), None)
            if following is not None and following.keep:
                cut = _end_before_kept(pos, cut, following.length, beats, min_len, end)
            if end - cut < min_len:
                cut = end
            own = slice(clip.source_start, min(clip.source_end, len(free)))
            reserved[own] -= 1
            avail = free & (reserved == 0)
            cut = _fit_end(cut, pos, clip, avail, beats, min_len, end)
            length = cut - pos
            start = _window(clip, length, avail)
            if start is None:
                start = _window(clip, length, free)
            if start is None:
                outcome.note = "its frames are taken or past the spoiler guard"
                continue
            free[start:start + length] = False
            same = start == clip.source_start and length == clip.length
            outcome.status = "moved" if same else "retimed"
        outcome.new_source = (int(start), int(start + length))
        outcome.new_record = (int(pos), int(pos + length))
        placed.append(PlacedClip(segment=-1, shot=-1, scene=-1, source_start=int(start),
                                 source_end=int(start + length), record_start=int(pos),
                                 record_end=int(pos + length), score=1.0,
                                 reason=f"editor's clip {clip.position + 1} ({outcome.status})",
                                 tags={"recut": outcome.status,
                                       "editor_position": int(clip.position)}))
        pos += length
    report.clips = [outcomes[c.position] for c in edited]
    rest = planned_edges[planned_edges > pos]
    rest = rest[(rest - pos >= min_len) | (rest == end)]
    edges = np.concatenate([[pos], rest]).astype(np.int64) if pos < end else np.zeros(0, np.int64)
    if len(edges) >= 2 and edges[-1] - edges[-2] < min_len and len(edges) > 2:
        edges = np.delete(edges, -2)
    usable[:] = free
    return placed, edges, report
