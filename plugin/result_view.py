"""The drawn result: the music's waveform with sections, beats and cut points, and a thumbnail of
each chosen shot under its music segment. Clicking a shot selects it."""
from __future__ import annotations

from typing import List, Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from trailersmith.core.timebase import frames_to_seconds

SECTION_COLORS = ("#2f4b7c", "#3f6f5a", "#7a5a2f", "#6b3f6f", "#3f5f7f", "#705050")
WAVE_COLOR = QColor("#9cc9f0")
BEAT_COLOR = QColor("#d9d9d9")
DOWNBEAT_COLOR = QColor("#ffffff")
CUT_COLOR = QColor("#f2a33a")
SELECT_COLOR = QColor("#ffd54a")
BACKGROUND = QColor("#1c1f26")

_MARGIN = 10
_RULER_H = 16
_BEATS_H = 14


def _seconds(frames, plan) -> float:
    """Timeline time of frame ``frames`` of ``plan`` (drawing positions are float seconds)."""
    return float(frames_to_seconds(frames, plan.fps))


def to_qimage(rgb: np.ndarray) -> QImage:
    """A deep-copied QImage of an ``(h, w, 3)`` uint8 array."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def _cover(image: QImage, rect: QRectF) -> QRectF:
    """The centred part of ``image`` with ``rect``'s aspect ratio (fill without distortion)."""
    aspect = rect.width() / max(1e-6, rect.height())
    w, h = float(image.width()), float(image.height())
    if w / h > aspect:
        return QRectF((w - h * aspect) / 2, 0, h * aspect, h)
    return QRectF(0, (h - w / aspect) / 2, w, w / aspect)


class ResultView(QWidget):
    """Paints one :class:`~trailersmith.plugin.jobs.PanelRun`; emits ``clip_selected(index)``."""

    clip_selected = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._run = None
        self._images: List[QImage] = []
        self._selected: Optional[int] = None
        self.wave_height = 120
        self.thumb_height = 64
        self.setMinimumSize(560, self._total_height())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Click a shot to see where it comes from and why it was chosen.")

    # --- data ------------------------------------------------------------------------------
    def _total_height(self) -> int:
        return _MARGIN * 2 + _RULER_H + self.wave_height + _BEATS_H + self.thumb_height + 6

    def set_run(self, run) -> None:
        """Show a finished run (or nothing, with None)."""
        self._run = run
        self._selected = None
        self._images = [to_qimage(t) for t in (run.thumbnails if run else [])]
        if self._images:
            first = self._images[0]
            self.thumb_height = max(40, min(90, first.height()))
        self.setMinimumHeight(self._total_height())
        self.update()

    @property
    def selected(self) -> Optional[int]:
        return self._selected

    def select_clip(self, index: Optional[int]) -> None:
        self._selected = index
        self.update()
        if index is not None:
            self.clip_selected.emit(index)

    # --- geometry --------------------------------------------------------------------------
    def _duration_s(self) -> float:
        plan = self._run.result.plan
        return max(1e-6, _seconds(plan.duration_frames, plan))

    def x_at(self, seconds: float) -> float:
        """Horizontal position of a time on the music, in widget pixels."""
        width = self.width() - 2 * _MARGIN
        return _MARGIN + width * float(seconds) / self._duration_s()

    def _wave_rect(self) -> QRectF:
        return QRectF(_MARGIN, _MARGIN + _RULER_H, self.width() - 2 * _MARGIN, self.wave_height)

    def _thumb_top(self) -> float:
        return self._wave_rect().bottom() + _BEATS_H + 4

    def clip_rect(self, index: int) -> QRectF:
        """Where shot ``index`` is drawn (used for clicks, and by tests to click on it)."""
        plan = self._run.result.plan
        clip = plan.clips[index]
        left = self.x_at(_seconds(clip.record_start, plan))
        right = self.x_at(_seconds(clip.record_end, plan))
        return QRectF(left, self._thumb_top(), max(1.0, right - left), self.thumb_height)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._run is None:
            return
        pos = event.position()
        for i in range(len(self._run.result.plan.clips)):
            if self.clip_rect(i).contains(pos):
                self.select_clip(i)
                return

    # --- painting --------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._run is None:
            painter.setPen(QColor("#8a8f99"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             "Pick a movie and a music track, then click Suggest trailer.")
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        music = self._run.result.music.analysis
        self._paint_sections(painter)
        self._paint_ruler(painter)
        self._paint_waveform(painter, self._run.result.music.waveform)
        self._paint_beats(painter, music.beats_s, music.downbeats_s)
        self._paint_thumbnails(painter)
        self._paint_cuts(painter)
        painter.end()

    def _paint_sections(self, painter: QPainter) -> None:
        plan = self._run.result.plan
        rect = self._wave_rect()
        font = QFont(painter.font())
        font.setPointSizeF(8.5)
        painter.setFont(font)
        for i, (start, end, label) in enumerate(plan.sections):
            left, right = self.x_at(_seconds(start, plan)), self.x_at(_seconds(end, plan))
            band = QRectF(left, rect.top(), right - left, rect.height())
            painter.fillRect(band, QColor(SECTION_COLORS[i % len(SECTION_COLORS)]))
            painter.setPen(QColor("#e6e6e6"))
            painter.drawText(band.adjusted(4, 2, -2, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, str(label))

    def _paint_ruler(self, painter: QPainter) -> None:
        duration = self._duration_s()
        step = next(s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1e9)
                    if duration / s <= 12)
        painter.setPen(QColor("#8a8f99"))
        t = 0.0
        while t <= duration + 1e-6:
            x = self.x_at(t)
            painter.drawLine(QPointF(x, _MARGIN + _RULER_H - 4), QPointF(x, _MARGIN + _RULER_H))
            label = f"{int(t // 60)}:{int(t % 60):02d}"
            if x + 2 + painter.fontMetrics().horizontalAdvance(label) < self.width() - _MARGIN:
                painter.drawText(QPointF(x + 2, _MARGIN + _RULER_H - 5), label)
            t += step

    def _paint_waveform(self, painter: QPainter, waveform: np.ndarray) -> None:
        rect = self._wave_rect()
        if waveform is None or len(waveform) == 0:
            return
        waveform = np.asarray(waveform, float)
        columns = max(1, int(rect.width()))
        edges = np.linspace(0, len(waveform), columns + 1).astype(int)
        peak = max(1e-9, float(np.abs(waveform).max()))
        mid, half = rect.center().y(), rect.height() / 2 - 3
        painter.setPen(QPen(WAVE_COLOR, 1))
        for col in range(columns):
            a, b = edges[col], max(edges[col] + 1, edges[col + 1])
            lo = float(waveform[a:b, 0].min()) / peak
            hi = float(waveform[a:b, 1].max()) / peak
            x = rect.left() + col + 0.5
            painter.drawLine(QPointF(x, mid - hi * half), QPointF(x, mid - lo * half))

    def _paint_beats(self, painter: QPainter, beats, downbeats) -> None:
        top = self._wave_rect().bottom() + 2
        down = {round(float(t), 3) for t in np.asarray(downbeats, float)}
        for t in np.asarray(beats, float):
            strong = round(float(t), 3) in down
            painter.setPen(QPen(DOWNBEAT_COLOR if strong else BEAT_COLOR, 1))
            x = self.x_at(t)
            painter.drawLine(QPointF(x, top), QPointF(x, top + (_BEATS_H - 2 if strong else 6)))

    def _paint_thumbnails(self, painter: QPainter) -> None:
        plan = self._run.result.plan
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for i in range(len(plan.clips)):
            rect = self.clip_rect(i)
            painter.fillRect(rect, QColor("#000000"))
            if i < len(self._images):
                painter.drawImage(rect, self._images[i], _cover(self._images[i], rect))
            if i == self._selected:
                painter.setPen(QPen(SELECT_COLOR, 3))
                painter.drawRect(rect.adjusted(1.5, 1.5, -1.5, -1.5))

    def _paint_cuts(self, painter: QPainter) -> None:
        plan = self._run.result.plan
        top = self._wave_rect().top()
        bottom = self._thumb_top() + self.thumb_height
        painter.setPen(QPen(CUT_COLOR, 2))
        for clip in plan.clips[1:]:
            x = self.x_at(_seconds(clip.record_start, plan))
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
