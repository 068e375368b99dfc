"""``batch analyze`` on a real two-node Ray cluster on loopback, with the second node killed
mid-batch: every clip ends analysed, every cache entry reads back, ``suggest`` then hits."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import trailersmith
from tests.support.ray_cluster import LoopbackCluster

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                                reason="needs the cluster extra (ray)")

BBB = "video/bbb/bbb_full_720p24.mp4"
MUSIC = "music/beat_annotated/madmom/sample.wav"  # 2.8 s: fits a 6 s clip
CLIPS = 6


@pytest.fixture
def clips(tmp_path, media_path):
    """Six 6-second clips of Big Buck Bunny, cut without re-encoding."""
    source = media_path(BBB)
    out = []
    for i in range(CLIPS):
        clip = tmp_path / f"bbb{i}.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(60 + 45 * i), "-i",
                        str(source), "-t", "6", "-c", "copy", str(clip)], check=True)
        out.append(str(clip))
    return out


def _entries(cache: Path):
    return sorted((cache / "movie").glob("*.json")) if (cache / "movie").is_dir() else []


def test_a_killed_node_loses_no_film_and_leaves_no_corrupt_entry(tmp_path, clips, media_path,
                                                                   monkeypatch):
    cache = tmp_path / "cache"
    cluster = LoopbackCluster(pythonpath=str(Path(trailersmith.__file__).parents[1]))
    try:
        cluster.start_head()
        second = cluster.add_node()
        bound = cluster.listening()
        assert bound and all(a.startswith(("127.0.0.1:", "[::ffff:127.0.0.1]:")) for a in bound), \
            bound
        cmd = [sys.executable, "-m", "trailersmith", "batch", "analyze", *clips, "--detector",
               "histogram", "--ray-address", cluster.address, "--cache-dir", str(cache), "--json"]
        proc = subprocess.Popen(cmd, env=cluster.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 240
        while not _entries(cache):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no clip was analysed in 4 minutes"
            time.sleep(0.1)
        done_at_kill = len(_entries(cache))
        cluster.kill(second)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    finally:
        cluster.stop()
    assert done_at_kill < CLIPS  # the node died mid-batch, not after it
    report = json.loads(out)
    assert [f["status"] for f in report["films"]] == ["analysed"] * CLIPS, report
    assert [f["movie"] for f in report["films"]] == clips
    entries = _entries(cache)
    assert len(entries) == CLIPS
    for entry in entries:  # every entry reads back whole
        assert json.loads(entry.read_text())["meta"]["frame_count"] > 0
        with np.load(entry.with_suffix(".npz"), allow_pickle=False) as data:
            assert all(data[name] is not None for name in data.files)
            assert len(data["shots"]) >= 1

    # suggest on each clip now starts from the cache: the movie stage loads and never saves.
    from trailersmith.core.cache import StageCache
    from trailersmith.core.options import SuggestOptions
    from trailersmith.core.pipeline import suggest

    loads, saves = [], []
    real_load, real_save = StageCache.load, StageCache.save

    def load(self, stage, key, **checks):
        hit = real_load(self, stage, key, **checks)
        loads.append((stage, hit is not None))
        return hit

    def save(self, stage, key, arrays, meta):
        saves.append(stage)
        return real_save(self, stage, key, arrays, meta)

    monkeypatch.setattr(StageCache, "load", load)
    monkeypatch.setattr(StageCache, "save", save)
    for clip in clips:
        suggest(clip, str(media_path(MUSIC)), SuggestOptions(detector="histogram",
                                                             cache_dir=str(cache)))
    assert [hit for stage, hit in loads if stage == "movie"] == [True] * CLIPS
    assert "movie" not in saves
