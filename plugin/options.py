"""The few options an editor cares about: spoiler guard, cut pace, backend, generator, seed.

Backends and generators that are not usable here stay in the list, greyed out, with the reason
as their tooltip (the registries say why).
"""
from __future__ import annotations

from typing import Dict, Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QSpinBox, QWidget

PACES = (("Calm: long shots", 0.7), ("Normal", 1.0), ("Fast", 1.4), ("Frantic", 2.0))


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
        default = "affect" if kind == "backend" else "ot"
        return {default: f"not installed in this build ({exc})"}


class OptionsBox(QWidget):
    """Form with the run options; :meth:`values` returns them as a dict."""

    def __init__(self, settings, backends: Dict[str, Optional[str]],
                 generators: Dict[str, Optional[str]], parent=None) -> None:
        super().__init__(parent)
        self.guard_check = QCheckBox("only use the first")
        self.guard_check.setObjectName("spoiler_guard")
        self.guard_check.setToolTip("Keep the ending secret: later shots are never used.")
        self.guard_percent = QSpinBox()
        self.guard_percent.setRange(10, 100)
        self.guard_percent.setSuffix(" % of the movie")
        guard_on = settings.spoiler_guard < 0.999
        self.guard_check.setChecked(guard_on)
        self.guard_percent.setValue(int(round((settings.spoiler_guard if guard_on else 0.9) * 100)))
        self.guard_percent.setEnabled(guard_on)
        self.guard_check.toggled.connect(self.guard_percent.setEnabled)
        guard_row = QWidget()
        row = QHBoxLayout(guard_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.guard_check)
        row.addWidget(self.guard_percent)
        row.addStretch(1)

        self.pace_combo = QComboBox()
        self.pace_combo.setObjectName("pace")
        for label, value in PACES:
            self.pace_combo.addItem(label, value)
        nearest = min(range(len(PACES)), key=lambda i: abs(PACES[i][1] - settings.pace))
        self.pace_combo.setCurrentIndex(nearest)

        self.backend_combo = QComboBox()
        self.backend_combo.setObjectName("backend")
        fill_choices(self.backend_combo, backends, settings.backend)
        self.generator_combo = QComboBox()
        self.generator_combo.setObjectName("generator")
        fill_choices(self.generator_combo, generators, settings.generator)

        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seed")
        self.seed_spin.setRange(0, 999_999)
        self.seed_spin.setValue(int(settings.seed))
        self.seed_spin.setToolTip("Another seed gives another variant with the same options.")

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Spoiler guard", guard_row)
        form.addRow("Cut pace", self.pace_combo)
        form.addRow("Features", self.backend_combo)
        form.addRow("Generator", self.generator_combo)
        form.addRow("Variant (seed)", self.seed_spin)

    def values(self) -> dict:
        """``spoiler_guard``, ``pace``, ``backend``, ``generator``, ``seed`` as chosen."""
        guard = self.guard_percent.value() / 100 if self.guard_check.isChecked() else 1.0
        return {"spoiler_guard": guard, "pace": float(self.pace_combo.currentData()),
                "backend": self.backend_combo.currentData() or "affect",
                "generator": self.generator_combo.currentData() or "ot",
                "seed": int(self.seed_spin.value())}
