"""Issue 10 item 13: the cache key changes whenever the file's content does."""
from __future__ import annotations

import os
import shutil
import time

from trailersmith.core.cache import StageCache
from trailersmith.core.fingerprint import MEMO_DIR, content_hash, file_fingerprint


def _big(tmp_path, name="movie.bin", size=9 << 20):
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * (size // 256))
    return path


def _edit_in_place(path, offset, data):
    """A same-size edit that also puts the modification time back (as ``touch -r`` would)."""
    st = os.stat(path)
    time.sleep(0.05)  # let the (coarse) ctime clock tick past the earlier write
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_same_size_edit_between_the_old_samples_changes_the_key(tmp_path):
    movie = _big(tmp_path)
    cache = StageCache(tmp_path / "cache")
    before = cache.key("movie", files=[movie])
    # 16 chunks of 256 KiB spread over 9 MiB leave ~330 KiB gaps; offset 300000 was never read.
    _edit_in_place(movie, 300_000, b"\x00" * 4096)
    assert cache.key("movie", files=[movie]) != before


def test_the_memo_serves_an_unchanged_file_and_is_keyed_by_its_version(tmp_path):
    movie = _big(tmp_path)
    root = tmp_path / "cache"
    first = file_fingerprint(str(movie), root)
    assert first == content_hash(str(movie))
    memo = next((root / MEMO_DIR).iterdir())
    memo.write_text('{"blake2b": "%s"}' % ("f" * 32))  # a remembered value is used as is
    assert file_fingerprint(str(movie), root) == "f" * 32
    _edit_in_place(movie, 5, b"x")  # new ctime: a new version, hashed again
    assert file_fingerprint(str(movie), root) == content_hash(str(movie)) != first


def test_a_copy_without_its_times_keeps_the_key(tmp_path):
    movie = _big(tmp_path)
    copy = tmp_path / "copy.bin"
    shutil.copyfile(movie, copy)  # new inode and times: re-hashed, same content
    cache = StageCache(tmp_path / "cache")
    assert cache.key("movie", files=[movie]) == cache.key("movie", files=[copy])


def test_a_damaged_memo_is_ignored(tmp_path):
    movie = _big(tmp_path, size=4096)
    root = tmp_path / "cache"
    file_fingerprint(str(movie), root)
    next((root / MEMO_DIR).iterdir()).write_text("{not json")
    assert file_fingerprint(str(movie), root) == content_hash(str(movie))
