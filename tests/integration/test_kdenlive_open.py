"""Real Kdenlive (22.12 on Debian 12) opens our projects without complaint, with our clips on its
timeline.

Kdenlive runs under Xvfb with its own D-Bus session bus (``dbus-daemon``, as ``dbus-run-session``
would give it) and a throw-away HOME (``tests/support/kdenlive_session.py``). How we check:

* no dialog: every top-level window is listed with ``xwininfo -root -tree`` while the project loads
  and for a while after; anything but the main window and Qt's helper windows is a dialog. A
  screenshot (ImageMagick ``import``) is kept as evidence, in ``$TRAILERSMITH_ARTIFACTS`` if set.
* clips on the timeline: Kdenlive's own "Save" action is triggered over D-Bus (KXmlGui exports
  every action as ``/kdenlive/MainWindow_1/actions/<name>``); Kdenlive then writes the project from
  its timeline model, and we read that file back and compare the cuts with the plan.

Install what it needs with ``scripts/install_kdenlive.sh``.
"""
from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.kdenlive_session import KdenliveSession, missing_host_tools
from tests.support.plans import plan_from_sources
from trailersmith.adapters import read_timeline, write_timeline
from trailersmith.core.media import probe_video
from trailersmith.core.model import CutPlan
from trailersmith.core.timeline import build_timeline

MISSING = missing_host_tools(["kdenlive", "ffmpeg", "melt"])
pytestmark = [
    pytest.mark.kdenlive, pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}: run "
                       "scripts/install_kdenlive.sh (apt-get install kdenlive xvfb xdotool ...)"),
]


def make_media(folder: Path):
    """A 24000/1001 movie with start timecode 01:00:00:00 and a tone as music."""
    movie, music = folder / "movie.mp4", folder / "music.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=s=320x180:r=24000/1001:d=20", "-f", "lavfi", "-i", "sine=f=440:d=20",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", "-timecode", "01:00:00:00", str(movie)], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=f=220:d=12:sample_rate=48000", "-ac", "2", str(music)], check=True)
    return movie, music


def make_plan(movie: Path, music: Path) -> CutPlan:
    info = probe_video(str(movie))
    sources = [(100, 148), (10, 58), (300, 372), (200, 260), (400, 454)]
    position = sum(end - first for first, end in sources)
    return plan_from_sources(info, sources, music_path=music, scores=0.7,
                             reasons=lambda j: f"reason {j}",
                             sections=[(0, 96, "intro"), (96, position, "drop")])


def kdenlive_property(path: Path, name: str):
    for prop in ET.parse(path).getroot().iter("property"):
        if prop.get("name") == name:
            return prop.text
    return None


def test_kdenlive_opens_our_project_with_the_clips_on_its_timeline(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    movie, music = make_media(media)
    plan = make_plan(movie, music)
    assert plan.movie.start_frame == 86400
    project = Path(write_timeline(build_timeline(plan, name="Trailer"),
                                  tmp_path / "trailer.kdenlive"))
    written = project.read_bytes()

    with KdenliveSession(project, tmp_path / "session") as session:
        main, seen = session.open_project_window("trailer", settle_s=12)
        shot = session.screenshot(tmp_path / "kdenlive_opened.png")
        assert not seen, f"Kdenlive showed dialogs {sorted(seen)}; screenshot {shot}"
        assert "320x180" in main[0][1] and "23.976" in main[0][1], main
        assert project.read_bytes() == written, "opening alone must not rewrite the project"

        session.save_project(project, written)

    version = kdenlive_property(project, "kdenlive:docproperties.kdenliveversion")
    assert version and version.split(".")[0].isdigit(), "the file was not re-written by Kdenlive"
    back = read_timeline(project)
    (video,) = [t for t in back.tracks if t.kind == "Video"]
    cuts = [(round(c.source_range.start_time.value), round(c.source_range.duration.value),
             round(video.range_of_child(c).start_time.value)) for c in video.find_clips()]
    assert cuts == [(86400 + c.source_start, c.length, c.record_start) for c in plan.clips]
    assert {c.media_reference.target_url for c in video.find_clips()} == {str(movie)}
    (audio,) = [t for t in back.tracks if t.kind == "Audio"]
    (song,) = audio.find_clips()
    assert song.media_reference.target_url == str(music)
    assert round(song.source_range.duration.value) == plan.duration_frames
    assert [(round(m.marked_range.start_time.value), m.name) for m in back.tracks.markers] == \
        [(0, "intro"), (96, "drop")]
    assert [t.name for t in back.tracks] == ["Video 1", "Audio 1"]


def test_the_dialog_check_sees_kdenlive_complaining(tmp_path):
    """Control: a plain MLT file named .kdenlive makes Kdenlive complain, and we notice."""
    media = tmp_path / "media"
    media.mkdir()
    movie, _music = make_media(media)
    project = tmp_path / "plain.kdenlive"
    subprocess.run(["melt", "-quiet", str(movie), "in=10", "out=40", "-consumer",
                    f"xml:{project}"], check=True, timeout=120, capture_output=True)
    with KdenliveSession(project, tmp_path / "session") as session:
        dialogs = session.wait_for(session.dialogs, 180, "a complaint about the plain MLT file")
        session.screenshot(tmp_path / "kdenlive_plain_mlt.png")
    assert any("Incorrect project file" in title for _id, title in dialogs), dialogs


def test_kdenlive_keeps_each_shot_grouped_with_its_own_sound(tmp_path):
    """Audio 2 (the shots' own sound): Kdenlive opens it, and its re-save keeps our AV groups."""
    import json

    media = tmp_path / "media"
    media.mkdir()
    movie, music = make_media(media)
    plan = make_plan(movie, music)
    assert plan.movie.has_audio
    project = Path(write_timeline(build_timeline(plan, name="Trailer", source_audio=True),
                                  tmp_path / "trailer.kdenlive"))
    written = project.read_bytes()
    ours = json.loads(kdenlive_property(project, "kdenlive:docproperties.groups"))
    assert len(ours) == len(plan.clips)
    with KdenliveSession(project, tmp_path / "session") as session:
        _, seen = session.open_project_window("trailer")
        assert not seen, seen
        session.save_project(project, written)
    back = read_timeline(project)
    assert [t.name for t in back.tracks] == ["Video 1", "Audio 1", "Audio 2"]
    video, _music, sound = back.tracks
    assert [(c.source_range, video.range_of_child(c).start_time) for c in video.find_clips()] == \
        [(c.source_range, sound.range_of_child(c).start_time) for c in sound.find_clips()]
    groups = json.loads(kdenlive_property(project, "kdenlive:docproperties.groups") or "[]")

    def leaves(group_list):
        return sorted(sorted(leaf["data"] for leaf in g["children"]) for g in group_list)

    assert [g["type"] for g in groups] == ["AVSplit"] * len(plan.clips), groups
    assert leaves(groups) == leaves(ours)


def test_kdenlive_opens_a_title_card_as_a_colour_clip_on_v2(tmp_path):
    """--title-card: Kdenlive opens the TITLE colour clip on the second video track, no dialog,
    and its re-save keeps it there, from the title's frame to the music's end."""
    from trailersmith.core.timeline import is_title_card

    media = tmp_path / "media"
    media.mkdir()
    movie, music = make_media(media)
    plan = make_plan(movie, music)
    title = plan.duration_frames
    plan.duration_frames, plan.title_start_frame = title + 48, title
    project = Path(write_timeline(build_timeline(plan, name="Trailer"),
                                  tmp_path / "trailer.kdenlive"))
    written = project.read_bytes()
    with KdenliveSession(project, tmp_path / "session") as session:
        _, seen = session.open_project_window("trailer")
        assert not seen, seen
        session.save_project(project, written)
    back = read_timeline(project)
    videos = [t for t in back.tracks if t.kind == "Video"]
    assert [t.name for t in videos] == ["Video 1", "Video 2"]
    assert len(list(videos[0].find_clips())) == len(plan.clips)
    (card,) = videos[1].find_clips()
    assert is_title_card(card)
    where = videos[1].range_of_child(card)
    assert (round(where.start_time.value), round(where.duration.value)) == (title, 48)
