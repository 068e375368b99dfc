"""Burnt-in text (end credits, title cards) from small frames, numpy only, no weights.

At 320 pixels wide a line of credit text is a band a few rows tall of short bright strokes, with
(almost) ink-free rows just above and below it, continuing into the next 40-column tile; and on
the smooth backgrounds credits sit on, those strokes carry most of the frame's fine bright
detail. Natural texture (fur, grass, leaves, sparkles) has fine bright detail too, but spread over
the frame: its bright rows run into each other, its rare isolated bands do not line up from tile
to tile, and its bright segments are long edges and highlights rather than strokes.

A frame's score is the share of its bright detail ("ink") lying in such bands, taken at several
ink contrasts (the higher ones find bright text over busy pictures, whose texture floods the
faint ink) and the best kept. Frames scoring at least :data:`TEXT_SCORE_MIN` read as text.
On light frames (a card: median luma at least :data:`LIGHT_CARD_LUMA`) dark text is looked for
too, with the polarity reversed (ink is darker than its surroundings); other frames are not
read for dark ink, where shadows, branches against the sky and dark outlines would pass for
it. All sizes below are in pixels of the 320-wide analysis frame.
"""
from __future__ import annotations

from fractions import Fraction
from typing import List

import numpy as np

from ..model import VideoInfo
from ..timebase import seconds_to_frames

#: Width of the analysis frames; the height follows the movie's display aspect.
ANALYSIS_WIDTH = 320
#: Frames analysed per second of film (text cards stay on screen for seconds).
SAMPLES_PER_SECOND = 6.0
#: A frame reads as a text overlay from this score on (Big Buck Bunny: story frames score at
#: most 0.13, its opening title over a picture about 0.2, 95% of end-credit frames above 0.28).
TEXT_SCORE_MIN = 0.2
#: Frames with fewer text-like bands (counted per tile) score 0: a stray band is no text.
MIN_BANDS = 2
#: Luma levels above the local background that count as ink, tried in turn.
INK_CONTRASTS = (30, 45, 60, 90)
#: Frames at least this light (median luma) are also read for dark text (a title card).
LIGHT_CARD_LUMA = 160

_TILE = 40             # columns judged together (credits are often set in columns)
_BOX = (9, 15)         # local background window (rows, columns)
_MIN_INK_PER_ROW = 3   # ink pixels in a tile's row that make it part of a band
_CLEAN_MAX = 1         # ... and at most this many in the rows bounding a band
_MAX_LINE_ROWS = 10    # taller bands are objects or texture, not a line of text
_MAX_STROKE_RUN = 3.0  # mean length of a band's ink segments; longer is an edge or highlight
_MIN_BAND_INK = 0.002  # share of the frame: a few sparkles in a row are not text
_BATCH = 64


def analysis_size(info: VideoInfo) -> tuple:
    """``(width, height)`` of the frames the detector reads: 320 wide, the movie's aspect."""
    if not info.width or not info.height:
        return ANALYSIS_WIDTH, 180
    height = int(round(ANALYSIS_WIDTH * info.height / info.width / 2.0)) * 2
    return ANALYSIS_WIDTH, int(np.clip(height, 4 * _MAX_LINE_ROWS, 4 * ANALYSIS_WIDTH))


def _luma(rgb: np.ndarray) -> np.ndarray:
    """Integer luma (BT.601 weights in 1/256ths) so box sums below are exact."""
    r, g, b = (rgb[..., k].astype(np.uint16) for k in range(3))  # 255 * 256 fits in 16 bits
    return ((77 * r + 150 * g + 29 * b) >> 8).astype(np.int32)


def _window_sum(x: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Sum over ``size`` elements along ``axis`` centred on each element (edges repeated)."""
    half = size // 2
    pad = [(0, 0)] * x.ndim
    pad[axis] = (half + 1, size - half - 1)  # one extra slot in front, zeroed: the running sum's 0
    padded = np.pad(x, pad, mode="edge")
    padded[(slice(None),) * axis + (0,)] = 0
    run = np.cumsum(padded, axis=axis, dtype=np.int32)
    ahead = (slice(None),) * axis + (slice(size, None),)
    behind = (slice(None),) * axis + (slice(None, -size),)
    return run[ahead] - run[behind]


def _box_sum(x: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Sum over a ``rows`` x ``cols`` window centred on each pixel (edges repeated), separably."""
    return _window_sum(_window_sum(x, rows, axis=1), cols, axis=2)


def _runs(flags: np.ndarray):
    """Start and end (exclusive) of each run of True in a 1-D array that begins and ends False."""
    step = np.diff(flags.astype(np.int8))
    return np.flatnonzero(step == 1) + 1, np.flatnonzero(step == -1) + 1


def text_scores(frames: np.ndarray) -> np.ndarray:
    """Text-overlay score in [0, 1] of each frame of a ``(B, H, W, 3)`` uint8 batch.

    The score is the largest, over :data:`INK_CONTRASTS`, share of the frame's ink (pixels that
    much brighter than their 9x15 surroundings) lying in text-like bands: per 40-column tile, runs
    of at most 10 inked rows between nearly ink-free rows, made of short segments (strokes), and
    beside a band of the neighbouring tile. Frames with fewer than :data:`MIN_BANDS` bands, or
    with very little band ink, score 0.
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or len(frames) == 0:
        return np.zeros(len(frames), np.float32)
    luma = _luma(frames)
    rows, cols = _BOX
    lift = luma * (rows * cols) - _box_sum(luma, rows, cols)
    score = np.zeros(len(frames), np.float32)
    for contrast in INK_CONTRASTS:
        score = np.maximum(score, _band_share(lift > contrast * rows * cols))
    light = np.median(luma.reshape(len(frames), -1), axis=1) >= LIGHT_CARD_LUMA
    if light.any():
        for contrast in INK_CONTRASTS:
            dark = _band_share(-lift[light] > contrast * rows * cols)
            score[light] = np.maximum(score[light], dark)
    return score


def _tile_counts(mask: np.ndarray, tiles: int) -> np.ndarray:
    """True pixels per (frame, tile, row) of a ``(B, H, tiles * _TILE)`` boolean mask."""
    b, h, _ = mask.shape
    counts = mask.view(np.uint8).reshape(b, h, tiles, _TILE).sum(3, dtype=np.uint8)
    return counts.transpose(0, 2, 1)


def _band_share(ink: np.ndarray) -> np.ndarray:
    """Share of each frame's ink in aligned text-like bands (see :func:`text_scores`)."""
    b, h, w = ink.shape
    tiles = w // _TILE
    ink = ink[:, :, :tiles * _TILE]
    seg_starts = ink.copy()
    seg_starts[:, :, 1:] &= ~ink[:, :, :-1]
    # Each tile's rows as one sequence, a 0 row before each so runs never span two sequences.
    per_row = np.zeros((b, tiles, h + 1), np.int32)
    per_row[:, :, 1:] = _tile_counts(ink, tiles)
    total = per_row.sum(axis=(1, 2))
    segs = np.zeros((b, tiles, h + 1), np.int32)
    segs[:, :, 1:] = _tile_counts(seg_starts, tiles)
    per_row = np.append(per_row.reshape(-1), 0)
    segs = np.append(segs.reshape(-1), 0)
    start, end = _runs(per_row >= _MIN_INK_PER_ROW)
    clean = per_row <= _CLEAN_MAX
    ink_cum = np.concatenate([[0], np.cumsum(per_row)])
    seg_cum = np.concatenate([[0], np.cumsum(segs)])
    run_ink = ink_cum[end] - ink_cum[start]
    run_segs = np.maximum(seg_cum[end] - seg_cum[start], 1)
    band = ((end - start <= _MAX_LINE_ROWS) & clean[start - 1] & clean[end]
            & (run_ink <= _MAX_STROKE_RUN * run_segs))
    bands = np.bincount(start[band] // (tiles * (h + 1)), minlength=b)
    # Keep the band rows whose row in a neighbouring tile is a band row too: lines of text run on.
    mark = np.zeros(len(per_row) + 1, np.int32)
    np.add.at(mark, start[band], 1)
    np.add.at(mark, end[band], -1)
    member = (np.cumsum(mark)[:len(per_row) - 1] > 0).reshape(b, tiles, h + 1)
    beside = np.zeros_like(member)
    beside[:, 1:] |= member[:, :-1]
    beside[:, :-1] |= member[:, 1:]
    counts = per_row[:-1].reshape(b, tiles, h + 1)
    band_ink = (counts * (member & beside)).sum(axis=(1, 2))
    score = band_ink / np.maximum(total, 1)
    score[(bands < MIN_BANDS) | (band_ink < _MIN_BAND_INK * h * w)] = 0.0
    return score.astype(np.float32)


def text_frames(scores, frame_count: int) -> np.ndarray:
    """Boolean per frame: reads as text (score >= :data:`TEXT_SCORE_MIN`).

    All False when ``scores`` is missing or does not have one score per frame (an analysis
    stored without the text consumer).
    """
    if scores is None or len(scores) != frame_count:
        return np.zeros(frame_count, bool)
    return np.asarray(scores) >= TEXT_SCORE_MIN


class TextOverlayConsumer:
    """Scores every few frames for burnt-in text during the decode pass (see module docstring).

    After :meth:`finish`, :meth:`scores` holds one score per decoded frame: each frame takes the
    score of the last analysed frame at or before it.
    """

    def __init__(self, info: VideoInfo) -> None:
        self.size = analysis_size(info)
        self.stride = max(1, seconds_to_frames(1 / Fraction(SAMPLES_PER_SECOND), info.fps or 24))
        self._batch: List[np.ndarray] = []
        self._indices: List[int] = []
        self._scores: List[np.ndarray] = []
        self._per_frame = np.zeros(0, np.float32)

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        self._batch.append(rgb)
        self._indices.append(index)
        if len(self._batch) >= _BATCH:
            self._flush()

    def finish(self, frame_count: int) -> None:
        self._flush()
        scores = np.concatenate(self._scores) if self._scores else np.zeros(0, np.float32)
        at = np.asarray(self._indices, np.int64)
        if frame_count <= 0 or not len(at):
            self._per_frame = np.zeros(max(frame_count, 0), np.float32)
            return
        last = np.searchsorted(at, np.arange(frame_count), side="right") - 1
        self._per_frame = scores[np.clip(last, 0, len(at) - 1)].astype(np.float32)

    def _flush(self) -> None:
        if self._batch:
            self._scores.append(text_scores(np.stack(self._batch)))
            self._batch = []

    def scores(self) -> np.ndarray:
        """Per-frame text-overlay score (``float32``, one per decoded frame)."""
        return self._per_frame
