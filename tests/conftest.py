"""Shared fixtures: real media location, scratch folders, and a guard that fails tests logging ERROR."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

MEDIA_DIR = Path(os.environ.get("TRAILERSMITH_MEDIA",
                                Path(__file__).resolve().parents[1].parent / "shared" / "media"))


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """``../shared/media`` beside the checkout; tests that need it skip when it is absent."""
    if not MEDIA_DIR.is_dir():
        pytest.skip(f"real test media not found at {MEDIA_DIR} (set TRAILERSMITH_MEDIA)")
    return MEDIA_DIR


@pytest.fixture(scope="session")
def media_path(media_dir: Path):
    """``media_path("video/bbb/...")``: one real media file, skipping with the reason if missing."""
    def get(relative: str) -> Path:
        path = media_dir / relative
        if not path.is_file():
            pytest.skip(f"real test media file missing: {path}")
        return path
    return get


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
