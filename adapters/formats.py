"""Choose a timeline file format by the output's suffix; write checked and atomically, read back.

Each format is a module of functions (``write_to_string(timeline, *, root)``,
``write_to_file(timeline, path)``, ``read_from_file(path)``, ``carry_problem(fps, *,
media_paths, source_frames)``) whose docstring links the format's specification and says what it
can carry. The table below is the whole registry: a suffix names a module, imported only when
that format is used.

What each format carries (``carry_problem`` says it before any analysis):

- ``.otio``: any rational frame rate, any timecode, any name.
- ``.kdenlive``: any rational frame rate; no control characters in media paths (XML 1.0).
- ``.xml`` (FCP7): 24, 25, 30, 48, 50, 60 fps and their /1.001 rates (integer timebase + NTSC).
- ``.edl`` (CMX 3600): the same SMPTE rates, and no source timecode past midnight.
"""
from __future__ import annotations

import importlib
import os
from typing import Optional, Sequence

from ..core.errors import OutputError, ParameterError, one_line
from ..core.fileio import FileSet
from ._files import check_output_path, plan_outputs, url_to_path

FORMATS = {
    ".otio": "otio_json",
    ".edl": "edl",
    ".xml": "fcp_xml",
    ".kdenlive": "kdenlive",
}

__all__ = ["FORMATS", "check_output", "check_outputs", "format_module", "read_timeline",
           "supported_suffixes", "write_timeline", "write_timelines"]


def supported_suffixes() -> list:
    """Output suffixes ``write_timeline`` understands, e.g. ``[".otio", ".edl", ...]``."""
    return list(FORMATS)


def format_module(path: str):
    """The module that writes and reads files like ``path``; ParameterError for other suffixes."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix not in FORMATS:
        raise ParameterError(f"Unknown timeline format '{suffix or os.path.basename(str(path))}' "
                             f"for {one_line(str(path))}; use one of {', '.join(FORMATS)}.")
    return importlib.import_module(f"{__package__}.{FORMATS[suffix]}")


def check_output(path: str, *, overwrite: bool = False) -> str:
    """Validate an output path before any work is done; returns it absolute.

    Raises :class:`ParameterError` for an unknown suffix, a missing folder, or an existing file
    when ``overwrite`` is false.
    """
    format_module(path)
    return check_output_path(path, overwrite=overwrite)


def check_outputs(paths: Sequence[str], *, overwrite: bool = False, inputs: Sequence[str] = (),
                  movie=None) -> list:
    """Check a whole set of outputs before any analysis; returns them absolute.

    ``inputs`` are the movie and music paths (an output is never one of them); ``movie`` is the
    probed :class:`~trailersmith.core.model.VideoInfo`, whose rate and timecode span each format
    must be able to carry. Raises :class:`ParameterError` with one line saying what to change.
    """
    modules = [format_module(p) for p in paths]
    out = plan_outputs(paths, inputs=inputs, overwrite=overwrite)
    if movie is None:
        return out
    span = (int(movie.start_frame), int(movie.start_frame) + int(movie.frame_count))
    for path, module in zip(out, modules):
        problem = module.carry_problem(movie.fps, media_paths=list(inputs), source_frames=span)
        if problem:
            raise ParameterError(f"Cannot write {one_line(path)}: {problem}.")
    return out


def write_timeline(timeline, path: str, *, overwrite: bool = False) -> str:
    """Write ``timeline`` to ``path`` in the format its suffix names; returns the absolute path.

    The text is written to a temporary name in the same folder, checked (every byte on disk,
    parsed back with the same number of clips), synced, then moved into place: a failure or a
    full disk never leaves a half-written file, nor clobbers an existing one.
    """
    return write_timelines(timeline, [path], overwrite=overwrite)[0]


def write_timelines(timeline, paths: Sequence[str], *, overwrite: bool = False) -> list:
    """Write ``timeline`` to every path, all or nothing; returns the absolute paths.

    Every file is written and checked under a temporary name first; only when all are good are
    they renamed into place. Two paths that are one file (a symlinked folder), or a path that is
    one of the timeline's own media files, are refused first.
    """
    for path in paths:
        format_module(path)
    paths = plan_outputs(paths, inputs=_media_paths(timeline), overwrite=overwrite)
    with FileSet(overwrite=overwrite) as files:
        for path in paths:
            module = format_module(path)
            text = module.write_to_string(timeline, root=os.path.dirname(path))
            files.add(path, text, verify=_same_clips(module, timeline, path))
        return files.commit()


def _media_paths(timeline) -> list:
    """Every media file ``timeline`` uses (and the movie and music it records): never outputs."""
    meta = timeline.metadata.get("trailersmith", {})
    paths = {str(meta[key]) for key in ("movie", "music") if meta.get(key)}
    for clip in timeline.find_clips():
        url = getattr(clip.media_reference, "target_url", None)
        if url and "://" not in url:
            paths.add(url)
        elif url and url.lower().startswith("file:"):
            paths.add(url_to_path(url))
    return sorted(paths)


def _video_clip_count(timeline) -> int:
    return sum(len(list(t.find_clips())) for t in timeline.tracks if t.kind == "Video")


def _same_clips(module, timeline, path: str):
    def verify(written: str) -> None:
        try:
            back = _read(module, written, rate=timeline.global_start_time.rate
                         if timeline.global_start_time is not None else None)
        except Exception as exc:  # noqa: BLE001 - any parse failure means a bad file
            raise OutputError(f"{one_line(path)} did not parse back ({exc.__class__.__name__}); "
                              "nothing was written. Please report this.") from None
        if _video_clip_count(back) != _video_clip_count(timeline):
            raise OutputError(f"{one_line(path)} read back with {_video_clip_count(back)} of "
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
        raise ParameterError(f"Timeline file {one_line(path)} not found; check the path.")
    return _read(module, path, rate=rate)
