"""The fused detector: cheap evidence first, TransNetV2 only where that evidence cannot decide.

Each kind of boundary comes from the signal that sees it best:

- hard cuts are exactly the histogram detector's (:mod:`.histogram`): adaptive peaks of the
  frame-to-frame colour difference, so the default is never worse than it on hard cuts;
- fades come from luma around black (:mod:`.boundaries`), as for every detector;
- dissolves come from a *blend test* (:class:`BlendTest`): a frame in the middle of a dissolve is
  a mix of the frames a quarter of a second before and after it, ``m ~ (1 - w) a + w b``. Where
  the picture changes a lot over that half second, the middle frame lies between the two ends
  (``w`` well inside 0..1) and the mix explains it to within a few percent, the frames are in a
  dissolve. A hard cut fails the test (its middle frame *is* one end, ``w`` is 0 or 1), and so
  does motion, scrolling text or a flash: moving content is not a mix of where it was and where
  it will be, and what is left over is a large share of the change;
- TransNetV2 runs only where none of that decides: the picture is replaced over half a second,
  with no single jump and no mix (a wipe, an iris, a push). Its gradual transitions are kept
  only there. On a film without such moments torch is never imported (see
  :class:`..transnet._LazyRunner`).

A dissolve with motion in both shots leaves more of the change unexplained than a clean mix; when
the change is large such a moment goes to TransNetV2 too, which decides whether it is a
transition (a camera move or a credits scroll stays unclaimed).
"""
from __future__ import annotations

import bisect
import collections
import itertools
from typing import Deque, List, Sequence, Tuple

import numpy as np

from .boundaries import Boundary, fade_boundaries, runs, transnet_boundaries
from .frame_stats import colour_signature, yuv_planes

#: Seconds between the middle frame of the blend test and each of its two ends. A quarter of a
#: second fits inside the usual dissolve (half a second to two seconds) and is short enough for
#: camera motion to move the picture little.
BLEND_LAG_S = 0.25
#: Smallest mean colour difference between the two ends (units of ``FrameStats.diff``, 0..255)
#: for the test to speak: below it there is no transition to find.
MIN_CHANGE = 10.0
#: The fitted mix weight must lie this far inside 0..1: the middle frame is neither end.
MIN_WEIGHT = 0.15
#: A mix explains the middle frame when what it leaves over is at most this share of the change
#: (a linear mix of two still pictures leaves only compression noise, a few percent).
MAX_RESIDUAL = 0.10
#: ... and it is no mix at all above this share. A wipe leaves ``2p(1-p)`` of the change (``p``
#: the share of the frame already replaced), 0.32 to 0.5 in its middle half.
NOT_A_MIX = 0.30
#: Between ``MAX_RESIDUAL`` and ``NOT_A_MIX`` lies a dissolve over moving pictures (measured:
#: 0.09-0.21 left over) as well as motion and credits over a changing tint (0.15-0.30). Such a
#: moment is asked of TransNetV2 when the mix weight is inside 0..1 and the change is at least
#: this large: a dissolve from one shot to another changes the picture more than a tint or a
#: scroll does (measured: dissolves between moving shots 16-34 at their middle, BBB's credits
#: tint 10-12.4).
MIXED_CHANGE = 16.0
#: The change over the test must be this many times the largest frame-to-frame step in it, so no
#: single jump (a hard cut) explains it.
MIN_SPREAD = 4.0
#: Colour histograms (64 bins, L1 distance 0..2) of the two ends at least this far apart: the
#: picture is replaced, not moved.
NEW_PICTURE = 0.8
#: Consecutive frames that must pass the dissolve test before it counts (one may be chance).
MIN_VOTES = 3
#: Seconds an undecided moment must last before TransNetV2 is asked about it: a wipe or an iris
#: takes at least that, a flicker of moving text or a flash does not.
UNDECIDED_S = 0.25
#: Frames flagged for TransNetV2 around an undecided moment, so its window sees the whole of it.
MARGIN = 20
#: TransNetV2 window when gated: 100 frames predict the middle 50 (the network's own layout).
GATED_WINDOW = 100


class BlendTest:
    """Frame consumer (48x27, every frame): the blend test at every frame, streaming.

    For each frame ``b`` it takes the frame ``a`` about ``2 * lag_s`` earlier and the frame
    ``m`` half-way between them in time (timestamps, so a variable frame rate is handled), fits
    ``m - a ~ w (b - a)`` in the colour space of ``FrameStats.diff`` and records, for ``m``:

    - ``dissolve[m]``: the change is large and spread, ``w`` inside ``(min_weight, 1 -
      min_weight)`` and the residual at most ``max_residual`` of the change;
    - ``undecided[m]``: the change is large and spread, the ends' colours ``new_picture`` apart,
      but the residual exceeds ``not_a_mix``, or exceeds ``max_residual`` with ``w`` inside
      and a change of at least ``mixed_change`` (a dissolve over moving pictures). Once that
      has held for ``undecided_s`` seconds, frames within ``margin`` are flagged for
      TransNetV2 (:meth:`wanted`).

    Memory: half a second of small frames and two flag bytes per frame.
    """

    size = (48, 27)
    stride = 1

    def __init__(self, *, lag_s: float = BLEND_LAG_S, min_change: float = MIN_CHANGE,
                 min_weight: float = MIN_WEIGHT, max_residual: float = MAX_RESIDUAL,
                 not_a_mix: float = NOT_A_MIX, min_spread: float = MIN_SPREAD,
                 new_picture: float = NEW_PICTURE, mixed_change: float = MIXED_CHANGE,
                 undecided_s: float = UNDECIDED_S, margin: int = MARGIN) -> None:
        self.lag_s, self.min_change, self.min_weight = lag_s, min_change, min_weight
        self.max_residual, self.not_a_mix, self.min_spread = max_residual, not_a_mix, min_spread
        self.new_picture, self.mixed_change = new_picture, mixed_change
        self.undecided_s, self.margin = undecided_s, margin
        self._times: Deque[float] = collections.deque()
        self._frames: Deque[Tuple[np.ndarray, np.ndarray]] = collections.deque()  # (rgb, yuv)
        self._steps: Deque[float] = collections.deque()  # step into each held frame
        self._first = 0  # index of _frames[0]
        self._dissolve, self._undecided, self._wanted = bytearray(), bytearray(), bytearray()
        self._undecided_since = None  # time of the current undecided streak's first middle
        self.dissolve = self.undecided = self.flags = np.zeros(0, bool)

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        frame = yuv_planes(rgb)
        step = float(np.abs(frame - self._frames[-1][1]).mean()) if self._frames else 0.0
        self._times.append(time_s)
        self._frames.append((rgb, frame))
        self._steps.append(step)
        for flags in (self._dissolve, self._undecided, self._wanted):
            flags.append(0)
        # keep exactly one frame at or before time_s - 2 lag: that is the test's first end
        while len(self._times) > 2 and self._times[1] <= time_s - 2 * self.lag_s + 1e-6:
            self._times.popleft()
            self._frames.popleft()
            self._steps.popleft()
            self._first += 1
        if len(self._times) < 3 or self._times[0] > time_s - 2 * self.lag_s + 1e-6:
            return  # not yet half a second of frames
        self._test(index, rgb, frame)

    def _new_picture(self, rgb_a: np.ndarray, rgb_b: np.ndarray) -> float:
        return float(np.abs(colour_signature(rgb_b) - colour_signature(rgb_a)).sum())

    def _test(self, index: int, rgb_b: np.ndarray, b: np.ndarray) -> None:
        rgb_a, a = self._frames[0]
        d = b - a
        change = float(np.abs(d).mean())
        undecided = False
        if change >= self.min_change and change >= self.min_spread * max(
                itertools.islice(self._steps, 1, None)):
            times = list(self._times)
            k = bisect.bisect_left(times, (times[0] + times[-1]) / 2)
            k = min(max(k, 1), len(times) - 2)
            m = self._frames[k][1]
            w = float(np.dot((m - a).ravel(), d.ravel())) / max(float(np.dot(d.ravel(),
                                                                            d.ravel())), 1e-6)
            residual = float(np.abs(m - a - min(1.0, max(0.0, w)) * d).mean()) / change
            middle = self._first + k
            if self.min_weight < w < 1 - self.min_weight and residual <= self.max_residual:
                self._dissolve[middle] = 1
            elif self._undecided_mix(residual, w, change) and \
                    self._new_picture(rgb_a, rgb_b) >= self.new_picture:
                undecided = True
                self._undecided[middle] = 1
                if self._undecided_since is None:
                    self._undecided_since = times[k]
                if times[k] - self._undecided_since >= self.undecided_s - 1e-6:
                    lo = max(0, self._first - self.margin)
                    self._wanted[lo:index + 1] = b"\x01" * (index + 1 - lo)
        if not undecided:
            self._undecided_since = None

    def _undecided_mix(self, residual: float, w: float, change: float) -> bool:
        """No mix at all, or a rough mix of two pictures large enough to be a transition."""
        if residual > self.not_a_mix:
            return True
        return residual > self.max_residual and change >= self.mixed_change and \
            self.min_weight < w < 1 - self.min_weight

    def wanted(self, first: int, end: int) -> bool:
        """Whether any frame in ``[first, end)`` is, or is within ``margin`` of, an undecided
        moment that lasted (TransNetV2's gate)."""
        hi = min(end + self.margin, len(self._wanted))
        return any(self._wanted[max(0, first - self.margin):hi])

    def finish(self, frame_count: int) -> None:
        def array(flags):
            return np.frombuffer(bytes(flags), np.uint8).astype(bool)[:frame_count]

        self.dissolve, self.undecided = array(self._dissolve), array(self._undecided)
        self.flags = array(self._wanted)
        self._times.clear()
        self._frames.clear()
        self._steps.clear()


def dissolve_boundaries(dissolve: np.ndarray, *, min_votes: int = MIN_VOTES
                        ) -> List[Boundary]:
    """Gradual boundaries from the blend test's per-frame verdicts.

    Each run of at least ``min_votes`` dissolve frames (gaps of a frame or two joined) is one
    dissolve: its span is the run, its boundary the run's middle frame.
    """
    out = []
    for first, last in _joined(runs(dissolve), gap=2):
        if int(np.count_nonzero(dissolve[first:last + 1])) >= min_votes:
            out.append(Boundary((first + last + 1) // 2, "gradual", first, last))
    return out


def _joined(spans: Sequence[Tuple[int, int]], gap: int) -> List[Tuple[int, int]]:
    out: List[Tuple[int, int]] = []
    for a, b in spans:
        if out and a - out[-1][1] <= gap + 1:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def fused_boundaries(cuts: Sequence[Boundary], dissolves: Sequence[Boundary],
                     single: np.ndarray, many: np.ndarray, undecided: np.ndarray, *,
                     fade_spans: Sequence[Tuple[int, int]] = (), margin: int = MARGIN,
                     min_gradual: int = 5) -> List[Boundary]:
    """The histogram detector's cuts, the blend test's dissolves, TransNetV2 where undecided.

    A dissolve is dropped when a cut lies in it (the cut's one jump is the change) or when it
    overlaps a fade (``fade_spans``: the fade, found from luma, is that transition). A
    TransNetV2 gradual transition is kept only when it lies within ``margin`` frames of an
    undecided frame and holds no cut, no dissolve and no fade.
    """
    cut_frames = np.asarray(sorted(b.frame for b in cuts), np.int64)

    def holds_cut(first, last):
        i = int(np.searchsorted(cut_frames, first))
        return i < len(cut_frames) and cut_frames[i] <= last + 1

    def overlaps(first, last, spans):
        return any(a <= last and first <= b for a, b in spans)

    kept = [d for d in dissolves
            if not holds_cut(d.first, d.last) and not overlaps(d.first, d.last, fade_spans)]
    taken = list(fade_spans) + [(d.first, d.last) for d in kept]
    undecided_frames = np.flatnonzero(np.asarray(undecided, bool))
    for b in transnet_boundaries(single, many, min_gradual=min_gradual):
        if not b.gradual or holds_cut(b.first, b.last) or overlaps(b.first, b.last, taken):
            continue
        i = int(np.searchsorted(undecided_frames, b.first - margin))
        if i < len(undecided_frames) and undecided_frames[i] <= b.last + margin:
            kept.append(b)
    return sorted(list(cuts) + kept, key=lambda b: b.frame)


#: Bump when this detector's output changes, so cached analyses are not reused.
VERSION = "2"


def unavailable_reason():
    """Why the fused detector cannot run here (it needs TransNetV2), or None."""
    from .transnet import unavailable_reason as transnet_reason

    return transnet_reason()


class FusedDetector:
    """The detector interface (see :mod:`.detect`): cheap evidence plus gated TransNetV2."""

    def __init__(self, blend: BlendTest, net) -> None:
        self.blend, self.net = blend, net
        self.consumers = (blend, net)  # the test sees each frame before the network it gates

    def boundaries(self, stats) -> List[Boundary]:
        """Histogram cuts, blend-test dissolves, TransNetV2's transitions where undecided."""
        from .histogram import histogram_boundaries

        fades = [claim for _, claim in fade_boundaries(stats.luma, stats.black)]
        return fused_boundaries(histogram_boundaries(stats),
                                dissolve_boundaries(self.blend.dissolve),
                                self.net.single, self.net.many, self.blend.flags,
                                fade_spans=fades)

    def evidence(self) -> dict:
        """TransNetV2's outputs and windows, and the blend test's per-frame verdicts."""
        return {"single": self.net.single, "many": self.net.many,
                "windows_run": self.net.windows_run, "windows": self.net.windows_total,
                "candidates": self.blend.flags, "dissolve": self.blend.dissolve,
                "undecided": self.blend.undecided}

    def close(self) -> None:
        """Stop the inference worker."""
        self.net.close()


def make_detector(*, reporter, weights=None, device: str = "auto", precision: str = "auto",
                  window=None) -> FusedDetector:
    """The registry's entry point: the blend test and a TransNetV2 consumer that asks it."""
    from .transnet import make_consumer

    reporter.report("Loading the shot detector", 0, 1)

    def on_drain(done, total):
        reporter.report("Finding shots", done, total)

    blend = BlendTest()
    net = make_consumer(weights=weights, device=device, precision=precision,
                        window=window or GATED_WINDOW, on_drain=on_drain, gate=blend.wanted,
                        lazy=True)
    return FusedDetector(blend, net)
