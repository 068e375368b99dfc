"""``batch suggest`` on 2 movies x 3 tracks writes the same 6 timelines as 6 single
``suggest`` runs (each from an empty cache of its own)."""
from __future__ import annotations

import json
import subprocess

import pytest

from trailersmith.cli import main

BBB = "video/bbb/bbb_full_720p24.mp4"
TRACKS = ("music/beat_annotated/madmom/sample.wav",
          "music/librosa/sorohanro_-_solo-trumpet-06.hq.ogg")


@pytest.fixture
def media(tmp_path, media_path):
    """Two 20-second clips of Big Buck Bunny and three tracks of 2.8, 5.3 and 8 s."""
    movies = []
    for i, start in enumerate((120, 200)):
        clip = tmp_path / f"movie{i}.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(start), "-i",
                        str(media_path(BBB)), "-t", "20", "-c", "copy", str(clip)], check=True)
        movies.append(str(clip))
    tracks = [str(media_path(t)) for t in TRACKS]
    excerpt = tmp_path / "frantic8.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "20", "-t", "8", "-i",
                    str(media_path("music/wesnoth/frantic.ogg")), str(excerpt)], check=True)
    return movies, tracks + [str(excerpt)]


def test_batch_suggest_matches_single_suggest_runs(tmp_path, media):
    movies, tracks = media
    out = tmp_path / "batch"
    code = main(["batch", "suggest", "--movies", *movies, "--music", *tracks, "-o", str(out),
                 "--detector", "histogram", "--workers", "2", "--cache-dir",
                 str(tmp_path / "cache-batch"), "--seed", "3"])
    assert code == 0
    written = sorted(out.glob("*.otio"))
    assert len(written) == 6
    for movie in movies:
        for track in tracks:
            single = tmp_path / "single.otio"
            assert main(["suggest", movie, track, "-o", str(single), "--force", "--detector",
                         "histogram", "--cache-dir", str(tmp_path / "cache-single"),
                         "--seed", "3"]) == 0
            stem = lambda p: p.rsplit("/", 1)[-1].rsplit(".", 1)[0]  # noqa: E731
            batch = out / f"{stem(movie)}__{stem(track)}.otio"
            assert json.loads(batch.read_text()) == json.loads(single.read_text()), batch.name
            assert batch.read_bytes() == single.read_bytes()
