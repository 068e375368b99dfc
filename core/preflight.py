"""Checks of every place a run reads or writes, made before any analysis (no decoding).

A run that would fail after minutes of work on an unwritable cache, an unreadable music file or
a missing checkpoint fails here instead, with one line that says what to do. Output files are
checked by the front end that names them (the CLI), with :func:`check_writable_folder`.
"""
from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path
from typing import Optional

from .errors import MediaError, ParameterError

#: Below this much free space the cache folder counts as full (a film's entry is a few MB).
MIN_FREE_BYTES = 32 << 20


def free_bytes(folder: str) -> int:
    """Bytes an unprivileged user may still write in ``folder``'s file system."""
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def _probe(folder: str, name: str) -> None:
    """Create and remove ``name`` in ``folder``: the one test of writability root cannot fool."""
    path = os.path.join(folder, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, b"x")
    finally:
        os.close(fd)
        os.unlink(path)


def check_writable_folder(folder: str, *, role: str, name_length: int = 0,
                          fix: str = "pick another folder") -> None:
    """ParameterError unless a file named ``name_length`` bytes can be created in ``folder``."""
    name = "." + secrets.token_hex(4) + ".probe"
    name += "x" * max(0, name_length - len(name.encode()))
    try:
        _probe(folder, name)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise ParameterError(f"{role} name is too long for its folder {folder} "
                                 f"({name_length} bytes, more than the file system allows); "
                                 "use a shorter name.") from None
        if exc.errno == errno.ENOSPC:
            raise ParameterError(f"{role} folder {folder} is on a full disk; free some space "
                                 f"or {fix}.") from None
        raise ParameterError(f"{role} folder {folder} is not writable "
                             f"({exc.strerror or exc}); {fix}.") from None


def check_cache_dir(root: Optional[str] = None) -> Path:
    """The cache folder, created if missing; ParameterError if it is a file, read-only or full."""
    from .cache import default_cache_dir

    path = Path(root) if root else default_cache_dir()
    fix = "pass --cache-dir with a writable folder or set TRAILERSMITH_CACHE"
    probe = path
    while not probe.exists() and probe.parent != probe:  # the nearest existing ancestor
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ParameterError(f"Cache folder {path} is not a folder ({probe} is a file); {fix}.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"Cache folder {path} cannot be created ({exc.strerror or exc}); "
                             f"{fix}.") from None
    check_writable_folder(str(path), role="Cache", fix=fix)
    if free_bytes(str(path)) < MIN_FREE_BYTES:
        raise ParameterError(f"Cache folder {path} is on a full disk (less than "
                             f"{MIN_FREE_BYTES >> 20} MB free); free some space or {fix}.")
    return path


def check_readable_file(path: str, role: str) -> str:
    """MediaError unless ``path`` is a non-empty file this process can open and read."""
    from .media import check_file

    check_file(path, role)
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as exc:
        raise MediaError(f"{role} file cannot be read ({exc.strerror or exc}): {path}. Check "
                         "its permissions.") from None
    return path


_FILE_HINTS = {"--checkpoint": "Check the path, or train one with 'trailersmith train'.",
               "--imagebind-weights": "Check the path to imagebind_huge.pth."}


def check_option_file(path: Optional[str], flag: str) -> None:
    """ParameterError unless the file an option names (``--checkpoint``...) exists and reads."""
    if not path:
        return
    if not os.path.isfile(path):
        raise ParameterError(f"{flag} file not found: {path}. "
                             f"{_FILE_HINTS.get(flag, 'Check the path.')}")
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as exc:
        raise ParameterError(f"{flag} file cannot be read ({exc.strerror or exc}): {path}.") \
            from None


def preflight(options, *, movie: Optional[str] = None, music: Optional[str] = None) -> None:
    """Validate ``options`` and check every input and the cache before any analysis."""
    from .options import validate

    validate(options)
    if movie is not None:
        check_readable_file(movie, "Movie")
    if music is not None:
        check_readable_file(music, "Music")
    check_option_file(options.generator_options.get("checkpoint"), "--checkpoint")
    check_option_file(options.backend_options.get("weights"), "--imagebind-weights")
    check_cache_dir(options.cache_dir)


def check_new_folder(path: str, role: str) -> None:
    """ParameterError unless ``path`` is a folder, or can become one, that we can write in.

    Creates nothing: a missing folder is checked through its nearest existing parent.
    """
    p = Path(os.path.abspath(path))
    if p.exists() and not p.is_dir():
        raise ParameterError(f"{role} {p} is a file, not a folder; give a folder name.")
    probe = p
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise ParameterError(f"{role} {p} cannot be made: {probe} is a file.")
    check_writable_folder(str(probe), role=role)


def check_dataset_build(pairs_csv: str, out_dir: str) -> list:
    """The CSV's pairs, every file they name readable, OUT_DIR writable; before any decoding."""
    from .learn.builder import read_pairs

    try:
        rows = read_pairs(pairs_csv)
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{pairs_csv} is not UTF-8 text (bad byte at offset {exc.start}); "
                             "save it as UTF-8 CSV.") from None
    except OSError as exc:
        raise ParameterError(f"Pairs file {pairs_csv} cannot be read "
                             f"({exc.strerror or exc}).") from None
    except csv_error() as exc:
        raise ParameterError(f"{pairs_csv} is not a valid CSV ({exc}).") from None
    for row in rows:
        for role, path in (("Movie", row.movie), ("Trailer", row.trailer), ("Music", row.music)):
            if path:
                try:
                    check_readable_file(path, f"{role} of pair {row.pair_id!r}:")
                except MediaError as exc:
                    raise MediaError(f"{exc} (paths in {os.path.basename(pairs_csv)} are "
                                     "relative to its folder)") from None
    check_new_folder(out_dir, "OUT_DIR")
    return rows


def csv_error():
    """The csv module's error class (imported here only)."""
    import csv

    return csv.Error


def check_model_options(kind: str, options: dict) -> None:
    """ParameterError for a model option ``kind``'s model does not have or of the wrong type."""
    try:  # the model's own schema (types and bounds), where the trust room's merge has it
        from .learn.model_config import validate_options
    except ImportError:
        validate_options = None
    if validate_options is not None:
        validate_options(kind, options)
        return
    from .learn.checkpoint import model_module

    defaults = model_module(kind).DEFAULTS
    for key, value in options.items():
        if key not in defaults:
            raise ParameterError(f"Unknown {kind} model option {key!r}; known: "
                                 f"{', '.join(sorted(defaults))}.")
        want = type(defaults[key])
        ok = (isinstance(value, bool) if want is bool else
              isinstance(value, int) and not isinstance(value, bool) if want is int else
              isinstance(value, (int, float)) and not isinstance(value, bool))
        if not ok:
            raise ParameterError(f"--model-option {key}={value!r} must be "
                                 f"{'true or false' if want is bool else 'a ' + want.__name__} "
                                 f"(the default is {defaults[key]!r}).")
