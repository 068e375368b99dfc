"""Choose a timeline file format by the output's suffix; write atomically, read back.

Each format is a module of functions (``write_to_file(timeline, path)``, ``read_from_file(path)``)
whose docstring links the format's specification.
"""
from __future__ import annotations

import importlib
import os
import secrets
from typing import Optional

from ..core.errors import ParameterError

FORMATS = {
    ".otio": "otio_json",
    ".edl": "edl",
    ".xml": "fcp_xml",
    ".kdenlive": "kdenlive",
}


def supported_suffixes() -> list:
    """Output suffixes ``write_timeline`` understands, e.g. ``[".otio", ".edl", ...]``."""
    return list(FORMATS)


def format_module(path: str):
    """The module that writes and reads files like ``path``; ParameterError for other suffixes."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix not in FORMATS:
        raise ParameterError(f"Unknown timeline format '{suffix or os.path.basename(str(path))}' "
                             f"for {path}; use one of {', '.join(FORMATS)}.")
    return importlib.import_module(f"{__package__}.{FORMATS[suffix]}")


def check_output(path: str, *, overwrite: bool = False) -> str:
    """Validate an output path before any work is done; returns it absolute.

    Raises :class:`ParameterError` for an unknown suffix, a missing folder, or an existing file
    when ``overwrite`` is false.
    """
    path = os.path.abspath(os.fspath(path))
    format_module(path)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise ParameterError(f"Output folder {folder} does not exist; create it or pick another.")
    if os.path.isdir(path):
        raise ParameterError(f"Output {path} is a folder; give a file name such as trailer.otio.")
    if os.path.exists(path) and not overwrite:
        raise ParameterError(f"Output {path} exists; pass --force to overwrite.")
    return path


def write_timeline(timeline, path: str, *, overwrite: bool = False) -> str:
    """Write ``timeline`` to ``path`` in the format its suffix names; returns the absolute path.

    The file is written to a temporary name in the same folder and then moved into place, so a
    failure never leaves a half-written file (or clobbers an existing one).
    """
    path = check_output(path, overwrite=overwrite)
    module = format_module(path)
    stem, suffix = os.path.splitext(os.path.basename(path))
    temporary = os.path.join(os.path.dirname(path), f".{stem}.{secrets.token_hex(4)}.part{suffix}")
    open(temporary, "x").close()  # created like any new file, so it gets the user's umask
    try:
        module.write_to_file(timeline, temporary)
        if os.path.exists(path) and not overwrite:  # appeared while we were writing
            raise ParameterError(f"Output {path} exists; pass --force to overwrite.")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def read_timeline(path: str, *, rate: Optional[float] = None):
    """Read a timeline file written by :func:`write_timeline` (or by an editor).

    ``rate`` is needed for ``.edl`` only (an EDL does not record its frame rate); default 24.
    """
    path = os.path.abspath(os.fspath(path))
    module = format_module(path)
    if not os.path.isfile(path):
        raise ParameterError(f"Timeline file {path} not found; check the path.")
    if module.__name__.endswith(".edl"):
        return module.read_from_file(path, rate=float(rate or 24.0))
    return module.read_from_file(path)
