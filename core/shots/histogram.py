"""The built-in detector: no torch, no weights.

Hard cuts are peaks of the frame-to-frame colour difference (luma and chroma at 48x27) that stand
well above their neighbours, an adaptive threshold in the manner of PySceneDetect's
AdaptiveDetector; fades come from luma around black frames (see :mod:`.boundaries`). It does not
see dissolves.
"""
from __future__ import annotations

from typing import List, Optional

import numpy as np

from .boundaries import Boundary
from .frame_stats import FrameStats


def detect_cut_peaks(diff: np.ndarray, *, ratio: float = 3.0, min_score: float = 8.0,
                     window: int = 2, min_shot: int = 6) -> List[Boundary]:
    """Hard cuts from frame-to-frame differences with an adaptive threshold.

    Frame ``i`` starts a new shot when ``diff[i]`` is at least ``min_score`` and at least
    ``ratio`` times the mean difference of its ``window`` neighbours on each side (so steady
    fast motion, whose neighbours differ as much, does not fire); cuts closer than ``min_shot``
    frames keep the first.
    """
    d = np.asarray(diff, np.float64)
    n = len(d)
    if n < 2:
        return []
    padded = np.concatenate([np.zeros(window), d, np.zeros(window)])
    sums = np.convolve(padded, np.ones(2 * window + 1), mode="valid") - d
    counts = np.convolve(np.concatenate([np.zeros(window), np.ones(n), np.zeros(window)]),
                         np.ones(2 * window + 1), mode="valid") - 1
    neighbours = sums / np.maximum(counts, 1)
    candidates = np.flatnonzero((d >= min_score) & (d >= ratio * (neighbours + 1e-3)))
    out: List[Boundary] = []
    last: Optional[int] = None
    for i in candidates.tolist():
        if i == 0:
            continue
        if last is None or i - last >= min_shot:
            out.append(Boundary(i, "cut"))
            last = i
    return out


def histogram_boundaries(stats: FrameStats, **options) -> List[Boundary]:
    """Hard-cut boundaries of the built-in detector from the decode pass's frame statistics."""
    return detect_cut_peaks(stats.diff, **options)


#: Bump when this detector's output changes, so cached analyses are not reused.
VERSION = "2"


def unavailable_reason() -> Optional[str]:
    """Always None: the built-in detector needs nothing beyond the decode pass."""
    return None


class HistogramDetector:
    """The detector interface (see :mod:`.detect`) for the built-in detector."""

    consumers: tuple = ()

    def boundaries(self, stats: FrameStats) -> List[Boundary]:
        """Hard cuts from the frame statistics (fades are added by the caller)."""
        return histogram_boundaries(stats)

    def evidence(self) -> dict:
        """No per-frame arrays beyond the frame statistics."""
        return {}

    def close(self) -> None:
        """Nothing to release."""


def make_detector(**_options) -> HistogramDetector:
    """The registry's entry point; TransNetV2's options (weights, device...) do not apply."""
    return HistogramDetector()
