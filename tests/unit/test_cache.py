"""The stage cache: content keys, atomic entries, no partial entry after a failure."""
import numpy as np
import pytest

from trailersmith.core.cache import StageCache, file_fingerprint


def test_key_changes_with_content_params_and_version(tmp_path):
    f = tmp_path / "a.bin"
    f.write_bytes(b"x" * 1000)
    c = StageCache(tmp_path / "cache")
    k = c.key("movie", files=[f], params={"a": 1}, version="1")
    assert k == c.key("movie", files=[f], params={"a": 1}, version="1")
    assert k != c.key("movie", files=[f], params={"a": 2}, version="1")
    assert k != c.key("movie", files=[f], params={"a": 1}, version="2")
    f.write_bytes(b"x" * 999 + b"y")
    assert k != c.key("movie", files=[f], params={"a": 1}, version="1")


def test_fingerprint_of_a_large_file_sees_a_change_in_a_sampled_region(tmp_path):
    f = tmp_path / "big.bin"
    data = bytearray(8 << 20)
    f.write_bytes(bytes(data))
    before = file_fingerprint(str(f))
    data[0] = 1
    f.write_bytes(bytes(data))
    assert file_fingerprint(str(f)) != before


def test_round_trip_and_missing_json_means_absent(tmp_path):
    c = StageCache(tmp_path)
    c.save("music", "k1", {"a": np.arange(5)}, {"x": 1})
    arrays, meta = c.load("music", "k1")
    assert arrays["a"].tolist() == [0, 1, 2, 3, 4] and meta == {"x": 1}
    (tmp_path / "music" / "k1.json").unlink()
    assert c.load("music", "k1") is None


def test_failed_write_leaves_no_entry_and_no_temp_file(tmp_path):
    c = StageCache(tmp_path)

    class Boom:
        def __array__(self, *a, **k):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        c.save("movie", "k2", {"a": Boom()}, {"x": 1})
    assert c.load("movie", "k2") is None
    assert [p.name for p in (tmp_path / "movie").iterdir()] == []


def test_corrupt_entry_is_ignored_with_a_warning(tmp_path, caplog):
    c = StageCache(tmp_path)
    c.save("movie", "k3", {"a": np.arange(3)}, {})
    (tmp_path / "movie" / "k3.npz").write_bytes(b"garbage")
    assert c.load("movie", "k3") is None
    assert "damaged cache entry" in caplog.text
