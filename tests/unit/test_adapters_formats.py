"""write_timeline / read_timeline: format by suffix, safe writes, and round trips of every
format."""
from __future__ import annotations

import os
from fractions import Fraction

import numpy as np
import pytest

from tests.support.plans import plan_from_sources, video_info
from trailersmith.adapters import formats, read_timeline, write_timeline
from trailersmith.core.errors import ParameterError
from trailersmith.core.timeline import build_timeline


def make_timeline(fps=Fraction(24000, 1001), start_frame=86400, seed=3):
    rng = np.random.default_rng(seed)
    lengths = [int(x) for x in rng.integers(10, 80, size=7)]
    starts = rng.permutation(7) * 300 + 50
    movie = video_info(path="/media/films/feature film.mov", fps=fps, frame_count=3000,
                       width=1280, height=720, start_frame=start_frame)
    position = sum(lengths)
    plan = plan_from_sources(movie, [(int(s), int(s) + n) for n, s in zip(lengths, starts)],
                             music_path="/media/music/song.ogg",
                             shots=[int(s) // 300 for s in starts], reasons=lambda j: f"reason {j}",
                             sections=[(0, lengths[0], "intro"), (lengths[0], position, "rise")])
    return build_timeline(plan, name="Round trip"), plan


def video_cuts(timeline):
    """(source start, duration, record start) of each video clip, in whole frames."""
    track = next(t for t in timeline.tracks if t.kind == "Video")
    return [(round(c.source_range.start_time.value), round(c.source_range.duration.value),
             round(track.range_of_child(c).start_time.value)) for c in track.find_clips()]


def test_unknown_suffix_lists_the_supported_ones(tmp_path):
    timeline, _ = make_timeline()
    with pytest.raises(ParameterError) as error:
        write_timeline(timeline, tmp_path / "trailer.mov")
    for suffix in (".otio", ".edl", ".xml", ".kdenlive"):
        assert suffix in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_missing_output_folder_is_refused(tmp_path):
    timeline, _ = make_timeline()
    with pytest.raises(ParameterError, match="does not exist"):
        write_timeline(timeline, tmp_path / "nowhere" / "trailer.otio")
    assert not (tmp_path / "nowhere").exists()


def test_existing_file_is_kept_unless_overwrite(tmp_path):
    timeline, _ = make_timeline()
    target = tmp_path / "trailer.edl"
    target.write_text("the editor's own work")
    with pytest.raises(ParameterError, match="exists; pass --force to overwrite"):
        write_timeline(timeline, target)
    assert target.read_text() == "the editor's own work"
    write_timeline(timeline, target, overwrite=True)
    assert "TITLE: Round trip" in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trailer.edl"]


def test_a_failing_writer_leaves_no_partial_file(tmp_path, monkeypatch):
    timeline, _ = make_timeline()
    module = formats.format_module("x.otio")

    def broken(_timeline, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module, "write_to_string", broken)
    target = tmp_path / "trailer.otio"
    with pytest.raises(OSError, match="disk full"):
        write_timeline(timeline, target)
    assert list(tmp_path.iterdir()) == []
    target.write_text("previous version")
    with pytest.raises(OSError):
        write_timeline(timeline, target, overwrite=True)
    assert target.read_text() == "previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trailer.otio"]


def test_written_files_get_normal_permissions(tmp_path):
    timeline, _ = make_timeline()
    path = write_timeline(timeline, tmp_path / "t.otio")
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


def test_reading_a_missing_file_says_so(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        read_timeline(tmp_path / "absent.kdenlive")


@pytest.mark.parametrize("fps", [Fraction(24000, 1001), Fraction(25)])
@pytest.mark.parametrize("suffix", [".otio", ".edl", ".xml", ".kdenlive"])
def test_round_trip_gives_the_same_cuts(tmp_path, suffix, fps):
    timeline, plan = make_timeline(fps=fps)
    path = write_timeline(timeline, tmp_path / f"trailer{suffix}")
    back = read_timeline(path, rate=float(fps))
    assert video_cuts(back) == video_cuts(timeline)
    expected = [(plan.movie.start_frame + c.source_start, c.length, c.record_start)
                for c in plan.clips]
    assert video_cuts(back) == expected
    movie_urls = {c.media_reference.target_url for c in back.tracks[0].find_clips()}
    assert movie_urls == {"/media/films/feature film.mov"}
    if suffix != ".edl":  # the EDL adapter writes the video track only
        (audio,) = [t for t in back.tracks if t.kind == "Audio"]
        (music,) = audio.find_clips()
        assert music.media_reference.target_url == "/media/music/song.ogg"
        assert round(music.source_range.start_time.value) == 0
        assert round(music.source_range.duration.value) == plan.duration_frames
        assert [round(m.marked_range.start_time.value) for m in back.tracks.markers] == \
            [s[0] for s in plan.sections]
    if suffix in (".otio", ".edl", ".xml"):
        assert round(back.global_start_time.value) == 3600 * round(fps)  # 01:00:00:00


def test_kdenlive_in_and_out_are_file_positions_not_timecode(tmp_path):
    import xml.etree.ElementTree as ET

    timeline, plan = make_timeline()
    path = write_timeline(timeline, tmp_path / "t.kdenlive")
    root = ET.parse(path).getroot()
    profile = root.find("profile")
    assert (profile.get("frame_rate_num"), profile.get("frame_rate_den")) == ("24000", "1001")
    assert (profile.get("width"), profile.get("height")) == ("1280", "720")
    assert root.find("playlist").get("id") == "main_bin"
    version = [p.text for p in root.find("playlist").findall("property")
               if p.get("name") == "kdenlive:docproperties.version"]
    assert version == ["1.00"]
    movie_producer = next(p for p in root.findall("producer")
                          if any(q.text == "/media/films/feature film.mov" for q in p))
    entries = [e for e in root.iter("entry") if e.get("producer") == movie_producer.get("id")
               and e.find("property") is not None]
    assert [(int(e.get("in")), int(e.get("out"))) for e in entries] == \
        [(c.source_start, c.source_end - 1) for c in plan.clips]


def test_kdenlive_reader_follows_a_newer_kdenlive_project_tractor(tmp_path):
    """Kdenlive 23.04+ puts the timeline in a sequence tractor wrapped by a last project tractor."""
    import xml.etree.ElementTree as ET

    timeline, plan = make_timeline()
    path = write_timeline(timeline, tmp_path / "t.kdenlive")
    tree = ET.parse(path)
    root = tree.getroot()
    sequence = root.findall("tractor")[-1]
    wrapper = ET.SubElement(root, "tractor", {"id": "tractor_project"})
    ET.SubElement(wrapper, "property", {"name": "kdenlive:projectTractor"}).text = "1"
    ET.SubElement(wrapper, "track", {"producer": sequence.get("id")})
    tree.write(path)
    back = read_timeline(path)
    assert video_cuts(back) == [(plan.movie.start_frame + c.source_start, c.length, c.record_start)
                                for c in plan.clips]
    assert [t.kind for t in back.tracks] == ["Video", "Audio"]


def test_an_empty_timeline_is_refused_and_nothing_is_written(tmp_path):
    import opentimelineio as otio

    empty = otio.schema.Timeline(name="Empty")
    empty.tracks.append(otio.schema.Track(name="Video 1"))
    with pytest.raises(ParameterError, match="empty"):
        write_timeline(empty, tmp_path / "empty.kdenlive")
    assert list(tmp_path.iterdir()) == []
