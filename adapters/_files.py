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

from ..core.errors import ParameterError
from ..core.fileio import ascii_path

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
            raise ParameterError(f"Only local files can be linked, not {ascii_path(url)}; "
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
        raise ParameterError(f"Output folder {ascii_path(folder)} does not exist; create it or "
                             "pick another.")
    if os.path.isdir(path):
        raise ParameterError(f"Output {ascii_path(path)} is a folder; give a file name such as "
                             "trailer.otio.")
    if os.path.exists(path) and not overwrite:
        raise ParameterError(f"Output {ascii_path(path)} exists; pass --force to overwrite.")
    return path
