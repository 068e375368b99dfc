"""The CLI's progress display: a tqdm bar on stderr per pipeline stage."""
from __future__ import annotations

import sys
from contextlib import contextmanager


class ProgressBar:
    """A tqdm bar on stderr per pipeline stage (the reporter's callback)."""

    def __init__(self, enabled: bool = True) -> None:
        self._bar = None
        self._stage = None
        self._enabled = enabled

    def __call__(self, progress) -> None:
        from tqdm import tqdm

        if progress.stage != self._stage:
            self.close()
            self._stage = progress.stage
            total = progress.total if progress.total > 1 else None
            # disable=None: a bar on a terminal, nothing in logs and pipes.
            self._bar = tqdm(total=total, desc=progress.stage, file=sys.stderr, leave=False,
                             mininterval=0.5, dynamic_ncols=True,
                             disable=None if self._enabled else True)
        if self._bar.total:
            self._bar.n = min(progress.done, self._bar.total)
            self._bar.refresh()

    def close(self) -> None:
        """Remove the current bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@contextmanager
def progress_reporter(args=None):
    """``with progress_reporter(args) as reporter:`` a Reporter drawing bars (none with -q)."""
    from trailersmith.core.progress import Reporter

    bar = ProgressBar(enabled=not getattr(args, "quiet", False))
    try:
        yield Reporter(bar)
    finally:
        bar.close()
