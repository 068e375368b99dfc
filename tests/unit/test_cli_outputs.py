"""The CLI's output contract for the writers' faults (issue 10 items 1 and 11): exit 2, one line
on stderr, nothing written, the source untouched. Synthetic media, no real films."""
from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from trailersmith.cli import main
from trailersmith.core import synthetic


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outputs_media")
    movie = folder / "film.otio"  # an MP4 named .otio, as in the report: PyAV reads it anyway
    synthetic.make_movie(str(movie), shot_lengths=[48] * 12, size=(160, 90), seed=2)
    music = folder / "music.wav"
    synthetic.make_music(str(music), duration_s=6.0)
    return movie, music


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(capsys, argv):
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    return code, [line for line in err if line.strip()]


def test_an_output_never_overwrites_the_movie_even_with_force(media, tmp_path, capsys):
    movie, music = media
    before = _digest(movie)
    code, err = _run(capsys, ["suggest", str(movie), str(music), "-o", str(movie), "--force",
                              "--cache-dir", str(tmp_path / "cache")])
    assert code == 2 and len(err) == 1 and "never replaces an input" in err[0], err
    assert _digest(movie) == before  # before the fix: the movie was replaced by the timeline
    assert sorted(p.name for p in movie.parent.iterdir()) == ["film.otio", "music.wav"]


def test_a_full_disk_is_exit_2_with_one_line_and_nothing_left(media, tmp_path, capsys):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    movie, music = media
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(small)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (small / "filler").write_bytes(b"\0" * 12_000)
        code, err = _run(capsys, ["suggest", str(movie), str(music), "-o", str(small / "t.otio"),
                                  "--cache-dir", str(tmp_path / "cache")])
        names = sorted(p.name for p in small.iterdir())
    finally:
        subprocess.run(["umount", str(small)], check=False)
    # before the fix: exit 0, "wrote t.otio", and a truncated t.otio
    assert code == 2 and len(err) == 1 and "disk is full" in err[0], err
    assert names == ["filler"]
