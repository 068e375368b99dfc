"""recut from a ``.kdenlive`` that real Kdenlive saved: the editor's edits survive a new track.

A suggestion is made on a 60 s excerpt of Big Buck Bunny (start timecode 01:00:00:00) and 15 s of
frantic.ogg, edited as an editor would (``_edit`` of test_recut_synthetic: clips deleted, two
swapped, one trimmed, a window the generator did not choose, two marked ``keep``), written as a
``.kdenlive``, opened in Kdenlive (22.12 on the host; 26.x in the chroot when installed) and saved
with File > Save As. The SAVED project is then re-cut to 22 s of love_theme.ogg.
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.test_kdenlive26 import save_as, wait_for_main_window
from tests.integration.test_recut_synthetic import _edit
from tests.support import kdenlive26
from tests.support.kdenlive_session import KdenliveSession, missing_host_tools
from tests.support.recut_checks import check_recut_plan
from trailersmith.adapters import read_timeline, write_timeline
from trailersmith.core.options import SuggestOptions
from trailersmith.core.recut import KEEP_MARKER, recut

MISSING = missing_host_tools(["kdenlive", "ffmpeg"])
pytestmark = [pytest.mark.kdenlive, pytest.mark.slow]
OPTIONS = SuggestOptions(detector="histogram")


@pytest.fixture(scope="module")
def edited_project(tmp_path_factory, media_path):
    """``(folder, movie info, edited .kdenlive, new music)``."""
    from trailersmith.core.pipeline import suggest

    d = tmp_path_factory.mktemp("recut_kdenlive")
    movie, first, second = d / "movie.mp4", d / "frantic.wav", d / "love_theme.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "120", "-t", "60", "-i",
                    str(media_path("video/bbb/bbb_full_720p24.mp4")), "-vf", "scale=640:360",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a",
                    "aac", "-timecode", "01:00:00:00", str(movie)], check=True, timeout=600)
    for src, out, seconds in (("frantic.ogg", first, 15), ("love_theme.ogg", second, 22)):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-t", str(seconds), "-i",
                        str(media_path(f"music/wesnoth/{src}")), "-ac", "2", "-ar", "48000",
                        str(out)], check=True, timeout=300)
    result = suggest(str(movie), str(first), OPTIONS)
    info = result.plan.movie
    assert info.start_frame == 86400
    edited = _edit(result.timeline.deepcopy(), info.path, info.frame_count,
                   info.start_frame)
    project = Path(write_timeline(edited, d / "trailer.kdenlive"))
    return d, info, project, second


def _save_in(version: str, project: Path, saved: Path, folder: Path) -> None:
    if version == "22.12":
        if MISSING:
            pytest.skip(f"needs {', '.join(MISSING)}: run scripts/install_kdenlive.sh")
        session_cm = KdenliveSession(project, folder / "session22")
    else:
        reason = kdenlive26.unavailable_reason()
        if reason:
            pytest.skip(reason)
        session_cm = kdenlive26.chroot_session(project, folder / "session26", bind=[folder])
    with session_cm as session:
        wait_for_main_window(session, "trailer / ")
        time.sleep(10)  # clips load in the background
        save_as(session, saved)


@pytest.mark.parametrize("version", ["22.12", "26"])
def test_recut_of_a_project_saved_by_kdenlive(edited_project, version):
    folder, movie, project, music = edited_project
    saved = folder / f"saved_{version}.kdenlive"
    _save_in(version, project, saved, folder)
    edited = read_timeline(str(saved))
    ours = read_timeline(str(project))
    mine = [(int(c.source_range.start_time.value), int(c.source_range.duration.value),
             any(m.name == KEEP_MARKER for m in c.markers)) for c in ours.tracks[0].find_clips()]
    theirs = [(int(c.source_range.start_time.value), int(c.source_range.duration.value),
               any(m.name == KEEP_MARKER for m in c.markers))
              for c in [t for t in edited.tracks if t.kind == "Video"][0].find_clips()]
    # Kdenlive keeps every clip and moves the keep markers to the bin clip: each still on its clip
    assert theirs == mine and sum(k for *_x, k in mine) == 2

    result = recut(edited, str(music), OPTIONS)
    plan, report = result.plan, result.report
    editor = [c for c in plan.clips if c.tags.get("recut") != "filled"]
    assert report.counts()["dropped"] == 0, report.as_dict()
    assert [c.tags["editor_position"] for c in editor] == list(range(len(mine)))
    start = movie.start_frame
    for clip, (first, length, keep) in zip(editor, mine):
        if keep:
            assert (clip.source_start, clip.length) == (first - start, length)
        else:
            assert clip.source_start == first - start
    check_recut_plan(result, movie.frame_count, OPTIONS.spoiler_guard)
    assert report.counts()["kept"] == 2
