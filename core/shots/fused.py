"""The fused detector: colour-difference evidence for hard cuts, TransNetV2 for gradual ones.

Each detector is used where it is strong. Hard cuts come from the histogram detector's adaptive
peaks of the frame-to-frame colour difference (:mod:`.histogram`), fades from luma around black
(:mod:`.boundaries`), and the remaining gradual transitions (dissolves, wipes, irises) from
TransNetV2's "frame in a transition" output.

TransNetV2 only runs where a gradual transition can be. A dissolve changes the picture a lot over
a fraction of a second without any single large jump; so while frames stream past,
:class:`GradualCandidates` compares each 48x27 frame with the one ``lag`` frames earlier and flags
the frame when that long-range difference is large and several times the largest frame-to-frame
difference between them (a hard cut, whose one jump explains the whole change, is not flagged).
The network's window for a stretch of frames runs only when a flag lies in or near that stretch;
elsewhere its outputs are 0. On a film that is mostly hard cuts this skips most windows.
"""
from __future__ import annotations

import collections
from typing import Deque, List, Sequence

import numpy as np

from .boundaries import Boundary, transnet_boundaries

#: Frames between the two frames a long-range difference compares (half a second at 24 fps).
LAG = 12
#: Smallest long-range difference (same units as ``FrameStats.diff``) that may be a transition.
MIN_CHANGE = 10.0
#: The long-range difference must be at least this many times the largest single-frame step
#: (a linear dissolve over n >= lag frames gives lag; over n < lag frames, n). On BBB, 10 and 6
#: leave 7% of the film to the network and still cover its iris-out and credits fade-in.
MIN_SPREAD = 6.0
#: Frames flagged around a candidate, so its window also sees the transition's start and end.
MARGIN = 20
#: Gradual transitions from TransNetV2 shorter than this are not trusted (frames).
MIN_GRADUAL = 5
#: TransNetV2 window when gated: 100 frames predict the middle 50 (the network's own layout),
#: so a lone candidate costs one short window rather than one of 400.
GATED_WINDOW = 100


def _yuv(rgb: np.ndarray) -> np.ndarray:
    f = rgb.astype(np.float32)
    y = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
    return np.stack([y, 0.5 * (f[..., 2] - y), 0.5 * (f[..., 0] - y)], axis=-1)


class GradualCandidates:
    """Frame consumer (48x27, every frame) flagging frames where a gradual transition may be.

    It must be fed each frame before the TransNetV2 consumer it gates; :meth:`wanted` answers
    that consumer's gate for frames already seen. Memory: ``lag`` small frames and one flag
    byte per frame.
    """

    size = (48, 27)
    stride = 1

    def __init__(self, *, lag: int = LAG, min_change: float = MIN_CHANGE,
                 min_spread: float = MIN_SPREAD, margin: int = MARGIN) -> None:
        self.lag, self.min_change, self.min_spread, self.margin = lag, min_change, min_spread, \
            margin
        self._frames: Deque[np.ndarray] = collections.deque(maxlen=lag + 1)
        self._steps: Deque[float] = collections.deque(maxlen=lag)
        self._flags = bytearray()
        self.flags = np.zeros(0, bool)

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        yuv = _yuv(rgb)
        if self._frames:
            self._steps.append(float(np.abs(yuv - self._frames[-1]).mean()))
        self._frames.append(yuv)
        self._flags.append(0)
        if len(self._frames) <= self.lag:
            return
        change = float(np.abs(yuv - self._frames[0]).mean())
        if change >= self.min_change and change >= self.min_spread * max(self._steps):
            lo = max(0, index - self.lag - self.margin)
            self._flags[lo:index + 1] = b"\x01" * (index + 1 - lo)

    def wanted(self, first: int, end: int) -> bool:
        """Whether any frame in ``[first, end)`` is, or is within ``margin`` of, a candidate."""
        hi = min(end + self.margin, len(self._flags))
        return any(self._flags[max(0, first - self.margin):hi])

    def finish(self, frame_count: int) -> None:
        self.flags = np.frombuffer(bytes(self._flags), np.uint8).astype(bool)[:frame_count]
        self._frames.clear()
        self._steps.clear()


def fused_boundaries(content_cuts: Sequence[Boundary], single: np.ndarray, many: np.ndarray, *,
                     min_gradual: int = MIN_GRADUAL) -> List[Boundary]:
    """Hard cuts from the content detector plus TransNetV2's gradual transitions.

    A TransNetV2 gradual transition whose span holds a content cut is that cut (a hard cut's
    neighbours often look "in transition" to the network); the rest are added as gradual
    boundaries. Fades are merged in afterwards by the caller, as for every detector.
    """
    gradual = [b for b in transnet_boundaries(single, many, min_gradual=min_gradual)
               if b.gradual]
    cut_frames = np.asarray(sorted(b.frame for b in content_cuts), np.int64)
    kept = []
    for b in gradual:
        i = int(np.searchsorted(cut_frames, b.first))
        if i < len(cut_frames) and cut_frames[i] <= b.last + 1:
            continue
        kept.append(b)
    return sorted(list(content_cuts) + kept, key=lambda b: b.frame)


#: Bump when this detector's output changes, so cached analyses are not reused.
VERSION = "1"


def unavailable_reason():
    """Why the fused detector cannot run here (it needs TransNetV2), or None."""
    from .transnet import unavailable_reason as transnet_reason

    return transnet_reason()


class FusedDetector:
    """The detector interface (see :mod:`.detect`): content cuts plus gated TransNetV2."""

    def __init__(self, gate: GradualCandidates, net) -> None:
        self.gate, self.net = gate, net
        self.consumers = (gate, net)  # the gate sees each frame before the network it gates

    def boundaries(self, stats) -> List[Boundary]:
        """Content-detector hard cuts plus TransNetV2's gradual transitions."""
        from .histogram import histogram_boundaries

        return fused_boundaries(histogram_boundaries(stats), self.net.single, self.net.many)

    def evidence(self) -> dict:
        """TransNetV2's outputs, the windows it ran, and the gate's candidate frames."""
        return {"single": self.net.single, "many": self.net.many,
                "windows_run": self.net.windows_run, "windows": self.net.windows_total,
                "candidates": self.gate.flags}

    def close(self) -> None:
        """Stop the inference worker."""
        self.net.close()


def make_detector(*, reporter, weights=None, device: str = "auto", precision: str = "auto",
                  window=None) -> FusedDetector:
    """The registry's entry point: the gate and a TransNetV2 consumer that asks it."""
    from .transnet import make_consumer

    reporter.report("Loading the shot detector", 0, 1)

    def on_drain(done, total):
        reporter.report("Finding shots", done, total)

    gate = GradualCandidates()
    net = make_consumer(weights=weights, device=device, precision=precision,
                        window=window or GATED_WINDOW, on_drain=on_drain, gate=gate.wanted,
                        lazy=True)
    return FusedDetector(gate, net)
