"""The "Suggest trailer" panel: inputs, options, progress, the drawn result, and the actions."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trailersmith.adapters.kdenlive.launch import open_in_kdenlive
from trailersmith.core.errors import TrailersmithError

from .inputs import MOVIE_FILTER, MUSIC_FILTER, ButtonRow, MediaInput
from .jobs import PanelRun, describe_clip, recut_summary, suggest_job
from .options import OptionsBox, registry_choices
from .recut_action import RECUT_TIP
from .result_view import ResultView
from .settings import load_settings, save_settings
from .worker import JobRunner, error_sentence

log = logging.getLogger(__name__)

EXPORT_FORMATS = {
    ".otio": "OpenTimelineIO (*.otio)",
    ".edl": "CMX 3600 EDL (*.edl)",
    ".xml": "Final Cut Pro 7 XML (*.xml)",
    ".kdenlive": "Kdenlive project (*.kdenlive)",
}
_MESSAGE_STYLES = {"info": "color: #c8ccd4;", "ok": "color: #8fd18f;", "error": "color: #ff8a80;"}


def icon_path() -> str:
    from importlib import resources

    return str(resources.files("trailersmith.resources").joinpath("icons/trailersmith.svg"))


class TrailerPanel(QWidget):
    """The whole panel. ``host`` is a ``ResolveHost`` inside Resolve, None standalone.

    ``suggest`` replaces the pipeline's ``suggest`` (tests); ``settings_file`` replaces the
    user's settings file.
    """

    run_finished = Signal(object)  # PanelRun
    _resolve_problem: Optional[str] = None  # why Send to Resolve cannot work here

    def __init__(self, host=None, *, suggest: Optional[Callable] = None,
                 settings_file: Optional[Path] = None, parent=None) -> None:
        super().__init__(parent)
        self.host = host
        self.run: Optional[PanelRun] = None
        self.last_export: Optional[str] = None
        self._suggest = suggest
        self._settings_file = settings_file
        self.settings = load_settings(settings_file)
        self.runner = JobRunner(self)
        self.setWindowTitle("Trailersmith: Suggest trailer")
        self.setWindowIcon(QIcon(icon_path()))
        self._build()
        self._connect()
        self._set_running(False)
        if host is not None:
            self._attach_resolve(host)

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.movie_input = MediaInput("Movie", MOVIE_FILTER)
        self.music_input = MediaInput("Music", MUSIC_FILTER)
        for picker in (self.movie_input, self.music_input):
            picker.start_dir = self.settings.last_dir
        inputs = QGroupBox("Movie and music")
        form = QFormLayout(inputs)
        form.addRow("Movie", self.movie_input)
        form.addRow("Music", self.music_input)
        self.options_box = OptionsBox(self.settings, registry_choices("backend"),
                                      registry_choices("generator"))
        options = QGroupBox("Options")
        QVBoxLayout(options).addWidget(self.options_box)
        top = QHBoxLayout()
        top.addWidget(inputs, 3)
        top.addWidget(options, 2)

        self.suggest_button = QPushButton("Suggest trailer")
        self.suggest_button.setObjectName("suggest")
        bold = QFont(self.suggest_button.font())
        bold.setBold(True)
        self.suggest_button.setFont(bold)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel")
        self.stage_label = QLabel("")
        self.stage_label.setMinimumWidth(220)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        run_row = QHBoxLayout()
        run_row.addWidget(self.suggest_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.stage_label)
        run_row.addWidget(self.progress_bar, 1)

        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.setObjectName("message")
        self.view = ResultView()
        self.details_label = QLabel("Click a shot to see its source timecode, scene and why "
                                    "it was chosen.")
        self.details_label.setWordWrap(True)
        self.details_label.setObjectName("details")

        self.another_track_button = QPushButton("Try another track...")
        self.variant_button = QPushButton("Another variant")
        self.export_button = QPushButton("Export...")
        self.resolve_button = QPushButton("Send to Resolve")
        self.kdenlive_button = QPushButton("Open in Kdenlive")
        self.recut_button = QPushButton("Re-cut to another track (keep my edits)...")
        self.recut_button.setToolTip(RECUT_TIP)
        self.resolve_button.setVisible(self.host is not None)
        actions = ButtonRow(self.another_track_button, self.variant_button, self.export_button,
                            self.resolve_button, self.kdenlive_button, self.recut_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(run_row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.view)
        layout.addWidget(self.details_label)
        layout.addWidget(actions)
        layout.addStretch(1)

    def _connect(self) -> None:
        self.suggest_button.clicked.connect(self.suggest)
        self.cancel_button.clicked.connect(self.cancel)
        self.another_track_button.clicked.connect(self.try_another_track)
        self.variant_button.clicked.connect(self.another_variant)
        self.export_button.clicked.connect(self.export)
        self.resolve_button.clicked.connect(self.send_to_resolve)
        self.kdenlive_button.clicked.connect(self.open_in_kdenlive)
        self.recut_button.clicked.connect(lambda: self.recut())
        self.view.clip_selected.connect(self._show_clip)
        signals = self.runner.signals
        signals.progress.connect(self._on_progress)
        signals.succeeded.connect(self._on_succeeded)
        signals.failed.connect(lambda text: self.set_message(text, "error"))
        signals.cancelled.connect(self._on_cancelled)
        signals.finished.connect(lambda: self._set_running(False))

    # --- state -----------------------------------------------------------------------------
    def set_message(self, text: str, kind: str = "info") -> None:
        """Show one sentence to the editor (``kind``: info, ok, error)."""
        self.message_label.setStyleSheet(_MESSAGE_STYLES.get(kind, ""))
        self.message_label.setProperty("kind", kind)
        self.message_label.setText(text)

    def _set_running(self, running: bool) -> None:
        for widget in (self.movie_input, self.music_input, self.options_box,
                       self.suggest_button, self.recut_button):
            widget.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        has_run = self.run is not None and not running
        for button in (self.another_track_button, self.variant_button, self.export_button,
                       self.kdenlive_button):
            button.setEnabled(has_run)
        self.resolve_button.setEnabled(has_run and self._resolve_problem is None)
        if not running:
            self.progress_bar.setRange(0, 1000)

    # --- running ---------------------------------------------------------------------------
    def suggest(self) -> bool:
        """Start a run with the current inputs; False (and a message) when they are not usable."""
        if self.runner.running:
            return False
        movie, music = self.movie_input.path, self.music_input.path
        problem = _input_problem("movie", movie) or _input_problem("music", music)
        if problem:
            self.set_message(problem, "error")
            return False
        try:
            options = self._options()
        except TrailersmithError as exc:
            self.set_message(str(exc), "error")
            return False
        self._remember(movie)
        job = suggest_job(movie, music, options, thumbnail_width=self.settings.thumbnail_width,
                          suggest=self._suggest)
        self.begin_job(job, "Working; you can keep editing, or click Cancel.")
        return True

    def begin_job(self, job, message: str) -> None:
        """Run ``job`` on the worker with the progress bar and Cancel."""
        self.set_message(message, "info")
        self.stage_label.setText("Starting")
        self.progress_bar.setRange(0, 0)
        self._set_running(True)
        self.runner.start(job)

    def recut(self, edited_path: Optional[str] = None, music_path: Optional[str] = None) -> bool:
        """Re-cut an edited trailer (a file, or Resolve's current timeline) to another track."""
        from .recut_action import start_recut

        return start_recut(self, edited_path, music_path)

    def cancel(self) -> None:
        """Stop the running job at its next progress report; nothing is written."""
        if self.runner.running:
            self.stage_label.setText("Cancelling...")
            self.cancel_button.setEnabled(False)
            self.runner.cancel()

    def _options(self):
        from trailersmith.core.pipeline import SuggestOptions

        return SuggestOptions(**self.options_box.values())

    def _remember(self, movie: str) -> None:
        values = self.options_box.values()
        for key, value in values.items():
            setattr(self.settings, key, value)
        self.settings.last_dir = os.path.dirname(os.path.abspath(movie))
        save_settings(self.settings, self._settings_file)

    def _on_progress(self, progress) -> None:
        self.stage_label.setText(progress.stage)
        fraction = progress.fraction
        if fraction is None:
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(round(fraction * 1000)))

    def _on_succeeded(self, run: PanelRun) -> None:
        self.run = run
        self.view.set_run(run)
        plan = run.result.plan
        music = run.result.music.analysis
        self.stage_label.setText("Done")
        self.progress_bar.setValue(1000)
        report = getattr(run.result, "report", None)
        self.set_message(
            (recut_summary(report) + " " if report is not None else "")
            + f"{len(plan.clips)} shots cut to {os.path.basename(run.music_path)} "
            f"({music.tempo_bpm:.0f} BPM, {_count(len(plan.sections), 'section')}) in "
            f"{run.elapsed_s:.1f} s. Click a shot to see why it was chosen.", "ok")
        self.details_label.setText("Click a shot to see its source timecode, scene and why it "
                                   "was chosen.")
        self.run_finished.emit(run)

    def _on_cancelled(self) -> None:
        self.stage_label.setText("Cancelled")
        self.progress_bar.setValue(0)
        self.set_message("Cancelled; nothing was written.", "info")

    def _show_clip(self, index: int) -> None:
        if self.run is not None:
            self.details_label.setText(describe_clip(self.run.result.plan.clips[index],
                                                     self.run.result.plan))

    # --- actions ---------------------------------------------------------------------------
    def try_another_track(self) -> bool:
        """Pick another music file and re-run (the movie's analysis comes from the cache)."""
        if self.music_input.browse() is None:
            return False
        return self.suggest()

    def another_variant(self) -> bool:
        """Same inputs and options, next seed."""
        self.options_box.seed_spin.setValue(self.options_box.seed_spin.value() + 1)
        return self.suggest()

    def _default_name(self, suffix: str) -> str:
        movie = Path(self.run.movie_path).stem
        music = Path(self.run.music_path).stem
        folder = self.settings.last_dir or os.path.dirname(self.run.movie_path)
        return os.path.join(folder, f"{movie} trailer - {music}{suffix}")

    def export(self, suffix: Optional[str] = None) -> Optional[str]:
        """Ask where to save, then write the timeline there; returns the path written."""
        if self.run is None:
            return None
        suffix = suffix or self.settings.export_format
        filters = list(EXPORT_FORMATS.values())
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export timeline", self._default_name(suffix), ";;".join(filters),
            EXPORT_FORMATS.get(suffix, filters[0]))
        if not path:
            return None
        if Path(path).suffix.lower() not in EXPORT_FORMATS:
            path += next((s for s, f in EXPORT_FORMATS.items() if f == chosen), ".otio")
        # The save dialog has already asked before replacing an existing file.
        return self.export_to(path, overwrite=os.path.exists(path))

    def export_to(self, path: str, *, overwrite: bool = False) -> Optional[str]:
        """Write the current timeline to ``path`` (format from the suffix)."""
        try:
            from trailersmith.adapters import write_timeline
        except ImportError:
            self.set_message("Export is not available in this build (no timeline writers); "
                             "reinstall Trailersmith.", "error")
            return None
        try:
            write_timeline(self.run.result.timeline, path, overwrite=overwrite)
        except TrailersmithError as exc:
            self.set_message(str(exc), "error")
            return None
        except OSError as exc:
            self.set_message(f"Could not write {path} ({exc.strerror or exc}); pick another "
                             "folder.", "error")
            return None
        self.last_export = path
        self.settings.export_format = Path(path).suffix.lower()
        save_settings(self.settings, self._settings_file)
        self.set_message(f"Exported {path}", "ok")
        return path

    def open_in_kdenlive(self) -> bool:
        """Write (or reuse) a ``.kdenlive`` project and open it in Kdenlive, or say how to."""
        if self.run is None:
            return False
        path = self.last_export if (self.last_export or "").endswith(".kdenlive") else None
        if path is None or not os.path.exists(path):
            path = self.export(".kdenlive")
            if path is None:
                return False
        launched, message = open_in_kdenlive(path)
        self.set_message(message, "ok" if launched else "info")
        return launched

    def send_to_resolve(self) -> bool:
        """Import the timeline into the open Resolve project as a new timeline with markers."""
        if self.run is None or self.host is None:
            return False
        base = f"Trailer - {Path(self.run.movie_path).stem} x {Path(self.run.music_path).stem}"
        try:
            sent = self.host.send_timeline(self.run.result.timeline, base_name=base,
                                           sections=self.run.result.plan.sections)
        except TrailersmithError as exc:
            self.set_message(str(exc), "error")
            return False
        except Exception as exc:  # noqa: BLE001 - Resolve's API can fail in odd ways
            log.warning("Send to Resolve failed", exc_info=True)
            self.set_message(error_sentence(exc), "error")
            return False
        self.set_message(f"Created timeline '{sent.name}' in Resolve with "
                         f"{len(sent.markers)} section markers.", "ok")
        return True

    # --- Resolve ---------------------------------------------------------------------------
    def _attach_resolve(self, host) -> None:
        try:
            version = host.version()
            self._resolve_problem = version.otio_import_problem()
            clips = host.media_pool_clips()
        except TrailersmithError as exc:
            self._resolve_problem = str(exc)
            self.set_message(str(exc), "error")
            self._set_running(False)
            return
        selected = [c for c in clips if c.selected]
        movie = next((c.path for c in selected if c.has_video), None)
        music = next((c.path for c in selected if c.has_audio and not c.has_video), None)
        self.movie_input.set_pool_clips([c for c in clips if c.has_video], movie)
        self.music_input.set_pool_clips([c for c in clips if c.has_audio], music)
        if self._resolve_problem:
            self.resolve_button.setToolTip(self._resolve_problem)
            self.set_message(self._resolve_problem, "error")
        elif version.scripting_note():
            self.set_message(version.scripting_note(), "info")
        else:
            self.set_message(f"Connected to {version.text}, project '{host.project_name()}'.")
        self._set_running(False)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.runner.cancel()
        self.runner.wait(5000)
        super().closeEvent(event)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _input_problem(role: str, path: str) -> Optional[str]:
    if not path:
        return f"Pick a {role} file first."
    if not os.path.isfile(path):
        return f"The {role} file {path} does not exist; pick it again."
    return None
