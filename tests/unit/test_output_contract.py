"""Issue 10, the writers' part: every rate, sanitised names, midnight, all-or-nothing outputs,
an output never an input. Each test failed on the code before the fix (the reason is beside it).
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from trailersmith.adapters import read_timeline, write_timeline
from trailersmith.adapters.formats import check_outputs, write_timelines
from trailersmith.core.errors import MediaError, ParameterError
from trailersmith.core.model import CutPlan, PlacedClip, VideoInfo
from trailersmith.core.timebase import timecode_to_frames
from trailersmith.core.timeline import build_timeline

ODD_RATES = [Fraction(12), Fraction(15), Fraction(20), Fraction(100), Fraction(120),
             Fraction(240), Fraction(25, 2)]
_EVENT = re.compile(r"^\d{3,}\s")


def _movie(fps=Fraction(24), start_frame=0, path="/media/films/feature.mov", frames=3000):
    return VideoInfo(path=path, fps=fps, frame_count=frames, width=640, height=360,
                     duration_s=frames / float(fps), start_frame=start_frame)


def _timeline(movie, lengths=(30, 40, 25, 50), music="/media/music/song.wav"):
    clips, position = [], 0
    for j, length in enumerate(lengths):
        start = 100 + 300 * j
        clips.append(PlacedClip(segment=j, shot=j, scene=j, source_start=start,
                                source_end=start + length, record_start=position,
                                record_end=position + length, score=0.5, reason=f"reason {j}"))
        position += length
    plan = CutPlan(movie=movie, music_path=music, music_duration_s=position / float(movie.fps),
                   fps=movie.fps, duration_frames=position, clips=clips,
                   sections=[(0, position, "all")])
    return build_timeline(plan, name="Trailer"), plan


def _cuts(timeline):
    track = next(t for t in timeline.tracks if t.kind == "Video")
    return [(round(c.source_range.start_time.value), round(c.source_range.duration.value),
             round(track.range_of_child(c).start_time.value)) for c in track.find_clips()]


# --- item 2: every rational rate --------------------------------------------------------------
@pytest.mark.parametrize("fps", ODD_RATES)
def test_every_rate_builds_and_round_trips_in_otio_and_kdenlive(tmp_path, fps):
    # Before: build_timeline called OTIO's from_timecode("01:00:00:00", rate) -> ValueError.
    timeline, plan = _timeline(_movie(fps, start_frame=timecode_to_frames("10:00:00:00", fps)))
    expected = [(plan.movie.start_frame + c.source_start, c.length, c.record_start)
                for c in plan.clips]
    assert round(timeline.global_start_time.value) == timecode_to_frames("01:00:00:00", fps)
    for suffix in (".otio", ".kdenlive"):
        back = read_timeline(write_timeline(timeline, tmp_path / f"t{suffix}"))
        assert _cuts(back) == expected, suffix
        assert Fraction(back.metadata["trailersmith"]["fps"]) == fps


@pytest.mark.parametrize("fps", ODD_RATES)
@pytest.mark.parametrize("suffix", [".edl", ".xml"])
def test_edl_and_fcp7_refuse_rates_they_cannot_carry_before_any_work(tmp_path, fps, suffix):
    movie = _movie(fps)
    out = tmp_path / f"t{suffix}"
    with pytest.raises(ParameterError, match="fps") as error:
        check_outputs([str(out)], movie=movie, inputs=[movie.path])
    assert "\n" not in str(error.value) and ".otio" in str(error.value)
    timeline, _ = _timeline(movie)
    with pytest.raises(ParameterError, match="fps"):  # and a library caller gets the same
        write_timeline(timeline, out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fps", [Fraction(24000, 1001), Fraction(30000, 1001), Fraction(50),
                                 Fraction(60000, 1001)])
@pytest.mark.parametrize("suffix", [".edl", ".xml", ".otio", ".kdenlive"])
def test_smpte_rates_pass_the_check_and_round_trip(tmp_path, fps, suffix):
    movie = _movie(fps, start_frame=timecode_to_frames("01:00:00:00", fps))
    (out,) = check_outputs([str(tmp_path / f"t{suffix}")], movie=movie, inputs=[movie.path])
    timeline, plan = _timeline(movie)
    back = read_timeline(write_timeline(timeline, out), rate=float(fps))
    assert _cuts(back) == [(movie.start_frame + c.source_start, c.length, c.record_start)
                           for c in plan.clips]


# --- item 6: names that are not one line ------------------------------------------------------
def test_a_newline_in_the_movie_name_cannot_inject_edl_events(tmp_path):
    evil = "/media/films/evil\n002  AX V C 00:00:00:00 00:00:09:00 01:00:00:00 01:00:09:00\n.mov"
    timeline, plan = _timeline(_movie(path=evil))
    path = write_timeline(timeline, tmp_path / "t.edl")
    lines = open(path, encoding="utf-8").read().splitlines()
    events = [line.split()[2] for line in lines if _EVENT.match(line)]
    assert events == ["V"] * len(plan.clips) + ["A"]  # the shots, then the music; before: 8
    back = read_timeline(path, rate=24)
    assert [len(t.find_clips()) for t in back.tracks] == [len(plan.clips), 1]


def test_a_control_character_in_names_still_writes_valid_fcp7_xml(tmp_path):
    timeline, plan = _timeline(_movie(path="/media/films/bell\x07 and\nnewline.mov"))
    # Before: ExpatError from the FCP adapter (after an .otio beside it had been written).
    paths = write_timelines(timeline, [tmp_path / "t.otio", tmp_path / "t.xml"])
    ET.parse(paths[1])  # well-formed XML 1.0
    back = read_timeline(paths[1])
    assert {c.media_reference.target_url for c in back.tracks[0].find_clips()} == \
        {"/media/films/bell\x07 and\nnewline.mov"}  # the path itself survives, percent-encoded


def test_kdenlive_refuses_a_path_xml_cannot_hold_before_any_work(tmp_path):
    movie = _movie(path="/media/films/bell\x07.mov")
    with pytest.raises(ParameterError, match="control character") as error:
        check_outputs([str(tmp_path / "t.kdenlive")], movie=movie, inputs=[movie.path])
    assert "\n" not in str(error.value) and "bell\\x07" in str(error.value)
    check_outputs([str(tmp_path / "t.otio")], movie=movie, inputs=[movie.path])  # OTIO can


def test_an_error_naming_a_path_with_a_newline_is_one_line(tmp_path):
    from trailersmith.core.media import probe_video

    with pytest.raises(MediaError) as error:
        probe_video(str(tmp_path / "missing\nfile.mp4"))
    assert "\n" not in str(error.value) and "missing\\nfile.mp4" in str(error.value)


# --- item 8: timecode near midnight -----------------------------------------------------------
def test_a_movie_whose_timecode_crosses_midnight_is_refused_for_edl(tmp_path):
    movie = _movie(Fraction(24), start_frame=timecode_to_frames("23:59:00:00", 24), frames=3000)
    with pytest.raises(ParameterError, match="midnight"):
        check_outputs([str(tmp_path / "t.edl")], movie=movie, inputs=[movie.path])
    timeline, _ = _timeline(movie, lengths=(30, 40, 25, 50, 60, 20))  # the last: 00:00:06:16
    with pytest.raises(ParameterError, match="midnight"):  # before: source out < source in
        write_timeline(timeline, tmp_path / "t.edl")
    assert list(tmp_path.iterdir()) == []
    check_outputs([str(tmp_path / "t.otio")], movie=movie, inputs=[movie.path])


def test_an_edl_just_before_midnight_keeps_source_out_after_source_in(tmp_path):
    start = timecode_to_frames("23:58:00:00", 24)
    movie = _movie(Fraction(24), start_frame=start, frames=1300)  # ends 23:58:54:04
    timeline, _ = _timeline(movie)
    text = open(write_timeline(timeline, tmp_path / "t.edl")).read().splitlines()
    for line in (line for line in text if _EVENT.match(line)):
        src_in, src_out = line.split()[-4:-2]
        assert timecode_to_frames(src_out, 24) > timecode_to_frames(src_in, 24)


# --- item 4: a set of outputs is all or nothing -----------------------------------------------
def test_two_outputs_that_are_one_file_through_a_symlinked_folder_are_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    outputs = [str(real / "t.otio"), str(tmp_path / "link" / "t.otio")]
    with pytest.raises(ParameterError, match="same file"):
        check_outputs(outputs)
    timeline, _ = _timeline(_movie())
    with pytest.raises(ParameterError, match="same file"):  # before: the first was written
        write_timelines(timeline, outputs)
    assert list(real.iterdir()) == []


def test_a_hard_link_is_the_same_file_too(tmp_path):
    (tmp_path / "a.otio").write_text("mine")
    os.link(tmp_path / "a.otio", tmp_path / "b.otio")
    with pytest.raises(ParameterError, match="same file"):
        check_outputs([str(tmp_path / "a.otio"), str(tmp_path / "b.otio")], overwrite=True)


def test_when_one_output_fails_none_is_written(tmp_path):
    timeline, _ = _timeline(_movie(Fraction(12)))
    with pytest.raises(ParameterError):
        write_timelines(timeline, [tmp_path / "t.otio", tmp_path / "t.kdenlive",
                                   tmp_path / "t.edl"])
    assert list(tmp_path.iterdir()) == []  # neither the .otio nor the .kdenlive


# --- item 11: an output is never an input -----------------------------------------------------
@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "dotted"])
def test_an_output_never_replaces_an_input_even_with_force(tmp_path, how):
    movie = tmp_path / "film.otio"
    movie.write_text("the source")
    music = tmp_path / "music.wav"
    music.write_text("the music")
    out = {"same": movie, "symlink": tmp_path / "alias.otio", "hardlink": tmp_path / "hard.otio",
           "dotted": tmp_path / "." / "film.otio"}[how]
    if how == "symlink":
        out.symlink_to(movie)
    elif how == "hardlink":
        os.link(movie, out)
    with pytest.raises(ParameterError, match="never replaces an input"):
        check_outputs([str(out)], overwrite=True, inputs=[str(movie), str(music)])
    assert movie.read_text() == "the source"


def test_the_writer_itself_never_overwrites_the_timelines_own_media(tmp_path):
    movie = tmp_path / "film.mov"
    movie.write_text("the source movie")
    (tmp_path / "alias.kdenlive").symlink_to(movie)
    timeline, _ = _timeline(_movie(path=str(movie)))
    with pytest.raises(ParameterError, match="never replaces an input"):
        write_timelines(timeline, [tmp_path / "ok.otio", tmp_path / "alias.kdenlive"],
                        overwrite=True)
    assert movie.read_text() == "the source movie" and not (tmp_path / "ok.otio").exists()
