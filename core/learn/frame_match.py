"""Find, for each trailer shot, the movie shot it was cut from (CMTD-style frame voting).

Frames are described by small, normalised thumbnails that survive what trailers do to footage:

* **re-encoding, resizing**: descriptors are 32x18 area averages, far below any codec detail;
* **letterboxing**: black bars are measured over the whole trailer and cropped; the movie frame is
  centre-cropped to the same picture shape, which handles both bars added around the full picture
  (a scope film in a 16:9 trailer) and bars painted over it;
* **colour grading, fades**: each colour channel is normalised (zero mean, unit spread) before the
  channels are averaged, so per-channel gain and offset cancel; near-black frames are not used;
* **text overlays, speed changes**: each trailer frame votes for the shots of its ``top_k`` most
  similar movie frames and the majority wins, so a few spoilt frames cannot outvote the rest.

Trailer frames with no movie frame above ``min_similarity`` are dropped (not assigned anywhere); a
trailer shot none of whose frames match gets ``-1``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

#: Working resolution of the descriptor (width, height) and its pooled grid.
WORK = (32, 18)
GRID = (16, 9)
#: Frames whose mean per-channel spread (0-255 scale) is below this carry no usable picture.
MIN_SPREAD = 4.0
#: A row/column is a bar when its typical brightness (0-255) stays below this.
BAR_LEVEL = 20.0
_BATCH = 64


def _area_weights(n_in: int, start: float, stop: float, n_out: int) -> np.ndarray:
    """``(n_out, n_in)`` weights averaging the span ``[start, stop)`` (in input pixels) into
    ``n_out`` equal cells, with fractional coverage at the cell edges."""
    edges = np.linspace(start, stop, n_out + 1)
    lo = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(lo + 1, edges[1:, None]) - np.maximum(lo, edges[:-1, None]),
                      0, None)
    return overlap / np.maximum(overlap.sum(axis=1, keepdims=True), 1e-9)


def describe(frames: np.ndarray, box: Tuple[float, float, float, float]
             ) -> Tuple[np.ndarray, np.ndarray]:
    """Descriptors ``(B, 3 * 16 * 9)`` (unit length) and validity ``(B,)`` of RGB frames.

    ``box`` is ``(top, bottom, left, right)`` as fractions of the frame: the picture area used.
    """
    b, h, w, _ = frames.shape
    top, bottom, left, right = box
    wy = _area_weights(h, top * h, bottom * h, WORK[1])
    wx = _area_weights(w, left * w, right * w, WORK[0])
    x = np.einsum("yh,bhwc,xw->byxc", wy, frames.astype(np.float32), wx, optimize=True)
    mean = x.mean(axis=(1, 2), keepdims=True)
    spread = x.std(axis=(1, 2), keepdims=True)
    valid = spread.mean(axis=(1, 2, 3)) >= MIN_SPREAD
    g = ((x - mean) / np.maximum(spread, MIN_SPREAD)).mean(axis=3)       # (B, 18, 32)
    gx = np.pad(np.diff(g, axis=2), ((0, 0), (0, 0), (0, 1)))
    gy = np.pad(np.diff(g, axis=1), ((0, 0), (0, 1), (0, 0)))

    def pool(a):
        return a.reshape(b, GRID[1], 2, GRID[0], 2).mean(axis=(2, 4)).reshape(b, -1)

    def unit(a):
        return a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-6)

    d = np.concatenate([unit(pool(g)), 0.7 * unit(pool(gx)), 0.7 * unit(pool(gy))], axis=1)
    return unit(d).astype(np.float32), valid


def centre_box(frame_aspect: float, picture_aspect: Optional[float]
               ) -> Tuple[float, float, float, float]:
    """The centred box of a ``frame_aspect`` frame that has shape ``picture_aspect`` (w/h)."""
    if not picture_aspect or abs(picture_aspect / frame_aspect - 1.0) < 0.03:
        return (0.0, 1.0, 0.0, 1.0)
    if picture_aspect > frame_aspect:
        h = frame_aspect / picture_aspect
        return ((1 - h) / 2, (1 + h) / 2, 0.0, 1.0)
    w = picture_aspect / frame_aspect
    return (0.0, 1.0, (1 - w) / 2, (1 + w) / 2)


def _thumb_size(width: int, height: int, long_side: int) -> Tuple[int, int]:
    if width >= height:
        return long_side, max(2, int(round(long_side * height / width / 2)) * 2)
    return max(2, int(round(long_side * width / height / 2)) * 2), long_side


class TrailerFrames:
    """Decode-pass consumer for a trailer: keeps small frames, finds its bars, describes them.

    After ``finish``: ``box`` (the picture area, fractions), ``picture_aspect`` (its w/h shape),
    ``indices``, ``descriptors`` and ``valid`` per kept frame.
    """

    def __init__(self, width: int, height: int, stride: int = 1) -> None:
        self.size = _thumb_size(width, height, 128)
        self.stride = int(stride)
        self._frame_aspect = width / height
        self._small = []
        self._rows, self._cols, self._indices = [], [], []
        self.box = (0.0, 1.0, 0.0, 1.0)
        self.picture_aspect = self._frame_aspect
        self.indices = np.zeros(0, np.int64)
        self.descriptors = np.zeros((0, 3 * GRID[0] * GRID[1]), np.float32)
        self.valid = np.zeros(0, bool)

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        luma = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        self._rows.append(luma.mean(axis=1))
        self._cols.append(luma.mean(axis=0))
        h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
        half = rgb[:h, :w].reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
        self._small.append(half.astype(np.uint8))
        self._indices.append(index)

    def finish(self, frame_count: int) -> None:
        if not self._small:
            return
        rows, cols = np.array(self._rows), np.array(self._cols)
        lit = rows.mean(axis=1) > BAR_LEVEL  # bars are measured on frames with a picture
        if lit.sum() >= 3:
            rows, cols = rows[lit], cols[lit]
        top, bottom = _bar_extent(np.median(rows, axis=0))
        left, right = _bar_extent(np.median(cols, axis=0))
        self.box = (top, bottom, left, right)
        self.picture_aspect = self._frame_aspect * (right - left) / max(bottom - top, 1e-6)
        small = np.stack(self._small)
        parts = [describe(small[k:k + _BATCH], self.box) for k in range(0, len(small), _BATCH)]
        self.descriptors = np.concatenate([p[0] for p in parts])
        self.valid = np.concatenate([p[1] for p in parts])
        self.indices = np.asarray(self._indices, np.int64)
        self._small, self._rows, self._cols = [], [], []


def _bar_extent(profile: np.ndarray) -> Tuple[float, float]:
    """``(start, stop)`` fractions of the picture along a brightness profile (bars excluded).

    The picture spans the bright runs of at least 5% of the length; shorter bright runs (an
    encoder's smeared edge row, a caption in a bar) are not picture.
    """
    n = len(profile)
    bright = np.concatenate([[False], profile >= BAR_LEVEL, [False]])
    edges = np.flatnonzero(np.diff(bright.astype(np.int8)))
    runs = [(a, b) for a, b in zip(edges[::2], edges[1::2]) if b - a >= 0.05 * n]
    if not runs:
        return 0.0, 1.0
    start, stop = runs[0][0], runs[-1][1]
    if stop - start < 0.4 * n:  # not bars: a mostly dark picture
        return 0.0, 1.0
    # The boundary pixel straddles bar and picture; stay inside the picture.
    start = start + 1 if start > 0 else 0
    stop = stop - 1 if stop < n else n
    return start / n, stop / n


class MovieFrames:
    """Decode-pass consumer for a movie: descriptors of every ``stride``-th frame for each picture
    shape its trailers show (the frame centre-cropped to that shape)."""

    def __init__(self, width: int, height: int, picture_aspects: Sequence[float],
                 stride: int = 2) -> None:
        self.size = _thumb_size(width, height, 64)
        self.stride = int(stride)
        self._frame_aspect = width / height
        self.aspects = sorted({round(float(a), 3) for a in picture_aspects}) or \
            [round(self._frame_aspect, 3)]
        self._batch, self._indices = [], []
        self._desc: Dict[float, list] = {a: [] for a in self.aspects}
        self._valid: Dict[float, list] = {a: [] for a in self.aspects}
        self.indices = np.zeros(0, np.int64)
        self.descriptors: Dict[float, np.ndarray] = {}
        self.valid: Dict[float, np.ndarray] = {}

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        self._batch.append(rgb)
        self._indices.append(index)
        if len(self._batch) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        frames = np.stack(self._batch)
        self._batch = []
        for a in self.aspects:
            d, v = describe(frames, centre_box(self._frame_aspect, a))
            self._desc[a].append(d.astype(np.float16))
            self._valid[a].append(v)

    def finish(self, frame_count: int) -> None:
        self._flush()
        self.indices = np.asarray(self._indices, np.int64)
        for a in self.aspects:
            self.descriptors[a] = (np.concatenate(self._desc[a]) if self._desc[a]
                                   else np.zeros((0, 3 * GRID[0] * GRID[1]), np.float16))
            self.valid[a] = (np.concatenate(self._valid[a]) if self._valid[a]
                             else np.zeros(0, bool))

    def for_aspect(self, aspect: float) -> Tuple[np.ndarray, np.ndarray]:
        """``(descriptors, valid)`` for the stored shape closest to ``aspect``."""
        key = min(self.aspects, key=lambda a: abs(a - aspect))
        return self.descriptors[key], self.valid[key]


@dataclass
class ShotMatch:
    """Per trailer shot: the source movie shot (-1 unknown), its share of the votes, the mean
    best similarity of the voting frames and how many frames voted."""

    shot: np.ndarray
    vote_share: np.ndarray
    similarity: np.ndarray
    frames_used: np.ndarray


def match_shots(movie_desc: np.ndarray, movie_valid: np.ndarray, movie_frames: np.ndarray,
                movie_shots: np.ndarray, trailer_desc: np.ndarray, trailer_valid: np.ndarray,
                trailer_frames: np.ndarray, trailer_shots: np.ndarray, *, top_k: int = 4,
                min_similarity: float = 0.6, chunk: int = 256) -> ShotMatch:
    """Vote each trailer shot onto a movie shot.

    ``*_desc`` are descriptors of the frames numbered ``*_frames``; ``*_shots`` are ``(n, 2)``
    ``[start, end)`` frame ranges. Each valid trailer frame whose best match reaches
    ``min_similarity`` gives one vote to the shot of each of its ``top_k`` nearest movie frames.
    """
    shot_of_frame = np.searchsorted(movie_shots[:, 0], movie_frames, side="right") - 1
    usable = movie_valid & (shot_of_frame >= 0) & (movie_frames < movie_shots[-1, 1])
    m = np.asarray(movie_desc[usable], np.float32)
    m_shot = shot_of_frame[usable]
    t_shot = np.searchsorted(trailer_shots[:, 0], trailer_frames, side="right") - 1
    n_t = len(trailer_shots)
    votes = [dict() for _ in range(n_t)]
    best_sum = np.zeros(n_t)
    used = np.zeros(n_t, np.int64)
    k = int(min(top_k, len(m)))
    todo = np.flatnonzero(trailer_valid & (t_shot >= 0) & (t_shot < n_t))
    for start in range(0, len(todo), chunk):
        rows = todo[start:start + chunk]
        if not k:
            break
        sim = np.asarray(trailer_desc[rows], np.float32) @ m.T
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        top_sim = np.take_along_axis(sim, top, axis=1)
        for r, cand, cand_sim in zip(rows, top, top_sim):
            best = float(cand_sim.max())
            if best < min_similarity:
                continue  # a frame not in the movie (title card, new footage): dropped
            j = t_shot[r]
            used[j] += 1
            best_sum[j] += best
            for s in m_shot[cand]:
                votes[j][int(s)] = votes[j].get(int(s), 0) + 1
    shot = np.full(n_t, -1, np.int64)
    share = np.zeros(n_t)
    for j, v in enumerate(votes):
        if v:
            winner = max(v.items(), key=lambda kv: (kv[1], -kv[0]))
            shot[j], share[j] = winner[0], winner[1] / sum(v.values())
    similarity = np.where(used > 0, best_sum / np.maximum(used, 1), 0.0)
    return ShotMatch(shot=shot, vote_share=share, similarity=similarity, frames_used=used)
