"""The package's exceptions. Each message says what went wrong and what to do about it."""


class TrailersmithError(Exception):
    """Base of every error Trailersmith raises on purpose.

    Its text is always one line: a path or name with a newline or another control character in
    it is shown with ``repr``-style escapes (see :func:`one_line`).
    """

    def __str__(self) -> str:
        return one_line(super().__str__())


class MediaError(TrailersmithError):
    """A movie or music file is missing, unreadable, or unsuitable."""


class ParameterError(TrailersmithError):
    """An option or argument has a value Trailersmith cannot use."""


class ModelUnavailableError(TrailersmithError):
    """A model, its weights or its runtime (torch) is not available."""


class Cancelled(TrailersmithError):
    """The user cancelled a running job."""


class OutputError(TrailersmithError):
    """An output file cannot be written where asked (permissions, a failed check)."""


class DiskFullError(OutputError):
    """The disk (or quota) filled up while writing; nothing was left behind."""


def one_line(text) -> str:
    """``text`` (a path, a name) safe to show on one line: control characters escaped as ``repr``
    escapes them (``\\n``, ``\\x01``); text without any is returned unchanged."""
    text = str(text)
    if not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        return text
    return "".join(repr(c)[1:-1] if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in text)
