"""Adapter-side file helpers: media ``file://`` URL <-> path, and output path planning.

The writing itself (temporary name, checks, fsync, rename) is :mod:`trailersmith.core.fileio`,
shared with the cache and the datasets; this module decides *which* paths the writers get.

File URLs follow RFC 8089: ``file:///abs/path`` and ``file://localhost/abs/path`` are local,
``file://host/share/x`` is a UNC path (``//host/share/x``), ``file:///C:/x`` (or ``file:///C|/x``)
is a Windows drive path, and every path byte outside the URL-safe set is percent-encoded.
"""
from __future__ import annotations

import os
import re
from pathlib import Path, PureWindowsPath
from urllib.parse import quote, unquote, urlparse

from ..core.errors import ParameterError, one_line

_DRIVE = re.compile(r"^/?([A-Za-z])[:|]([/\\]|$)")


def is_windows_drive_path(path: str) -> bool:
    """``C:\\x`` or ``C:/x`` (and ``/C:/x``, as a URL path carries it)."""
    return bool(_DRIVE.match(path))


def url_to_path(url: str) -> str:
    """The local path a media reference names: a ``file://`` URL or a plain path, made absolute.

    Raises :class:`ParameterError` for an empty reference or a non-file URL (``https://``...).
    """
    if not url:
        raise ParameterError("A clip has no media path; regenerate the timeline from the movie.")
    if is_windows_drive_path(url):
        return str(PureWindowsPath(url))
    parsed = urlparse(url)
    if parsed.scheme.lower() != "file":
        if parsed.scheme:
            raise ParameterError(f"Only local files can be linked, not {one_line(url)}; "
                                 "copy the media to this computer.")
        return os.path.abspath(url)
    path = unquote(parsed.path)
    match = _DRIVE.match(path)
    if match:
        return str(PureWindowsPath(f"{match.group(1)}:{path[match.end(1) + 1:] or '/'}"))
    if parsed.netloc and parsed.netloc.lower() != "localhost":
        return f"//{parsed.netloc}{path}"  # UNC: a share on another machine
    return os.path.abspath(path) if path else "/"


def path_to_url(path: str) -> str:
    """A ``file://`` URL for a local path (percent-encoded; drive and UNC paths kept)."""
    text = os.fspath(path)
    if text.startswith("file://"):
        return text
    if is_windows_drive_path(text) and not text.startswith("/"):
        return PureWindowsPath(text).as_uri()
    if text.startswith("//") and not text.startswith("///"):
        host, _sep, rest = text[2:].partition("/")
        return f"file://{host}/{quote(rest)}"
    return Path(os.path.abspath(text)).as_uri()


def check_output_path(path: str, *, overwrite: bool = False) -> str:
    """Validate an output path before any work is done; returns it absolute.

    Raises :class:`ParameterError` for a missing folder, a folder given as the file, or an
    existing file when ``overwrite`` is false.
    """
    path = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise ParameterError(f"Output folder {one_line(folder)} does not exist; create it or "
                             "pick another.")
    if os.path.isdir(path):
        raise ParameterError(f"Output {one_line(path)} is a folder; give a file name such as "
                             "trailer.otio.")
    if os.path.exists(path) and not overwrite:
        raise ParameterError(f"Output {one_line(path)} exists; pass --force to overwrite.")
    return path


def _identity(path: str) -> tuple:
    """What makes two paths the same file: the resolved path, and the inode when it exists."""
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        return real, None
    return real, (st.st_dev, st.st_ino)


def _same(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] or (a[1] is not None and a[1] == b[1])


def plan_outputs(paths, *, inputs=(), overwrite: bool = False) -> list:
    """Check a set of output paths together, before any work; returns them absolute.

    Refused with :class:`ParameterError`: an output that is one of the ``inputs`` (same resolved
    path or same inode: an output never replaces the movie or the music, ``--force`` or not), two
    outputs that are one file (through a symlinked folder or a hard link), and whatever
    :func:`check_output_path` refuses.
    """
    sources = [(p, _identity(p)) for p in inputs if p]
    seen = []
    out = []
    for given in paths:
        path = os.path.abspath(os.fspath(given))
        ident = _identity(path)
        for source, source_ident in sources:
            if _same(ident, source_ident):
                raise ParameterError(f"Output {one_line(path)} is the input {one_line(source)}; "
                                     "an output never replaces an input, give another name.")
        for other, other_ident in seen:
            if _same(ident, other_ident):
                raise ParameterError(f"Outputs {one_line(other)} and {one_line(path)} are the "
                                     "same file; give each -o its own path.")
        seen.append((path, ident))
        out.append(check_output_path(path, overwrite=overwrite))
    return out


def one_line_copy(timeline, *, paths: bool = False):
    """A copy of ``timeline`` whose names, marker texts (and with ``paths``, media paths) have
    their control characters escaped: line-based formats (EDL) and XML cannot hold them."""
    copy = timeline.deepcopy()
    copy.name = one_line(copy.name)
    items = [copy.tracks, *copy.tracks, *copy.find_clips()]
    for item in items:
        item.name = one_line(item.name)
        for marker in item.markers:
            marker.name, marker.comment = one_line(marker.name), one_line(marker.comment)
    for clip in copy.find_clips():
        for reference in clip.media_references().values():
            reference.name = one_line(reference.name)
            if paths and getattr(reference, "target_url", None):
                reference.target_url = one_line(reference.target_url)
    return copy
