"""Issue 11's timeline parts: the shots' own sound on "Audio 2" (off by default, linked where the
format can say so) and beat markers on the music clip."""
from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from trailersmith.adapters import read_timeline, write_timeline
from trailersmith.core.errors import ParameterError
from trailersmith.core.model import CutPlan, PlacedClip, VideoInfo
from trailersmith.core.timeline import build_timeline

_EVENT = re.compile(r"^\d{3,}\s")


def _plan(fps=Fraction(24), has_audio=True):
    movie = VideoInfo(path="/media/films/feature.mov", fps=fps, frame_count=3000, width=640,
                      height=360, duration_s=3000 / float(fps), start_frame=86400,
                      has_audio=has_audio)
    clips, position = [], 0
    for j, length in enumerate((30, 40, 25, 50)):
        start = 100 + 300 * j
        clips.append(PlacedClip(segment=j, shot=j, scene=j, source_start=start,
                                source_end=start + length, record_start=position,
                                record_end=position + length, score=0.5, reason="r"))
        position += length
    return CutPlan(movie=movie, music_path="/media/music/song.wav",
                   music_duration_s=position / float(fps), fps=fps, duration_frames=position,
                   clips=clips, sections=[(0, position, "all")])


def _ranges(track):
    return [(round(c.source_range.start_time.value), round(c.source_range.duration.value),
             round(track.range_of_child(c).start_time.value), c.media_reference.target_url)
            for c in track.find_clips()]


def test_off_by_default():
    timeline = build_timeline(_plan(), name="t")
    assert [t.name for t in timeline.tracks] == ["Video 1", "Audio 1"]
    assert timeline.metadata["trailersmith"]["source_audio"] is False


@pytest.mark.parametrize("suffix", [".otio", ".xml", ".kdenlive", ".edl"])
def test_each_shots_sound_has_its_pictures_source_range(tmp_path, suffix):
    timeline = build_timeline(_plan(), name="t", source_audio=True)
    video = timeline.tracks[0]
    back = read_timeline(write_timeline(timeline, tmp_path / f"t{suffix}"), rate=24)
    picture = next(t for t in back.tracks if t.kind == "Video")
    movie = {"/media/films/feature.mov"}
    sounds = [t for t in back.tracks if t.kind == "Audio" and
              {c.media_reference.target_url for c in t.find_clips()} == movie]
    assert len(sounds) == 1, [t.name for t in back.tracks]
    assert _ranges(sounds[0]) == _ranges(picture) == _ranges(video)


def test_linked_in_fcp7_xml_and_edl(tmp_path):
    timeline = build_timeline(_plan(), name="t", source_audio=True)
    root = ET.parse(write_timeline(timeline, tmp_path / "t.xml")).getroot()
    media = root.find(".//sequence/media")
    pictures = media.find("video").find("track").findall("clipitem")
    sounds = media.find("audio").findall("track")[1].findall("clipitem")
    for picture, sound in zip(pictures, sounds, strict=True):
        for item in (picture, sound):
            refs = [link.findtext("linkclipref") for link in item.findall("link")]
            assert refs == [picture.get("id"), sound.get("id")]
    lines = open(write_timeline(timeline, tmp_path / "t.edl")).read().splitlines()
    # picture and own sound linked (B: V + A1), then the music on A2
    assert [line.split()[2] for line in lines if _EVENT.match(line)] == ["B"] * 4 + ["A2"]
    plain = build_timeline(_plan(), name="t")
    lines = open(write_timeline(plain, tmp_path / "p.edl")).read().splitlines()
    assert [line.split()[2] for line in lines if _EVENT.match(line)] == ["V"] * 4 + ["A"]


def test_a_movie_without_sound_is_refused():
    with pytest.raises(ParameterError, match="no sound"):
        build_timeline(_plan(has_audio=False), name="t", source_audio=True)


@pytest.mark.parametrize("which, expected", [
    ("none", []),
    ("downbeats", [(0, "Downbeat"), (48, "Downbeat"), (96, "Downbeat")]),
    ("beats", [(0, "Downbeat"), (12, "Beat"), (24, "Beat"), (36, "Beat"), (48, "Downbeat")]),
])
def test_beat_markers_on_the_music_clip(which, expected):
    plan = _plan()
    beats = [0.5 * i for i in range(20)]  # 120 bpm; a bar of 4 every 2 s
    timeline = build_timeline(plan, name="t", beat_markers=which, beats_s=beats,
                              downbeats_s=beats[::4])
    (music,) = timeline.tracks[1].find_clips()
    got = [(round(m.marked_range.start_time.value), m.name) for m in music.markers]
    assert got[:len(expected)] == expected
    assert all(frame < plan.duration_frames for frame, _ in got)


def test_unknown_beat_marker_choice_is_refused():
    with pytest.raises(ParameterError, match="beat_markers"):
        build_timeline(_plan(), name="t", beat_markers="bars")


def test_source_audio_keeps_resolves_shape():
    from trailersmith.adapters.resolve.otio_shape import resolve_shape_problems, to_resolve_shape

    plan = dataclasses.replace(_plan())
    shaped = to_resolve_shape(build_timeline(plan, name="t", source_audio=True))
    assert resolve_shape_problems(shaped) == []
    assert [t.name for t in shaped.tracks] == ["Video 1", "Audio 1", "Audio 2"]
