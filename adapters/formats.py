"""Choose a timeline file format by the output's suffix; write checked and atomically, read back.

Each format is a module of functions (``write_to_string(timeline)``, ``write_to_file(timeline,
path)``, ``read_from_file(path)``) whose docstring links the format's specification. The table
below is the whole registry: a suffix names a module, imported only when that format is used.
"""
from __future__ import annotations

import importlib
import os
from typing import Optional, Sequence

from ..core.errors import OutputError, ParameterError
from ..core.fileio import FileSet, ascii_path
from ._files import check_output_path

FORMATS = {
    ".otio": "otio_json",
    ".edl": "edl",
    ".xml": "fcp_xml",
    ".kdenlive": "kdenlive",
}

__all__ = ["FORMATS", "check_output", "format_module", "read_timeline", "supported_suffixes",
           "write_timeline", "write_timelines"]


def supported_suffixes() -> list:
    """Output suffixes ``write_timeline`` understands, e.g. ``[".otio", ".edl", ...]``."""
    return list(FORMATS)


def format_module(path: str):
    """The module that writes and reads files like ``path``; ParameterError for other suffixes."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix not in FORMATS:
        raise ParameterError(f"Unknown timeline format '{suffix or os.path.basename(str(path))}' "
                             f"for {ascii_path(str(path))}; use one of {', '.join(FORMATS)}.")
    return importlib.import_module(f"{__package__}.{FORMATS[suffix]}")


def check_output(path: str, *, overwrite: bool = False) -> str:
    """Validate an output path before any work is done; returns it absolute.

    Raises :class:`ParameterError` for an unknown suffix, a missing folder, or an existing file
    when ``overwrite`` is false.
    """
    format_module(path)
    return check_output_path(path, overwrite=overwrite)


def write_timeline(timeline, path: str, *, overwrite: bool = False) -> str:
    """Write ``timeline`` to ``path`` in the format its suffix names; returns the absolute path.

    The text is written to a temporary name in the same folder, checked (every byte on disk,
    parsed back with the same number of clips), synced, then moved into place: a failure or a
    full disk never leaves a half-written file, nor clobbers an existing one.
    """
    return write_timelines(timeline, [path], overwrite=overwrite)[0]


def write_timelines(timeline, paths: Sequence[str], *, overwrite: bool = False) -> list:
    """Write ``timeline`` to every path, all or nothing; returns the absolute paths."""
    paths = [check_output(p, overwrite=overwrite) for p in paths]
    with FileSet(overwrite=overwrite) as files:
        for path in paths:
            module = format_module(path)
            text = module.write_to_string(timeline, root=os.path.dirname(path))
            files.add(path, text, verify=_same_clips(module, timeline, path))
        return files.commit()


def _video_clip_count(timeline) -> int:
    return sum(len(list(t.find_clips())) for t in timeline.tracks if t.kind == "Video")


def _same_clips(module, timeline, path: str):
    def verify(written: str) -> None:
        try:
            back = _read(module, written, rate=timeline.global_start_time.rate
                         if timeline.global_start_time is not None else None)
        except Exception as exc:  # noqa: BLE001 - any parse failure means a bad file
            raise OutputError(f"{ascii_path(path)} did not parse back ({exc.__class__.__name__}); "
                              "nothing was written. Please report this.") from None
        if _video_clip_count(back) != _video_clip_count(timeline):
            raise OutputError(f"{ascii_path(path)} read back with {_video_clip_count(back)} of "
                              f"{_video_clip_count(timeline)} clips; nothing was written. Please "
                              "report this.")
    return verify


def _read(module, path: str, *, rate=None):
    if module.__name__.endswith(".edl"):
        return module.read_from_file(path, rate=float(rate or 24.0))
    return module.read_from_file(path)


def read_timeline(path: str, *, rate: Optional[float] = None):
    """Read a timeline file written by :func:`write_timeline` (or by an editor).

    ``rate`` is needed for ``.edl`` only (an EDL does not record its frame rate); default 24.
    """
    path = os.path.abspath(os.fspath(path))
    module = format_module(path)
    if not os.path.isfile(path):
        raise ParameterError(f"Timeline file {ascii_path(path)} not found; check the path.")
    return _read(module, path, rate=rate)
