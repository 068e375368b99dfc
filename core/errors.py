"""The package's exceptions. Each message says what went wrong and what to do about it."""


class TrailersmithError(Exception):
    """Base of every error Trailersmith raises on purpose."""


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
