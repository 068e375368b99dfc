"""Cheap per-frame statistics gathered in the decode pass for every shot detector.

Per frame: mean luma, whether the frame is black, and the colour difference to the previous frame;
every ``signature_stride``-th frame also a small colour histogram used to group shots into scenes.
All of it is a few bytes per frame, so a two-hour film costs a few megabytes.
"""
from __future__ import annotations

import array
from typing import List

import numpy as np

#: A frame is black when its mean luma and its 95th-percentile luma (0..255) are both this low.
BLACK_MEAN = 4.0
BLACK_P95 = 16.0
HIST_LEVELS = 4  # per RGB channel -> 64-bin signature


def yuv_planes(rgb: np.ndarray) -> np.ndarray:
    """Luma and half-scaled chroma (float32, HxWx3): the space of every colour difference here."""
    f = rgb.astype(np.float32)
    y = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
    return np.stack([y, 0.5 * (f[..., 2] - y), 0.5 * (f[..., 0] - y)], axis=-1)


def colour_signature(rgb: np.ndarray) -> np.ndarray:
    """Normalised 64-bin joint RGB histogram (4 levels per channel) of one frame."""
    q = (rgb >> 6).astype(np.int64)
    bins = (q[..., 0] * HIST_LEVELS + q[..., 1]) * HIST_LEVELS + q[..., 2]
    counts = np.bincount(bins.ravel(), minlength=HIST_LEVELS ** 3).astype(np.float32)
    return counts / max(1.0, float(counts.sum()))


class FrameStats:
    """Frame consumer collecting ``luma``, ``black``, ``diff`` per frame and sparse ``signatures``.

    ``diff[i]`` is the mean absolute difference of luma and scaled chroma between frames ``i-1``
    and ``i`` (0 for the first frame). ``signatures[k]`` describes frame ``k * signature_stride``.
    """

    def __init__(self, size=(48, 27), signature_stride: int = 4) -> None:
        self.size = tuple(size)
        self.stride = 1
        self.signature_stride = signature_stride
        # Typed arrays, not lists: a Python float costs 32 bytes, and a long film has 10^5 frames.
        self._luma = array.array("f")
        self._black = bytearray()
        self._diff = array.array("f")
        self._signatures: List[np.ndarray] = []
        self._previous = None
        self.luma = self.diff = np.zeros(0, np.float32)
        self.black = np.zeros(0, bool)
        self.signatures = np.zeros((0, HIST_LEVELS ** 3), np.float16)

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        yuv = yuv_planes(rgb)
        y = yuv[..., 0]
        mean = float(y.mean())
        self._luma.append(mean)
        self._black.append(int(mean <= BLACK_MEAN and float(np.percentile(y, 95)) <= BLACK_P95))
        self._diff.append(0.0 if self._previous is None
                          else float(np.abs(yuv - self._previous).mean()))
        self._previous = yuv
        if index % self.signature_stride == 0:
            self._signatures.append(colour_signature(rgb).astype(np.float16))

    def finish(self, frame_count: int) -> None:
        self.luma = np.asarray(self._luma, np.float32)
        self.black = np.frombuffer(bytes(self._black), np.uint8).astype(bool)
        self.diff = np.asarray(self._diff, np.float32)
        if self._signatures:
            self.signatures = np.stack(self._signatures)
        self._luma, self._black, self._diff = array.array("f"), bytearray(), array.array("f")
        self._signatures = []
        self._previous = None
