"""adapters._files: the one file-URL <-> path converter (percent-encoding, drives, hosts)."""
from __future__ import annotations

import os

import pytest

from trailersmith.adapters._files import path_to_url, url_to_path
from trailersmith.core.errors import ParameterError


@pytest.mark.parametrize("url, expected", [
    ("file:///media/a%20b.mp4", "/media/a b.mp4"),
    ("file://localhost/m/y.mp4", "/m/y.mp4"),
    ("FILE:///m/z.mov", "/m/z.mov"),
    ("file:/m/short.mov", "/m/short.mov"),
    ("file:///m/%E2%80%9Cq%E2%80%9D%23%25.mov", "/m/\u201cq\u201d#%.mov"),
    ("file://server/share/a%20b.mov", "//server/share/a b.mov"),
    ("file:///C:/Media/a%20b.mp4", "C:\\Media\\a b.mp4"),
    ("file:///c|/media/x.mp4", "c:\\media\\x.mp4"),
    ("C:\\Media\\x.mp4", "C:\\Media\\x.mp4"),
    ("/media/x.mov", "/media/x.mov"),
])
def test_url_to_path(url, expected):
    assert url_to_path(url) == expected


def test_relative_path_becomes_absolute():
    assert url_to_path("clips/a.mp4") == os.path.abspath("clips/a.mp4")


def test_remote_and_empty_references_are_refused():
    with pytest.raises(ParameterError, match="local files"):
        url_to_path("https://example.com/movie.mp4")
    with pytest.raises(ParameterError, match="no media path"):
        url_to_path("")


@pytest.mark.parametrize("path", ["/a b/c#d%.mp4", "/films/new\nline.mov", "/x/\u00e9t\u00e9.mp4",
                                  "C:\\M x\\a.mp4", "//server/share/a b.mov"])
def test_path_to_url_round_trips(path):
    url = path_to_url(path)
    assert url.startswith("file:") and " " not in url and "\n" not in url and "#" not in url
    assert url_to_path(url) == path
