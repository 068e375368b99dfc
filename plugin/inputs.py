"""Movie and music pickers: a path field, a Browse button, and (inside Resolve) the media pool."""
from __future__ import annotations

import os
from typing import Iterable, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

MOVIE_FILTER = "Movies (*.mp4 *.mov *.mkv *.mxf *.avi *.m4v *.webm);;All files (*)"
MUSIC_FILTER = "Music (*.wav *.mp3 *.ogg *.flac *.m4a *.aac *.aif *.aiff);;All files (*)"


class MediaInput(QWidget):
    """One input file. ``changed(path)`` fires when the path changes by any means."""

    changed = Signal(str)

    def __init__(self, role: str, file_filter: str, parent=None) -> None:
        super().__init__(parent)
        self.role = role
        self.file_filter = file_filter
        self.start_dir = ""
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(f"{role} file")
        self.path_edit.setObjectName(f"{role.lower()}_path")
        self.browse_button = QPushButton("Browse...")
        self.browse_button.setObjectName(f"{role.lower()}_browse")
        self.pool_combo = QComboBox()
        self.pool_combo.setObjectName(f"{role.lower()}_pool")
        self.pool_combo.setVisible(False)
        self.pool_combo.setToolTip(f"Use a {role.lower()} clip from Resolve's media pool")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pool_combo, 2)
        layout.addWidget(self.path_edit, 3)
        layout.addWidget(self.browse_button)
        self.browse_button.clicked.connect(self.browse)
        self.path_edit.textChanged.connect(self.changed)
        self.pool_combo.activated.connect(self._pool_chosen)

    @property
    def path(self) -> str:
        return self.path_edit.text().strip()

    def set_path(self, path: str) -> None:
        self.path_edit.setText(path)

    def browse(self) -> Optional[str]:
        """Ask for a file; returns the chosen path, or None when the dialog was cancelled."""
        start = os.path.dirname(self.path) if self.path else self.start_dir
        path, _ = QFileDialog.getOpenFileName(self, f"Choose the {self.role.lower()}", start,
                                              self.file_filter)
        if not path:
            return None
        self.set_path(path)
        return path

    def set_pool_clips(self, clips: Iterable, preselect: Optional[str] = None) -> None:
        """Offer media pool clips (``PoolClip``); preselect the clip with path ``preselect``."""
        clips = list(clips)
        self.pool_combo.clear()
        self.pool_combo.addItem("Media pool...", "")
        for clip in clips:
            self.pool_combo.addItem(clip.name, clip.path)
            self.pool_combo.setItemData(self.pool_combo.count() - 1, clip.path,
                                        Qt.ItemDataRole.ToolTipRole)
        self.pool_combo.setVisible(bool(clips))
        if preselect:
            index = self.pool_combo.findData(preselect)
            if index > 0:
                self.pool_combo.setCurrentIndex(index)
                self.set_path(preselect)

    def _pool_chosen(self, index: int) -> None:
        path = self.pool_combo.itemData(index)
        if path:
            self.set_path(path)


class ButtonRow(QWidget):
    """A plain row of buttons (no stretch inside; the caller adds it where it wants)."""

    def __init__(self, *buttons: QPushButton, parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in buttons:
            layout.addWidget(button)
        layout.addStretch(1)
