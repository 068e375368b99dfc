"""The few options an editor cares about, as widgets made from ``core/options.py``'s spec.

Spoiler guard, cut pace, music length, title card, backend, generator, seed: each widget's
range, default and choices come from the spec (the presets below are labels for values inside
the spec's range). Backends and generators that are not usable here stay in the list, greyed
out, with the reason as their tooltip (the registries say why).
"""
from __future__ import annotations

from typing import Dict, Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QSpinBox, QWidget

from trailersmith.core.options import option

#: Labels for cut rates (each inside the spec's pace range).
PACES = (("Calm: long shots", 0.7), ("Normal", 1.0), ("Fast", 1.4), ("Frantic", 2.0))
#: Spot lengths offered, in seconds; None is the whole track (the spec's default).
#: The movie's own sound, and beat markers on the music clip (values are the spec's choices).
SOURCE_AUDIO = (("Muted on Audio 2", "off"), ("On, under each shot", "on"))
BEAT_MARKERS = (("None", "none"), ("Downbeats", "downbeats"), ("Every beat", "beats"))
#: Title cards offered, in seconds (0: none, the spec's default).
TITLE_CARDS = (("None", 0.0), ("3 s", 3.0), ("5 s", 5.0), ("8 s", 8.0))
LENGTHS = (("Full track", None), ("15 s", 15.0), ("30 s", 30.0), ("60 s", 60.0), ("90 s", 90.0))


def fill_choices(combo: QComboBox, choices: Dict[str, Optional[str]], preferred: str) -> None:
    """List ``{name: None or reason}``; unusable names are disabled with the reason shown."""
    combo.clear()
    model = combo.model()
    for name, reason in choices.items():
        combo.addItem(name if reason is None else f"{name} (not available)", name)
        index = combo.count() - 1
        if reason is not None:
            combo.setItemData(index, reason, Qt.ItemDataRole.ToolTipRole)
            if isinstance(model, QStandardItemModel):
                model.item(index).setEnabled(False)
    usable = [i for i in range(combo.count()) if choices[combo.itemData(i)] is None]
    wanted = combo.findData(preferred)
    combo.setCurrentIndex(wanted if wanted in usable else (usable[0] if usable else -1))


def registry_choices(kind: str) -> Dict[str, Optional[str]]:
    """``available_backends()`` or ``available_generators()``; an import error becomes a reason."""
    try:
        if kind == "backend":
            from trailersmith.core.features import available_backends as listing
        else:
            from trailersmith.core.generators import available_generators as listing
        return dict(listing())
    except ImportError as exc:
        return {option(kind).default: f"not installed in this build ({exc})"}


def _combo(name: str, items) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setToolTip(option(name).help)
    for label, value in items:
        combo.addItem(label, value)
    return combo


def _select_nearest(combo: QComboBox, value) -> None:
    values = [combo.itemData(i) for i in range(combo.count())]
    if value in values:
        combo.setCurrentIndex(values.index(value))
        return
    numbers = [i for i, v in enumerate(values) if v is not None]
    if value is not None and numbers:
        combo.setCurrentIndex(min(numbers, key=lambda i: abs(values[i] - value)))


class OptionsBox(QWidget):
    """Form with the run options; :meth:`values` returns them as a dict."""

    def __init__(self, settings, backends: Dict[str, Optional[str]],
                 generators: Dict[str, Optional[str]], parent=None) -> None:
        super().__init__(parent)
        guard = option("spoiler_guard")
        self.guard_check = QCheckBox("only use the first")
        self.guard_check.setObjectName("spoiler_guard")
        self.guard_check.setToolTip("Keep the ending secret: later shots are never used.")
        self.guard_percent = QSpinBox()
        self.guard_percent.setObjectName("spoiler_guard_percent")
        self.guard_percent.setRange(round(guard.minimum * 100), round(guard.maximum * 100))
        self.guard_percent.setSuffix(" % of the movie")
        guard_on = settings.spoiler_guard < guard.maximum
        self.guard_check.setChecked(guard_on)
        self.guard_percent.setValue(
            round((settings.spoiler_guard if guard_on else guard.default) * 100))
        self.guard_percent.setEnabled(guard_on)
        self.guard_check.toggled.connect(self.guard_percent.setEnabled)
        guard_row = QWidget()
        row = QHBoxLayout(guard_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.guard_check)
        row.addWidget(self.guard_percent)
        row.addStretch(1)

        self.pace_combo = _combo("pace", PACES)
        _select_nearest(self.pace_combo, settings.pace)
        self.length_combo = _combo("length", LENGTHS)
        _select_nearest(self.length_combo, settings.length)
        self.title_card_combo = _combo("title_card", TITLE_CARDS)
        _select_nearest(self.title_card_combo, settings.title_card)

        self.source_audio_combo = _combo("source_audio", SOURCE_AUDIO)
        _select_nearest(self.source_audio_combo, settings.source_audio)
        self.beat_markers_combo = _combo("beat_markers", BEAT_MARKERS)
        _select_nearest(self.beat_markers_combo, settings.beat_markers)

        self.backend_combo = QComboBox()
        self.backend_combo.setObjectName("backend")
        fill_choices(self.backend_combo, backends, settings.backend)
        self.generator_combo = QComboBox()
        self.generator_combo.setObjectName("generator")
        fill_choices(self.generator_combo, generators, settings.generator)

        seed = option("seed")
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seed")
        self.seed_spin.setRange(int(seed.minimum), int(seed.maximum))
        self.seed_spin.setValue(int(settings.seed))
        self.seed_spin.setToolTip("Another seed gives another variant with the same options.")

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Spoiler guard", guard_row)
        form.addRow("Cut pace", self.pace_combo)
        form.addRow("Length", self.length_combo)
        form.addRow("Title card", self.title_card_combo)
        form.addRow("Movie sound", self.source_audio_combo)
        form.addRow("Beat markers", self.beat_markers_combo)
        form.addRow("Features", self.backend_combo)
        form.addRow("Generator", self.generator_combo)
        form.addRow("Variant (seed)", self.seed_spin)

    def values(self) -> dict:
        """``spoiler_guard``, ``pace``, ``length``, ``title_card``, ``source_audio``,
        ``beat_markers``, ``backend``, ``generator``, ``seed``."""
        guard = (self.guard_percent.value() / 100 if self.guard_check.isChecked()
                 else option("spoiler_guard").maximum)
        length = self.length_combo.currentData()
        return {"spoiler_guard": guard, "pace": float(self.pace_combo.currentData()),
                "length": None if length is None else float(length),
                "title_card": float(self.title_card_combo.currentData()),
                "source_audio": self.source_audio_combo.currentData(),
                "beat_markers": self.beat_markers_combo.currentData(),
                "backend": self.backend_combo.currentData() or option("backend").default,
                "generator": self.generator_combo.currentData() or option("generator").default,
                "seed": int(self.seed_spin.value())}

    def offered(self) -> Dict[str, dict]:
        """What the widgets offer, read back from them: per option its choices or range.

        ``{"seed": {"minimum": 0, "maximum": ...}, "pace": {"choices": [...]}, ...}``; numbers
        in the option's own unit (the guard's percent as a fraction).
        """
        def items(combo):
            return [combo.itemData(i) for i in range(combo.count())]

        return {
            "spoiler_guard": {"minimum": self.guard_percent.minimum() / 100,
                              "maximum": self.guard_percent.maximum() / 100},
            "pace": {"choices": items(self.pace_combo)},
            "length": {"choices": items(self.length_combo)},
            "title_card": {"choices": items(self.title_card_combo)},
            "source_audio": {"choices": items(self.source_audio_combo)},
            "beat_markers": {"choices": items(self.beat_markers_combo)},
            "backend": {"choices": items(self.backend_combo)},
            "generator": {"choices": items(self.generator_combo)},
            "seed": {"minimum": self.seed_spin.minimum(), "maximum": self.seed_spin.maximum()},
        }
