"""Where the real test media is, and the fixtures that find a file there or skip with the reason.

Loaded as a pytest plugin (``-p tests.support.media`` in pyproject's addopts), which also makes
``tests`` the package below the repository root before pytest imports any test module.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

MEDIA_DIR = Path(os.environ.get("TRAILERSMITH_MEDIA",
                                Path(__file__).resolve().parents[3] / "shared" / "media"))


def media_file(media_dir: Path, relative: str) -> Path:
    """``media_dir / relative``, or skip the calling test with the path that is missing."""
    path = Path(media_dir) / relative
    if not path.is_file():
        pytest.skip(f"real test media file missing: {path}")
    return path


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
        return media_file(media_dir, relative)
    return get
