"""Shared fixtures: an isolated cache, and a guard that fails tests logging ERROR.

The real-media fixtures (``media_dir``, ``media_path``) are in :mod:`tests.support.media`."""
from __future__ import annotations

import logging
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Each test session gets its own analysis cache, never the user's."""
    cache = tmp_path_factory.getbasetemp() / "trailersmith-cache"
    monkeypatch.setenv("TRAILERSMITH_CACHE", str(cache))
    monkeypatch.setenv("TRAILERSMITH_LOG", str(tmp_path_factory.getbasetemp() / "trailersmith.log"))


@pytest.fixture(autouse=True)
def _fail_on_error_logs(caplog):
    """A test during which anything logs at ERROR or above fails (DESIGN example 12)."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("logged at ERROR: " + "; ".join(r.getMessage() for r in errors))
