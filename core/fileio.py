"""The one way Trailersmith writes a file: temporary name, checked, synced, renamed into place.

Every write goes to a new temporary file in the destination folder (created like any new file, so
it gets the user's umask). Before it is renamed over the destination it is checked: every byte
accounted for (a short ``write`` is retried, never ignored), the size on disk equal to what was
written, optionally read back and compared or parsed, and ``fsync``-ed; after the rename the folder
is ``fsync``-ed too, so a power cut leaves the old file or the new one, never a torn one. A failure
removes the temporary file and leaves any existing file untouched. A full disk (or quota) raises
:class:`~trailersmith.core.errors.DiskFullError`, a one-line message that says so.

:class:`FileSet` does the same for several files at once, all or nothing: every file is written and
checked under its temporary name first, and only then are they all renamed.
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
from typing import Callable, Iterator, List, Optional, Union

from .errors import DiskFullError, OutputError, ParameterError, TrailersmithError, one_line

Data = Union[bytes, str]
_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG)


def temporary_name(path: str) -> str:
    """A fresh hidden name beside ``path``: ``.NAME.<random>.part.SUFFIX``.

    It starts with ``.NAME`` (easy to find and clean) and keeps the suffix (libraries that pick
    a format by the extension still do); a long name is shortened to fit 255 bytes.
    """
    folder, name = os.path.split(os.path.abspath(path))
    suffix = os.path.splitext(name)[1][:20]
    tail = f".{secrets.token_hex(4)}.part{suffix}"
    head = f".{name}".encode("utf-8")[:255 - len(tail.encode("utf-8"))]
    return os.path.join(folder, head.decode("utf-8", errors="ignore") + tail)


def _create(path: str) -> tuple:
    tmp = temporary_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    return fd, tmp


def _os_error(exc: OSError, path: str) -> TrailersmithError:
    """The package's one-line error for an OSError met while writing ``path``."""
    where = one_line(path)
    if exc.errno in _FULL:
        return DiskFullError(f"The disk is full: could not write {where}; free some space or "
                             "write to another folder.")
    return OutputError(f"Could not write {where} ({exc.strerror or exc}); check the folder "
                      "exists and is writable.")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # a write that makes no progress is a full disk by another name
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _sync_folder(folder: str) -> None:
    if os.name != "posix":
        return  # Windows has no folder handles to fsync; NTFS journals the rename
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_size(fd: int, expected: int, path: str) -> None:
    actual = os.fstat(fd).st_size
    if actual != expected:
        raise DiskFullError(f"Only {actual} of {expected} bytes of {one_line(path)} reached the "
                            "disk (is it full?); free some space or write to another folder.")


def _place(tmp: str, path: str, overwrite: bool) -> None:
    """Rename ``tmp`` to ``path``; without ``overwrite`` never replace a file that appeared."""
    if overwrite:
        os.replace(tmp, path)
    else:
        try:
            os.link(tmp, path)  # fails if ``path`` exists, atomically
        except FileExistsError:
            raise ParameterError(f"Output {one_line(path)} exists; pass --force to "
                                 "overwrite.") from None
        except OSError:  # no hard links here (FAT, some network shares): check, then rename
            if os.path.exists(path):
                raise ParameterError(f"Output {one_line(path)} exists; pass --force to "
                                     "overwrite.") from None
            os.replace(tmp, path)
        else:
            os.unlink(tmp)
    _sync_folder(os.path.dirname(os.path.abspath(path)))


def _unlink_quietly(path: Optional[str]) -> None:
    if path:
        with contextlib.suppress(OSError):
            os.unlink(path)


class FileSet:
    """Several output files written all or nothing (see the module docstring).

    ``add`` writes and checks one file under a temporary name; ``commit`` renames them all;
    leaving the ``with`` block without ``commit`` (or with an error) removes every temporary file.
    """

    def __init__(self, *, overwrite: bool = False) -> None:
        self.overwrite = overwrite
        self._pending: List[tuple] = []

    def __enter__(self) -> "FileSet":
        return self

    def __exit__(self, *exc) -> None:
        self.discard()

    def add(self, path: str, data: Data, *, verify: Optional[Callable[[str], None]] = None) -> str:
        """Write ``data`` to a checked temporary file for ``path``; returns ``path`` absolute.

        ``verify(temporary_path)`` may parse the file back and raise if it is wrong.
        """
        path = os.path.abspath(path)
        blob = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        tmp = None
        try:
            fd, tmp = _create(path)
            self._pending.append((tmp, path))
            try:
                _write_all(fd, blob)
                os.fsync(fd)
                _check_size(fd, len(blob), path)
            finally:
                os.close(fd)
            with open(tmp, "rb") as check:
                if check.read() != blob:
                    raise OutputError(f"{one_line(path)} did not read back as written; the disk "
                                     "or file system is failing, write somewhere else.")
            if verify is not None:
                verify(tmp)
        except OSError as exc:
            raise _os_error(exc, path) from None
        return path

    def commit(self) -> List[str]:
        """Rename every checked file into place; returns the final paths.

        Without ``overwrite``, a failure part-way removes the files already renamed (they were
        new), so the set stays all or nothing.
        """
        done: List[str] = []
        try:
            for _tmp, path in self._pending:
                if not self.overwrite and os.path.exists(path):
                    raise ParameterError(f"Output {one_line(path)} exists; pass --force to "
                                         "overwrite.")
            for tmp, path in self._pending:
                _place(tmp, path, self.overwrite)
                done.append(path)
        except BaseException as exc:
            failed = self._pending[len(done)][1] if len(done) < len(self._pending) else ""
            if not self.overwrite:
                for path in done:
                    _unlink_quietly(path)
            if isinstance(exc, OSError):
                raise _os_error(exc, failed) from None
            raise
        finally:
            self.discard()
        return done

    def discard(self) -> None:
        """Remove every temporary file not yet renamed into place."""
        for tmp, _path in self._pending:
            _unlink_quietly(tmp)
        self._pending = []


def write_atomic(path: str, data: Data, *, overwrite: bool = True,
                 verify: Optional[Callable[[str], None]] = None) -> str:
    """Write ``data`` (bytes, or str as UTF-8) to ``path`` atomically and checked; returns it."""
    with FileSet(overwrite=overwrite) as files:
        files.add(path, data, verify=verify)
        return files.commit()[0]


@contextlib.contextmanager
def atomic_path(path: str, *, overwrite: bool = True) -> Iterator[str]:
    """For a library that writes by file name (PyAV, ``torch.save``): yield a temporary path.

    After the block the file must exist and not be empty; it is synced and renamed to ``path``.
    Such libraries write through their own buffers, so a short write shows only as a smaller or
    unreadable file: pass the result through a reader when that matters.
    """
    path = os.path.abspath(path)
    tmp = None
    try:
        fd, tmp = _create(path)
        os.close(fd)
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            if os.fstat(fd).st_size == 0:
                raise DiskFullError(f"Nothing of {one_line(path)} reached the disk (is it "
                                    "full?); free some space or write to another folder.")
            os.fsync(fd)
        finally:
            os.close(fd)
        _place(tmp, path, overwrite)
        tmp = None
    except OSError as exc:
        raise _os_error(exc, path) from None
    finally:
        _unlink_quietly(tmp)


@contextlib.contextmanager
def atomic_file(path: str, *, overwrite: bool = True) -> Iterator:
    """Yield a binary file object whose contents replace ``path`` atomically after the block."""
    path = os.path.abspath(path)
    tmp = None
    try:
        fd, tmp = _create(path)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            written = handle.tell()
            os.fsync(handle.fileno())
            _check_size(handle.fileno(), written, path)
        _place(tmp, path, overwrite)
        tmp = None
    except OSError as exc:
        raise _os_error(exc, path) from None
    finally:
        _unlink_quietly(tmp)
