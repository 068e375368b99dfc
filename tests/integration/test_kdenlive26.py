"""Kdenlive 26.x (Debian sid, in the chroot of ``scripts/install_kdenlive26.sh``) holds our
timeline clip for clip, whether it opens our ``.kdenlive`` or imports our ``.otio``.

The timeline is cut from real media: a 20 s excerpt of Big Buck Bunny re-encoded with a
01:00:00:00 start timecode (as editors' footage has) and an excerpt of a Wesnoth theme as music.
Kdenlive runs headless (``tests/support/kdenlive26.py``); its own "Save As" writes the project from
its timeline model, and we read every clip's record position, source in and source out back from
that file (``tests/support/kdenlive_project.py``), in the media file's 0-based frames.
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.support import kdenlive26
from tests.support.kdenlive_project import project_fps, timeline_tracks
from trailersmith.adapters import write_timeline
from trailersmith.core.media import probe_video
from trailersmith.core.timeline import build_timeline

REASON = kdenlive26.unavailable_reason()
pytestmark = [pytest.mark.kdenlive, pytest.mark.slow,
              pytest.mark.skipif(REASON is not None, reason=str(REASON))]
# Movie frames (0-based, in the excerpt) of each clip, placed back to back. Kdenlive 26.08's OTIO
# import puts the last clip of a track at source frame 0 unless our .otio ends the track with the
# disabled 1-frame tail of adapters/otio_json.py (KDENLIVE_26_OTIO_IMPORT).
SOURCES = [(100, 148), (10, 58), (300, 372), (200, 260), (400, 454)]
MOVIE = "video/bbb/bbb_full_720p24.mp4"
MUSIC = "music/wesnoth/love_theme.ogg"


def cut_media(media_path, folder: Path):
    """A 20 s, 24 fps excerpt of the film with timecode 01:00:00:00, and 12 s of music."""
    movie, music = folder / "bbb_excerpt.mp4", folder / "love_theme_excerpt.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "120", "-t", "20", "-i",
                    str(media_path(MOVIE)), "-vf", "scale=640:360", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-timecode", "01:00:00:00", str(movie)], check=True, timeout=300)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-t", "12", "-i", str(media_path(MUSIC)),
                    "-ac", "2", "-ar", "48000", str(music)], check=True, timeout=300)
    return movie, music


def make_plan(movie: Path, music: Path):
    from trailersmith.core.model import CutPlan, PlacedClip

    info = probe_video(str(movie))
    clips, position = [], 0
    for j, (first, end) in enumerate(SOURCES):
        clips.append(PlacedClip(segment=j, shot=j, scene=j, source_start=first, source_end=end,
                                record_start=position, record_end=position + end - first,
                                score=0.7, reason=f"reason {j}"))
        position += end - first
    return CutPlan(movie=info, music_path=str(music), music_duration_s=12.0, fps=info.fps,
                   duration_frames=position, clips=clips,
                   sections=[(0, 96, "intro"), (96, position, "drop")])


def write_timeline_files(tmp_path: Path, media_path):
    """``(plan, project.kdenlive, timeline.otio)`` written by our writers from the same plan."""
    media = tmp_path / "media"
    media.mkdir()
    movie, music = cut_media(media_path, media)
    plan = make_plan(movie, music)
    assert plan.movie.start_frame == 86400, "the excerpt must carry its 01:00:00:00 timecode"
    timeline = build_timeline(plan, name="Trailer")
    project = Path(write_timeline(timeline, tmp_path / "trailer.kdenlive"))
    otio_file = Path(write_timeline(timeline, tmp_path / "trailer.otio"))
    return plan, project, otio_file


@pytest.fixture
def timeline_files(tmp_path, media_path):
    return write_timeline_files(tmp_path, media_path)


def expected_cuts(plan):
    """``(media, in, out inclusive, record position)`` of each planned clip, in file frames."""
    return [(plan.movie.path, c.source_start, c.source_end - 1, c.record_start)
            for c in plan.clips]


def saved_tracks(saved: Path, plan):
    """``(video cuts, music cuts)`` of the saved project: the one video track that holds clips,
    and every cut of the music on the audio tracks."""
    assert project_fps(saved) == plan.fps
    tracks = timeline_tracks(saved)
    with_movie = [t for t in tracks if not t.audio and t.cuts]
    assert len(with_movie) == 1, [(t.name, t.audio, t.cuts) for t in tracks]
    songs = [cut for t in tracks if t.audio for cut in t.cuts if cut[0] == plan.music_path]
    return with_movie[0].cuts, songs


def assert_holds_plan(saved: Path, plan) -> None:
    """Every clip at its record frame with its source in and out, and the music under it."""
    video, songs = saved_tracks(saved, plan)
    assert video == expected_cuts(plan)
    assert songs == [(plan.music_path, 0, plan.duration_frames - 1, 0)]


def save_as(session, target: Path, *, timeout: float = 90) -> None:
    """Kdenlive's File > Save As, the path typed into its file dialog; waits for the file.

    A message box on the way (Kdenlive telling it upgraded an older document) is accepted."""
    session.trigger_action("file_save_as")
    dialog = session.wait_for(lambda: _titled(session, "Save"), 60, "the Save As dialog")
    session.enter_path(dialog[0], target)

    def written():
        for wid, title in session.dialogs(main_prefixes=MAIN_TITLES):
            if not title.startswith("Save"):
                session.press_return(wid)
        return target.exists() and target.stat().st_size > 0 and not _titled(session, "Save")

    session.wait_for(written, timeout, f"Kdenlive to save {target.name}")
    time.sleep(2)  # the save is complete when the file stops growing; it is small


MAIN_TITLES = ["trailer", "Untitled", "saved"]
# Boxes Kdenlive 26 in the bare chroot shows while it starts, before any project loads: its
# set-up check (no frei0r, no ffplay there) and KIO's "The file or folder  does not exist" for the
# media browser dock's empty start folder. Accepting them changes nothing in the project.
STARTUP_BOXES = ("Welcome to Kdenlive", "Error — Kdenlive")


def wait_for_main_window(session, start: str):
    """Wait for the main window titled ``start ...``, accepting the start-up boxes on the way."""
    def ready():
        for wid, title in session.windows():
            if title.startswith(STARTUP_BOXES):
                session.press_return(wid)
        return [w for w in session.windows() if w[1].startswith(start)]

    found = session.wait_for(ready, 180, f"the {start!r} window")
    time.sleep(3)
    ready()
    return found


def _titled(session, start: str):
    found = [w for w in session.dialogs(main_prefixes=MAIN_TITLES) if w[1].startswith(start)]
    return found[0] if found else None


def test_kdenlive26_opens_our_project_clip_for_clip(tmp_path, timeline_files):
    plan, project, _otio = timeline_files
    saved = tmp_path / "saved_opened.kdenlive"
    with kdenlive26.chroot_session(project, tmp_path / "session", bind=[tmp_path]) as session:
        wait_for_main_window(session, "trailer / ")
        time.sleep(10)  # clips load in the background
        session.screenshot(tmp_path / "kdenlive26_opened.png")
        save_as(session, saved)
    assert_holds_plan(saved, plan)


@pytest.fixture(scope="module")
def imported(tmp_path_factory, media_path):
    """Our ``.otio`` through File > OpenTimelineIO Import, saved: ``(plan, saved project)``.

    One Kdenlive run for the tests below."""
    tmp_path = tmp_path_factory.mktemp("kdenlive26_import")
    plan, _project, otio_file = write_timeline_files(tmp_path, media_path)
    saved = tmp_path / "saved_imported.kdenlive"
    with kdenlive26.chroot_session(None, tmp_path / "session", bind=[tmp_path]) as session:
        wait_for_main_window(session, "Untitled")
        session.trigger_action("import_project")  # File > OpenTimelineIO Import
        dialog = session.wait_for(lambda: _titled(session, "OpenTimelineIO"), 60,
                                  "the OpenTimelineIO Import dialog")
        session.enter_path(dialog[0], otio_file)
        # The import adds the media to the bin, waits until each clip is ready, then fills the
        # timeline of a new document.
        session.wait_for(lambda: not _titled(session, "OpenTimelineIO"), 60, "the import")
        time.sleep(15)
        session.screenshot(tmp_path / "kdenlive26_imported.png")
        save_as(session, saved)
    return plan, saved


def test_kdenlive26_otio_import_clip_for_clip(imported):
    """Every planned clip at its record frame with its source in and out, the music under it;
    after the music's end, only the 1-frame tail (Kdenlive's importer ignores ``enabled``)."""
    plan, saved = imported
    video, songs = saved_tracks(saved, plan)
    expected = expected_cuts(plan)
    assert video[:-1] == expected
    assert video[-1] == (plan.movie.path, 0, 0, plan.duration_frames), video[-1]
    assert songs == [(plan.music_path, 0, plan.duration_frames - 1, 0)]
