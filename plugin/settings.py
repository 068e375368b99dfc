"""The panel's remembered choices: the option spec's defaults overlaid by the user's last ones.

Stored as JSON in the user's configuration folder (``core/userdirs.py``: ``~/.config/
trailersmith/panel.json`` on Linux); written atomically. Values for spec options are checked
against the spec; a bad one is ignored with a warning. No Qt here.
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Optional

from trailersmith.core.errors import ParameterError, TrailersmithError
from trailersmith.core.fileio import write_atomic
from trailersmith.core.options import OPTIONS, default

log = logging.getLogger(__name__)


@dataclass
class PanelSettings:
    """Options an editor sets in the panel; the run options' defaults come from the spec."""

    spoiler_guard: float = default("spoiler_guard")
    pace: float = default("pace")
    length: Optional[float] = default("length")
    backend: str = default("backend")
    generator: str = default("generator")
    seed: int = default("seed")
    source_audio: str = default("source_audio")
    beat_markers: str = default("beat_markers")
    title_card: float = default("title_card")
    export_format: str = ".otio"
    thumbnail_width: int = 112
    last_dir: str = ""


def settings_path() -> Path:
    """``panel.json`` in the user's configuration folder."""
    from trailersmith.core.userdirs import config_dir

    return config_dir() / "panel.json"


def _convert(key: str, value, current):
    spec = OPTIONS.get(key)
    if spec is None:
        return type(current)(value)
    if value is None:
        return spec.check(None)
    if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return spec.check(value)


def _merge(settings: PanelSettings, data: dict) -> PanelSettings:
    known = {f.name for f in fields(PanelSettings)}
    for key, value in data.items():
        if key not in known:
            continue
        try:
            setattr(settings, key, _convert(key, value, getattr(settings, key)))
        except (TypeError, ValueError, ParameterError) as exc:
            log.warning("ignoring setting %s=%r (%s)", key, value, exc)
    return settings


def default_settings() -> PanelSettings:
    """The spec's defaults and the panel-only ones in ``resources/default_settings.json``."""
    text = resources.files("trailersmith.resources").joinpath("default_settings.json").read_text()
    return _merge(PanelSettings(), json.loads(text))


def load_settings(path: Optional[Path] = None) -> PanelSettings:
    """Defaults overlaid by the saved file; a damaged file is ignored with a warning."""
    settings = default_settings()
    path = path or settings_path()
    if path.is_file():
        try:
            _merge(settings, json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable panel settings %s (%s)", path, exc)
    return settings


def save_settings(settings: PanelSettings, path: Optional[Path] = None) -> None:
    """Write ``settings`` atomically; a failure is logged, never raised (it is only a memory)."""
    path = path or settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(path), json.dumps(asdict(settings), indent=2))
    except (OSError, TrailersmithError) as exc:
        log.warning("could not save panel settings to %s (%s)", path, exc)
