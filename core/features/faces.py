"""Faces on screen: dlib's HOG frontal-face detector on sampled frames of the decode pass.

The detector (Dalal-Triggs HOG features and a linear SVM, trained by dlib's author on frontal
faces) is compiled into the ``dlib-bin`` wheel: no model file, nothing downloaded, Boost Software
Licence (commercial use allowed). It needs no OpenCV, so the product never pulls in GUI OpenCV.
It is optional (``pip install 'trailersmith[faces]'``): without it, the backend reports that it
saw no faces because it did not look, and explanations never mention faces.

One frame per second is read, in grey, :data:`ANALYSIS_WIDTH` pixels wide. Per sampled frame we
keep the face count and the largest face's height as a share of the frame height. The detector's
window is 80 pixels, so faces narrower than about a sixth of the frame width (wide shots) are not
seen; profiles and faces turned well away are missed too. It is a human-face detector: cartoon
animals, like Big Buck Bunny's, are mostly not faces to it (it fires on a few frames).
"""
from __future__ import annotations

import importlib.util
from typing import Dict, Optional

import numpy as np

from ..model import ShotList, VideoInfo

#: Width of the grey frames the detector reads; the height follows the movie's aspect.
ANALYSIS_WIDTH = 512
#: Frames read per second of film.
SAMPLES_PER_SECOND = 1.0
#: Largest face box height / frame height from which a shot reads as a close-up (the head fills
#: the frame), or a medium shot (head and shoulders); below it, wide.
CLOSE_UP = 0.5
MEDIUM = 0.2


def unavailable_reason() -> Optional[str]:
    """None when the face detector can run here, else why not (with the fix)."""
    if importlib.util.find_spec("dlib") is None:
        return "the face detector needs dlib: pip install 'trailersmith[faces]' (dlib-bin)."
    return None


def framing(height_share: float) -> str:
    """``close-up``, ``medium`` or ``wide`` for a face this tall relative to the frame."""
    if height_share >= CLOSE_UP:
        return "close-up"
    return "medium" if height_share >= MEDIUM else "wide"


def _grey(rgb: np.ndarray) -> np.ndarray:
    r, g, b = (rgb[..., k].astype(np.uint16) for k in range(3))
    return ((77 * r + 150 * g + 29 * b) >> 8).astype(np.uint8)


class FaceDetector:
    """Callable: ``(count, largest face height / frame height)`` for one RGB frame."""

    def __init__(self) -> None:
        import dlib

        self._detect = dlib.get_frontal_face_detector()

    def __call__(self, rgb: np.ndarray):
        rects = self._detect(_grey(rgb), 0)
        if not len(rects):
            return 0, 0.0
        return len(rects), max(r.height() for r in rects) / float(rgb.shape[0])


class FaceConsumer:
    """Frame consumer: faces on one frame per second; :meth:`state` is ``(samples, 3)``.

    Columns: frame index, face count, largest face's height share (0 when none).
    """

    def __init__(self, info: VideoInfo) -> None:
        width, height = info.width or 16, info.height or 9
        self.size = (ANALYSIS_WIDTH, int(round(ANALYSIS_WIDTH * height / width / 2.0)) * 2)
        self.stride = max(1, int(round(float(info.fps or 1) / SAMPLES_PER_SECOND)))
        self._detect = FaceDetector()
        self._rows = []

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        count, share = self._detect(rgb)
        self._rows.append((index, count, share))

    def finish(self, frame_count: int) -> None:
        pass

    def state(self) -> np.ndarray:
        return np.asarray(self._rows, np.float32).reshape(-1, 3)


def shot_faces(state: Optional[np.ndarray], shots: ShotList) -> Dict[str, np.ndarray]:
    """Per shot: ``face_count`` (most faces on one sampled frame), ``face_share`` (largest face
    height share), ``face_samples`` (sampled frames read). Empty dict without face state."""
    if state is None:
        return {}
    state = np.asarray(state, np.float32).reshape(-1, 3)
    frames = state[:, 0].astype(np.int64)
    n = len(shots.shots)
    out = {"face_count": np.zeros(n), "face_share": np.zeros(n), "face_samples": np.zeros(n)}
    for i, (s, e) in enumerate(shots.shots):
        lo, hi = np.searchsorted(frames, [s, e])
        if hi > lo:
            out["face_count"][i] = state[lo:hi, 1].max()
            out["face_share"][i] = state[lo:hi, 2].max()
            out["face_samples"][i] = hi - lo
    return out
