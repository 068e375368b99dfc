"""Where Trailersmith keeps its cache, settings and log: the platform's user folders.

platformdirs picks them (``~/.cache/trailersmith``, ``~/.config/trailersmith`` and
``~/.local/state/trailersmith/log`` on Linux, honouring the XDG variables; the usual places on
macOS and Windows). ``$TRAILERSMITH_CACHE`` and ``$TRAILERSMITH_LOG`` override the cache folder
and the log file. Both front ends log warnings to the log file through :func:`setup_logging`.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Optional

APP = "trailersmith"
CACHE_ENV = "TRAILERSMITH_CACHE"
LOG_ENV = "TRAILERSMITH_LOG"
_HANDLER_FLAG = "_trailersmith_handler"


def cache_dir() -> Path:
    """The analysis cache folder: ``$TRAILERSMITH_CACHE``, else the user cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def config_dir() -> Path:
    """The user's configuration folder (the panel's remembered settings live here)."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def log_path() -> Path:
    """The log file: ``$TRAILERSMITH_LOG``, else ``trailersmith.log`` in the user log folder."""
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV])
    import platformdirs

    return Path(platformdirs.user_log_dir(APP, appauthor=False)) / f"{APP}.log"


class _Counter(logging.Handler):
    """Counts the warnings of one run, so a front end can say "2 warnings, see the log"."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def setup_logging(*, stderr_level: int = logging.ERROR, file_level: int = logging.WARNING,
                  stream=None) -> "LogSetup":
    """Send the package's log records to the log file and, from ``stderr_level``, to ``stream``.

    Replaces the handlers an earlier call added (a front end may run several times in one
    process, e.g. in tests). A log file that cannot be opened is skipped: the run goes on.
    """
    import sys

    logger = logging.getLogger(APP)
    for handler in [h for h in logger.handlers if getattr(h, _HANDLER_FLAG, False)]:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(min(stderr_level, file_level, logging.WARNING))
    console = logging.StreamHandler(stream or sys.stderr)
    console.setLevel(stderr_level)
    console.setFormatter(logging.Formatter("trailersmith: %(levelname)s: %(message)s"))
    counter = _Counter()
    added = [console, counter]
    path: Optional[Path] = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(path, encoding="utf-8", delay=False)
        to_file.setLevel(file_level)
        to_file.setFormatter(logging.Formatter(
            "%(asctime)s %(process)d %(name)s %(levelname)s: %(message)s"))
        added.append(to_file)
    except OSError:
        path = None
    for handler in added:
        setattr(handler, _HANDLER_FLAG, True)
        logger.addHandler(handler)
    return LogSetup(path=path, counter=counter)


class LogSetup:
    """What :func:`setup_logging` set up: the log file (None when it could not be opened)."""

    def __init__(self, path: Optional[Path], counter: _Counter) -> None:
        self.path = path
        self._counter = counter

    @property
    def warnings(self) -> int:
        """Warnings logged since the set-up."""
        return self._counter.count
