"""What one batch job gives back, shared by the in-process and the Ray engines."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from trailersmith.core.errors import TrailersmithError


@dataclass
class Outcome:
    """The result of spec number ``index``: ``value`` or an ``error`` message."""

    index: int
    value: Any = None
    error: Optional[str] = None
    node: Optional[str] = None


def error_message(exc: BaseException) -> str:
    """The one-line message a per-film report shows for ``exc``."""
    if isinstance(exc, TrailersmithError):
        return str(exc)
    return f"unexpected {exc.__class__.__name__}: {exc}"
