"""The panel's remembered choices: shipped defaults overlaid by the user's last ones.

Stored as JSON in ``$XDG_CONFIG_HOME/trailersmith/panel.json`` (``~/.config/...`` by default);
written atomically. No Qt here.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Optional

from trailersmith.core.errors import TrailersmithError
from trailersmith.core.fileio import write_atomic

log = logging.getLogger(__name__)


@dataclass
class PanelSettings:
    """Options an editor sets in the panel (see ``resources/default_settings.json``)."""

    spoiler_guard: float = 0.9
    pace: float = 1.0
    backend: str = "affect"
    generator: str = "ot"
    seed: int = 0
    export_format: str = ".otio"
    thumbnail_width: int = 112
    last_dir: str = ""


def settings_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "trailersmith" / "panel.json"


def _merge(settings: PanelSettings, data: dict) -> PanelSettings:
    known = {f.name: f.type for f in fields(PanelSettings)}
    for key, value in data.items():
        if key not in known:
            continue
        default = getattr(settings, key)
        try:
            setattr(settings, key, type(default)(value))
        except (TypeError, ValueError):
            log.warning("ignoring setting %s=%r (not a %s)", key, value, type(default).__name__)
    return settings


def default_settings() -> PanelSettings:
    """The defaults shipped in ``trailersmith/resources/default_settings.json``."""
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
