"""Progress as data, plus a cancellation token; front ends decide how to show it."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Optional

from .errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """One progress report: ``done`` of ``total`` units of ``stage`` (``total`` 0 = unknown)."""

    stage: str
    done: float
    total: float

    @property
    def fraction(self) -> Optional[float]:
        """Fraction done in [0, 1], or None when the total is unknown."""
        if self.total <= 0:
            return None
        return min(1.0, max(0.0, self.done / self.total))


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """Thread-safe flag a front end sets; long loops call :meth:`check` and stop promptly."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the running job to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancellation was requested."""
        if self._event.is_set():
            raise Cancelled("Cancelled by the user; nothing was written.")


class Reporter:
    """Bundles a progress callback and a cancel token for one job; both are optional.

    ``report`` also checks for cancellation, so every progress point is a cancellation point.
    """

    def __init__(self, callback: Optional[ProgressCallback] = None,
                 cancel: Optional[CancelToken] = None) -> None:
        self.callback = callback
        self.cancel = cancel or CancelToken()

    def report(self, stage: str, done: float, total: float) -> None:
        self.cancel.check()
        if self.callback is not None:
            self.callback(Progress(stage, done, total))

    def check(self) -> None:
        self.cancel.check()


def ensure_reporter(reporter: Optional[Reporter]) -> Reporter:
    """Return ``reporter``, or a fresh silent one when it is None."""
    return reporter if reporter is not None else Reporter()
