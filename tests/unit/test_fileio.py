"""core.fileio: every write checked, synced and atomic; a full disk is one clear error, no debris.

Two kinds of full disk: a fake ``os.write`` (short writes, zero-byte writes, ENOSPC) that runs
anywhere, and a real 64 KiB tmpfs, mounted when the tests run as root (skipped otherwise).
"""
from __future__ import annotations

import errno
import os
import subprocess
from fractions import Fraction

import numpy as np
import pytest

from trailersmith.core import fileio
from trailersmith.core.errors import DiskFullError, OutputError, ParameterError


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB file system of its own (tmpfs), or skip where it cannot be mounted."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_write_atomic_writes_with_normal_permissions_and_leaves_nothing_else(tmp_path):
    path = fileio.write_atomic(str(tmp_path / "a.json"), '{"x": 1}')
    assert open(path).read() == '{"x": 1}'
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
    assert _names(tmp_path) == ["a.json"]


def test_without_overwrite_an_existing_file_is_kept(tmp_path):
    target = tmp_path / "t.otio"
    target.write_text("the editor's own work")
    with pytest.raises(ParameterError, match="exists; pass --force"):
        fileio.write_atomic(str(target), "new", overwrite=False)
    assert target.read_text() == "the editor's own work" and _names(tmp_path) == ["t.otio"]


def test_short_writes_are_retried_until_every_byte_is_written(tmp_path, monkeypatch):
    real_write = os.write
    monkeypatch.setattr(fileio.os, "write", lambda fd, data: real_write(fd, bytes(data)[:7]))
    blob = bytes(range(256)) * 40
    fileio.write_atomic(str(tmp_path / "b.bin"), blob)
    assert (tmp_path / "b.bin").read_bytes() == blob


@pytest.mark.parametrize("failure", ["zero", "enospc", "edquot"])
def test_a_full_disk_is_one_clear_error_and_the_old_file_survives(tmp_path, monkeypatch, failure):
    target = tmp_path / "t.edl"
    target.write_text("previous version")
    real_write = os.write

    def full(fd, data):
        if failure == "zero":
            return real_write(fd, bytes(data)[:3]) if not os.fstat(fd).st_size else 0
        raise OSError(errno.ENOSPC if failure == "enospc" else errno.EDQUOT, "No space")

    monkeypatch.setattr(fileio.os, "write", full)
    with pytest.raises(DiskFullError) as error:
        fileio.write_atomic(str(target), "x" * 10_000)
    message = str(error.value)
    assert "disk is full" in message and str(target) in message and "\n" not in message
    assert target.read_text() == "previous version" and _names(tmp_path) == ["t.edl"]


def test_a_size_mismatch_on_disk_is_caught(tmp_path, monkeypatch):
    real_fstat = os.fstat

    class Short:
        def __init__(self, st):
            self.st_size = st.st_size - 1

    monkeypatch.setattr(fileio.os, "fstat", lambda fd: Short(real_fstat(fd)))
    with pytest.raises(DiskFullError, match="Only"):
        fileio.write_atomic(str(tmp_path / "c.txt"), "0123456789")
    assert _names(tmp_path) == []


def test_file_set_is_all_or_nothing(tmp_path):
    def refuse(_path):
        raise OutputError("second file did not parse back")

    with pytest.raises(OutputError):
        with fileio.FileSet() as files:
            files.add(str(tmp_path / "one.otio"), "1")
            files.add(str(tmp_path / "two.xml"), "2", verify=refuse)
            files.commit()
    assert _names(tmp_path) == []
    with fileio.FileSet() as files:
        files.add(str(tmp_path / "one.otio"), "1")
        files.add(str(tmp_path / "two.xml"), "2")
        assert _names(tmp_path) != ["one.otio", "two.xml"]  # nothing in place before commit
        files.commit()
    assert _names(tmp_path) == ["one.otio", "two.xml"]


def test_temporary_names_fit_and_keep_the_suffix(tmp_path):
    name = "x" * 250 + ".otio"
    tmp = fileio.temporary_name(str(tmp_path / name))
    base = os.path.basename(tmp)
    assert len(base.encode()) <= 255 and base.endswith(".otio") and base.startswith(".xxx")
    fileio.write_atomic(str(tmp_path / name), "ok")
    assert _names(tmp_path) == [name]


def test_control_characters_in_paths_are_escaped_in_messages(tmp_path, monkeypatch):
    monkeypatch.setattr(fileio.os, "write", lambda fd, data: 0)
    with pytest.raises(DiskFullError) as error:
        fileio.write_atomic(str(tmp_path / "evil\nname.otio"), "data")
    assert "\n" not in str(error.value) and "evil\\nname.otio" in str(error.value)


# --- a real full disk ----------------------------------------------------------------------
def test_real_full_disk_write_atomic(small_disk):
    (small_disk / "keep.txt").write_text("keep")
    with pytest.raises(DiskFullError):
        fileio.write_atomic(str(small_disk / "big.bin"), os.urandom(200_000))
    assert _names(small_disk) == ["keep.txt"]


def test_real_full_disk_atomic_file_with_numpy(small_disk):
    with pytest.raises(DiskFullError):
        with fileio.atomic_file(str(small_disk / "entry.npz")) as handle:
            np.savez(handle, a=np.random.default_rng(0).random(50_000))
    assert _names(small_disk) == []


def test_real_full_disk_timeline_is_refused_not_truncated(small_disk):
    """OTIO 0.18 itself reports success after a short write; write_timeline must not."""
    import opentimelineio as otio

    from trailersmith.adapters import write_timeline
    from trailersmith.core.model import CutPlan, PlacedClip, VideoInfo
    from trailersmith.core.timeline import build_timeline

    fps = Fraction(24)
    movie = VideoInfo(path="/media/film.mov", fps=fps, frame_count=100_000, width=1920,
                      height=1080, duration_s=100_000 / 24)
    clips = [PlacedClip(segment=j, shot=j, scene=j, source_start=10 * j, source_end=10 * j + 10,
                        record_start=10 * j, record_end=10 * j + 10, score=0.5, reason="r" * 40)
             for j in range(400)]
    plan = CutPlan(movie=movie, music_path="/media/song.wav", music_duration_s=4000 / 24,
                   fps=fps, duration_frames=4000, clips=clips, sections=[(0, 4000, "all")])
    timeline = build_timeline(plan, name="big")
    # The defect, shown: OTIO's own writer returns normally and leaves a truncated file.
    otio.adapters.write_to_file(timeline, str(small_disk / "raw.otio"))
    assert os.path.getsize(small_disk / "raw.otio") < len(otio.adapters.write_to_string(timeline))
    os.unlink(small_disk / "raw.otio")
    with pytest.raises(DiskFullError):
        write_timeline(timeline, str(small_disk / "t.otio"))
    assert _names(small_disk) == []
