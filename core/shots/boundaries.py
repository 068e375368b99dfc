"""From per-frame detector evidence to shot boundaries: hard cuts, fades, dissolves.

Conventions (0-based decoded-frame indices):

- A boundary's ``frame`` is the first frame of the new shot.
- A gradual boundary carries the transition's first and last frames (inclusive).
- Fades are found from luma, the same way for every detector: a run of black frames with a
  steady luma ramp into it (fade-out) and/or out of it (fade-in). A fade-out followed by a fade-in
  is one transition, cut in the middle of the black, unless the black lasts ``min_black_shot``
  frames or more (the film holds a pause: the black is a shot of its own); a lone fade-out is
  cut at its first black frame, a lone fade-in at its first visible frame. Detector boundaries
  inside a fade are replaced by the fade's, so a network that fires half-way through a fade
  does not split it.
- A fade-in from black at the very start or a fade-out to black at the very end is recorded as a
  transition but starts no shot: that black is leader or tail, not a shot. Such transitions
  carry ``frame == -1``.
- A first or last shot shorter than ``min_edge_frames`` is merged into its neighbour: nothing
  follows (or precedes) it to confirm the cut, and so short a piece is no usable material.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np


@dataclass(frozen=True)
class Boundary:
    """First frame of a new shot; ``first``/``last`` bound a gradual transition (else -1)."""

    frame: int
    kind: str = "cut"
    first: int = -1
    last: int = -1

    @property
    def gradual(self) -> bool:
        return self.kind == "gradual"


def runs(mask: np.ndarray) -> List[Tuple[int, int]]:
    """Inclusive ``(first, last)`` index ranges where ``mask`` is True."""
    m = np.asarray(mask, bool).astype(np.int8)
    if m.size == 0:
        return []
    edges = np.diff(np.concatenate([[0], m, [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist()))


def transnet_boundaries(single: np.ndarray, many: np.ndarray, *, threshold: float = 0.5,
                        weak_threshold: float = 0.3, confirmed: Sequence[int] = (),
                        many_threshold: float = 0.5, min_gradual: int = 5) -> List[Boundary]:
    """Boundaries from TransNetV2's per-frame probabilities.

    Each run of ``single > weak_threshold`` is one candidate boundary after its most probable
    frame (TransNetV2 marks the last frame of the outgoing shot). It is kept when that peak
    exceeds ``threshold``, or when a hard cut found independently (``confirmed``, e.g. by
    :func:`..histogram.detect_cut_peaks`) lies within one frame of it: a hesitant network plus a
    sharp colour jump is a cut, a hesitant network alone is usually motion. When the peak lies in
    a run of ``many > many_threshold`` at least ``min_gradual`` frames long, the boundary is
    gradual and the run is its transition.
    """
    single, many = np.asarray(single, np.float32), np.asarray(many, np.float32)
    confirmed_frames = np.asarray(sorted(set(int(c) for c in confirmed)), np.int64)
    in_transition = runs(many > many_threshold)
    starts = np.array([a for a, _ in in_transition], np.int64)
    out = []
    for a, b in runs(single > weak_threshold):
        peak = a + int(np.argmax(single[a:b + 1]))
        if peak + 1 >= len(single):
            continue
        if single[peak] <= threshold and not _near(confirmed_frames, peak + 1, 1):
            continue
        k = int(np.searchsorted(starts, peak, side="right")) - 1
        if k >= 0 and in_transition[k][0] <= peak <= in_transition[k][1]:
            first, last = in_transition[k]
            if last - first + 1 >= min_gradual:
                out.append(Boundary(peak + 1, "gradual", first, last))
                continue
        out.append(Boundary(peak + 1, "cut"))
    return out


def _near(sorted_frames: np.ndarray, frame: int, tolerance: int) -> bool:
    i = int(np.searchsorted(sorted_frames, frame - tolerance))
    return i < len(sorted_frames) and sorted_frames[i] <= frame + tolerance


def _ramp(luma: np.ndarray, start: int, direction: int, min_step: float,
          max_step: float) -> int:
    """Walk from ``start`` away from a black run while luma changes steadily; return the end."""
    i = start
    while 0 <= i + direction < len(luma):
        step = float(luma[i + direction] - luma[i])
        if not min_step <= step <= max_step:
            break
        i += direction
    return i


def fade_boundaries(luma: np.ndarray, black: np.ndarray, *, min_frames: int = 3,
                    min_change: float = 8.0, min_step: float = 0.5, max_step: float = 60.0,
                    min_black_shot: int = 10 ** 9) -> List[Tuple[Boundary, Tuple[int, int]]]:
    """Fades found from luma around black runs, each with the frame range it claims.

    A fade-out and a fade-in around ``min_black_shot`` or more black frames are two boundaries
    (callers pass about a second of frames); around less black, one.

    Returns ``(boundary, (claim_first, claim_last))`` pairs: detector boundaries inside a claim
    belong to the fade and are dropped by :func:`merge_boundaries`.
    """
    luma, n = np.asarray(luma, np.float32), len(luma)
    out = []
    for a, b in runs(black):
        fade_out = fade_in = None
        if a > 0:
            # Walking back from the black, luma rises; s is the last frame before darkening.
            s = _ramp(luma, a, -1, min_step, max_step)
            if a - s > min_frames and luma[s] - luma[a] >= min_change:
                fade_out = (s + 1, a - 1)
        if b < n - 1:
            e = _ramp(luma, b, +1, min_step, max_step)  # e: last frame still brightening
            if e - b >= min_frames and luma[e] - luma[b] >= min_change:
                fade_in = (b + 1, e)
        if fade_out and fade_in and b - a + 1 < min_black_shot:
            boundary = Boundary((a + b + 1) // 2, "gradual", fade_out[0], fade_in[1])
            out.append((boundary, (fade_out[0] - 2, fade_in[1] + 2)))
            continue
        if fade_out:
            frame = a if b < n - 1 else -1  # a fade to black that ends the film cuts nothing
            out.append((Boundary(frame, "gradual", *fade_out), (fade_out[0] - 2, min(a + 2, b))))
        if fade_in:
            frame = b + 1 if a > 0 else -1  # nor does the fade-in that opens it
            out.append((Boundary(frame, "gradual", *fade_in), (max(a + 1, b - 1), fade_in[1] + 2)))
    return out


def merge_boundaries(detected: Sequence[Boundary],
                     fades: Sequence[Tuple[Boundary, Tuple[int, int]]]) -> List[Boundary]:
    """Detector boundaries outside every fade's claim, plus the fades' own, sorted by frame."""
    claims = [claim for _, claim in fades]
    kept = [d for d in detected if not any(lo <= d.frame <= hi for lo, hi in claims)]
    by_frame = {}
    for boundary in kept + [f for f, _ in fades if f.frame >= 0]:
        previous = by_frame.get(boundary.frame)
        if previous is None or (boundary.gradual and not previous.gradual):
            by_frame[boundary.frame] = boundary
    edge_fades = [f for f, _ in fades if f.frame < 0]
    return edge_fades + [by_frame[f] for f in sorted(by_frame)]


def finalize(boundaries: Sequence[Boundary], frame_count: int, *, min_edge_frames: int = 4
             ) -> Tuple[np.ndarray, List[str], np.ndarray]:
    """Contiguous shots ``[start, end)`` covering ``frame_count`` frames, their kinds, transitions.

    Boundaries outside ``(0, frame_count)`` start no shot (their transitions are still kept); a
    first or last shot shorter than ``min_edge_frames`` is merged into its neighbour.
    """
    inside = sorted({b.frame: b for b in boundaries if 0 < b.frame < frame_count}.values(),
                    key=lambda b: b.frame)
    transitions = [(b.first, b.last) for b in boundaries if b.gradual and b.first >= 0
                   and b.first < frame_count]
    while inside and inside[0].frame < min_edge_frames:
        inside.pop(0)
    while inside and frame_count - inside[-1].frame < min_edge_frames:
        inside.pop()
    starts = [0] + [b.frame for b in inside]
    ends = starts[1:] + [frame_count]
    shots = np.array(list(zip(starts, ends)), np.int64).reshape(-1, 2)
    kinds = ["start"] + [b.kind for b in inside]
    trans = np.array(sorted({(max(0, a), min(frame_count - 1, z)) for a, z in transitions}),
                     np.int64).reshape(-1, 2)
    return shots, kinds, trans
