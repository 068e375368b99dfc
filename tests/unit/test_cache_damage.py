"""Issue 10 item 3: a damaged cache entry is detected, discarded with a warning, and recomputed."""
from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from trailersmith.core.stage_entries import ENTRY_CHECKS
from trailersmith.core.cache import StageCache


def movie_entry():
    """A small, valid movie-stage entry (3 shots over 10 frames)."""
    arrays = {"shots": np.array([[0, 4], [4, 7], [7, 10]]), "scenes": np.array([0, 0, 1]),
              "transitions": np.zeros((0, 2), np.int64), "kinds": np.array([0, 1, 1], np.int8),
              "frame_times_s": np.arange(10) / 24.0,
              "state_affect_stats": np.ones((10, 7), np.float32)}
    meta = {"fps": "24/1", "frame_count": 10, "duration_s": 10 / 24, "detector": "histogram"}
    return arrays, meta


def music_entry():
    arrays = {"beats_s": np.arange(8) * 0.5, "downbeats_s": np.arange(2) * 2.0,
              "sections_s": np.array([[0.0, 4.0]]), "cuts_s": np.array([1.0, 2.0]),
              "energy": np.ones(3), "segment_features": np.ones((3, 4)),
              "waveform": np.ones((20, 2), np.float32), "cue_loudness_db": np.ones(3)}
    return arrays, {"duration_s": 4.0, "sample_rate": 22050, "tempo_bpm": 120.0}


def load_movie(cache):
    return cache.load("movie", "k", required=ENTRY_CHECKS["movie"][0],
                      validate=ENTRY_CHECKS["movie"][1])


def assert_discarded(cache, tmp_path, caplog, stage="movie"):
    with caplog.at_level(logging.WARNING, logger="trailersmith.core.cache"):
        load = load_movie if stage == "movie" else lambda c: c.load(
            "music", "k", required=ENTRY_CHECKS["music"][0], validate=ENTRY_CHECKS["music"][1])
        assert load(cache) is None
    assert "discarding damaged cache entry" in caplog.text
    assert sorted(p.name for p in (tmp_path / stage).iterdir()) == []  # deleted: next run stores


def test_a_valid_entry_round_trips(tmp_path):
    cache = StageCache(tmp_path)
    arrays, meta = movie_entry()
    cache.save("movie", "k", arrays, meta)
    got, got_meta = load_movie(cache)
    assert got_meta == meta and np.array_equal(got["shots"], arrays["shots"])
    cache.save("music", "k", *music_entry())
    assert cache.load("music", "k", required=ENTRY_CHECKS["music"][0],
                      validate=ENTRY_CHECKS["music"][1]) is not None


@pytest.mark.parametrize("damage", ["empty", "truncated", "bit flip", "garbage"])
def test_a_damaged_arrays_file_is_discarded(tmp_path, caplog, damage):
    cache = StageCache(tmp_path)
    cache.save("movie", "k", *movie_entry())
    npz = tmp_path / "movie" / "k.npz"
    data = bytearray(npz.read_bytes())
    if damage == "empty":
        data = bytearray()
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "bit flip":
        data[len(data) // 2] ^= 0x10  # inside the (uncompressed) array data: np.load accepts it
    else:
        data = bytearray(b"not a zip file at all" * 10)
    npz.write_bytes(bytes(data))
    assert_discarded(cache, tmp_path, caplog)


@pytest.mark.parametrize("text", ["", "{", "[]", "null", '{"format": 2}',
                                  '{"format": 1, "meta": {}}', "\xff\xfe"])
def test_a_damaged_metadata_file_is_discarded(tmp_path, caplog, text):
    cache = StageCache(tmp_path)
    cache.save("movie", "k", *movie_entry())
    (tmp_path / "movie" / "k.json").write_bytes(text.encode("latin-1"))
    assert_discarded(cache, tmp_path, caplog)


def _resave(cache, tmp_path, stage, arrays, meta):
    """Store a hand-made entry with a *valid* checksum, as a buggy or older writer would."""
    cache.save(stage, "k", arrays, meta)
    assert (tmp_path / stage / "k.json").exists()


@pytest.mark.parametrize("change", [
    {"fps": "abc"}, {"fps": "0/1"}, {"frame_count": -3}, {"frame_count": "10"},
    {"duration_s": float("nan")}, {"fps": None}])
def test_bad_metadata_values_are_discarded(tmp_path, caplog, change):
    cache = StageCache(tmp_path)
    arrays, meta = movie_entry()
    _resave(cache, tmp_path, "movie", arrays, {**meta, **change})
    assert_discarded(cache, tmp_path, caplog)


@pytest.mark.parametrize("name,value", [
    ("shots", None),                                        # missing
    ("kinds", np.array([0, 1, 7], np.int8)),               # out of range
    ("shots", np.array([0, 4, 7])),                         # wrong shape
    ("shots", np.array([[0.0, 4], [4, 7], [7, 10]])),       # wrong dtype
    ("shots", np.array([[0, 4], [5, 7], [7, 10]])),         # gap: not contiguous
    ("shots", np.array([[0, 4], [4, 7], [7, 12]])),         # past the last frame
    ("scenes", np.array([0, 1])),                           # does not fit the shots
    ("frame_times_s", np.full(10, np.nan)),                 # NaN
    ("state_affect_stats", np.full((10, 7), np.nan, np.float32)),
])
def test_bad_movie_arrays_are_discarded(tmp_path, caplog, name, value):
    cache = StageCache(tmp_path)
    arrays, meta = movie_entry()
    if value is None:
        del arrays[name]
    else:
        arrays[name] = value
    _resave(cache, tmp_path, "movie", arrays, meta)
    assert_discarded(cache, tmp_path, caplog)


@pytest.mark.parametrize("name,value", [
    ("beats_s", None), ("cuts_s", np.array([2.0, 1.0])), ("segment_features", np.ones(3)),
    ("cue_loudness_db", np.array([1.0, np.nan, 1.0])), ("cue_loudness_db", np.ones(5))])
def test_bad_music_arrays_are_discarded(tmp_path, caplog, name, value):
    cache = StageCache(tmp_path)
    arrays, meta = music_entry()
    if value is None:
        del arrays[name]
    else:
        arrays[name] = value
    _resave(cache, tmp_path, "music", arrays, meta)
    assert_discarded(cache, tmp_path, caplog, stage="music")


def test_an_entry_in_the_old_format_is_recomputed(tmp_path, caplog):
    cache = StageCache(tmp_path)
    arrays, meta = movie_entry()
    (tmp_path / "movie").mkdir()
    np.savez(tmp_path / "movie" / "k.npz", **arrays)
    (tmp_path / "movie" / "k.json").write_text(json.dumps(meta))
    assert_discarded(cache, tmp_path, caplog)


def test_the_same_arrays_give_the_same_file(tmp_path):
    """Two runs storing one entry at once cannot pair one's JSON with the other's arrays."""
    a, b = StageCache(tmp_path / "a"), StageCache(tmp_path / "b")
    arrays, meta = movie_entry()
    a.save("movie", "k", arrays, meta)
    import time
    time.sleep(2.1)  # zip timestamps have a 2 s resolution
    b.save("movie", "k", arrays, meta)
    assert (tmp_path / "a/movie/k.npz").read_bytes() == (tmp_path / "b/movie/k.npz").read_bytes()
    assert (tmp_path / "a/movie/k.json").read_bytes() == (tmp_path / "b/movie/k.json").read_bytes()
