"""The one place in the panel that creates threads.

:class:`JobRunner` runs a plain function ``job(reporter)`` on a ``QThread``. The function never
touches Qt: it reports :class:`~trailersmith.core.progress.Progress` through the reporter, and the
runner turns reports, the result and any error into Qt signals that arrive in the UI thread.
Cancel sets the job's :class:`~trailersmith.core.progress.CancelToken`; the next progress report
raises ``Cancelled`` and the job unwinds without writing anything.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional

from trailersmith.core.errors import Cancelled, TrailersmithError
from trailersmith.core.progress import CancelToken, Progress, Reporter

log = logging.getLogger(__name__)

#: At most this many progress signals per second reach the UI (stage changes always do).
_PROGRESS_HZ = 20.0
# Threads still running when their panel closed: kept referenced until they end, because
# destroying a running QThread aborts the process.
_orphans: list = []


def error_sentence(exc: BaseException) -> str:
    """What the panel shows for an error: our own messages as they are, others as one sentence."""
    if isinstance(exc, TrailersmithError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "Ran out of memory; close other programs or pick a shorter movie, then try again."
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return (f"Something unexpected went wrong ({exc.__class__.__name__}"
            f"{': ' + detail if detail else ''}). Try again; if it happens again, please report "
            f"it together with the log{_log_hint()}.")


def _log_hint() -> str:
    """`` (PATH)`` of the log file, created if need be so the path we show exists."""
    from trailersmith.core.userdirs import log_path

    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return ""
    return f" ({path})"


def _make_thread_class():
    from PySide6.QtCore import QThread, Signal

    class _JobThread(QThread):
        reported = Signal(object)
        ended = Signal(str, object)  # "ok" | "cancelled" | "error" | "crashed", payload

        def __init__(self, job: Callable[[Reporter], Any], token: CancelToken) -> None:
            super().__init__()
            self._job = job
            self._token = token
            self._last_emit = 0.0
            self._last_stage = None

        def _on_progress(self, progress: Progress) -> None:
            now = time.monotonic()
            final = progress.total > 0 and progress.done >= progress.total
            if (progress.stage != self._last_stage or final
                    or now - self._last_emit >= 1.0 / _PROGRESS_HZ):
                self._last_stage, self._last_emit = progress.stage, now
                self.reported.emit(progress)

        def run(self) -> None:  # runs in the worker thread: no UI calls here
            try:
                result = self._job(Reporter(self._on_progress, self._token))
            except Cancelled:
                self.ended.emit("cancelled", None)
            except TrailersmithError as exc:
                self.ended.emit("error", error_sentence(exc))
            except Exception as exc:  # noqa: BLE001 - every failure must reach the user
                # Logged in the UI thread once this one has ended: formatting a traceback here
                # crashed the interpreter (SIGSEGV in ast.parse) in a long-lived test process.
                self.ended.emit("crashed", exc)
            else:
                self.ended.emit("ok", result)

    return _JobThread


class JobRunner:
    """Runs one background job at a time and reports back through Qt signals.

    Use ``runner.signals.progress/succeeded/failed/cancelled/finished``; ``finished`` follows
    each of the three endings.
    """

    def __init__(self, parent=None) -> None:
        from PySide6.QtCore import QObject, Signal

        class _Signals(QObject):
            progress = Signal(object)
            succeeded = Signal(object)
            failed = Signal(str)
            cancelled = Signal()
            finished = Signal()

        self.signals = _Signals(parent)
        self._thread_class = _make_thread_class()
        self._thread = None
        self._token: Optional[CancelToken] = None
        self.cancel_requested_at: Optional[float] = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, job: Callable[[Reporter], Any]) -> None:
        """Run ``job(reporter)`` in a new worker thread; refuses while another job runs."""
        if self.running:
            raise RuntimeError("a job is already running")
        self._token = CancelToken()
        self.cancel_requested_at = None
        thread = self._thread_class(job, self._token)
        thread.reported.connect(self.signals.progress)
        thread.ended.connect(self._on_ended)
        self._thread = thread
        thread.start()

    def cancel(self) -> None:
        """Ask the running job to stop at its next progress report."""
        if self._token is not None and not self._token.cancelled:
            self.cancel_requested_at = time.monotonic()
            self._token.cancel()

    def wait(self, timeout_ms: int = 5000) -> bool:
        """Block until the worker thread has ended (used when the panel closes).

        A thread still running after ``timeout_ms`` is kept alive until it ends on its own.
        """
        thread = self._thread
        if thread is None or thread.wait(timeout_ms):
            return True
        _orphans.append(thread)
        thread.finished.connect(lambda: _orphans.remove(thread))
        return False

    def _on_ended(self, kind: str, payload) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()
            thread.deleteLater()
        if kind == "ok":
            self.signals.succeeded.emit(payload)
        elif kind == "cancelled":
            self.signals.cancelled.emit()
        else:
            if kind == "crashed":  # an unexpected exception: its traceback goes to the log
                log.error("the panel's background job failed",
                          exc_info=(type(payload), payload, payload.__traceback__))
                payload = error_sentence(payload)
            self.signals.failed.emit(payload)
        self.signals.finished.emit()
