"""--title-card on the timeline: shots on "Video 1" up to the title's hit, then a gap; "Video 2"
holds the TITLE placeholder from there to the music's end; every writer keeps it."""
from __future__ import annotations

import opentimelineio as otio
import pytest

from tests.support.plans import plan_from_sources, video_info
from trailersmith.adapters.formats import read_timeline, write_timelines
from trailersmith.core.errors import ParameterError
from trailersmith.core.timeline import TITLE_TRACK_NAME, build_timeline, is_title_card

FPS = 24
END = 240  # a 10 s track
TITLE = 168  # the title's hit at 7 s


def _plan(title=TITLE, end=END):
    movie = video_info(frame_count=2000, start_frame=86400, start_timecode="01:00:00:00")
    plan = plan_from_sources(movie, [(300, 372), (24, 96), (500, 524)],  # 168 frames of shots
                             music_duration_s=end / FPS)
    plan.duration_frames, plan.title_start_frame = end, title
    return plan


def _title_track(timeline):
    (track,) = [t for t in timeline.tracks if t.name == TITLE_TRACK_NAME]
    return track


def test_video_1_shots_end_at_the_title_and_video_2_holds_it_to_the_end():
    timeline = build_timeline(_plan(), name="t")
    video = timeline.tracks[0]
    clips = [i for i in video if isinstance(i, otio.schema.Clip)]
    assert len(clips) == 3
    assert video.range_of_child(clips[-1]).end_time_exclusive().value == TITLE
    assert isinstance(video[-1], otio.schema.Gap) and video.duration().value == END
    track = _title_track(timeline)
    assert track.kind == otio.schema.TrackKind.Video
    gap, title = track
    assert isinstance(gap, otio.schema.Gap) and gap.duration().value == TITLE
    assert title.name == "TITLE" and is_title_card(title)
    assert track.range_of_child(title).start_time.value == TITLE
    assert track.range_of_child(title).end_time_exclusive().value == END
    assert title.metadata["trailersmith"]["title_card"] is True
    (marker,) = title.markers
    assert "Title card: put the title here, 3.0 s from the last hit" == marker.comment
    assert isinstance(title.media_reference, otio.schema.GeneratorReference)
    assert timeline.tracks[1].duration().value == END  # the music plays to its end
    assert timeline.metadata["trailersmith"]["title_start_frame"] == TITLE
    assert not any(is_title_card(c) for c in clips)


@pytest.mark.parametrize("title, message", [(0, "outside"), (END, "outside"),
                                            (TITLE + 5, "title card starts at")])
def test_a_plan_whose_shots_miss_the_title_is_refused(title, message):
    with pytest.raises(ParameterError, match=message):
        build_timeline(_plan(title=title), name="t")


@pytest.mark.parametrize("suffix", [".otio", ".xml", ".kdenlive", ".edl"])
def test_every_writer_keeps_the_placeholder_where_it_belongs(suffix, tmp_path):
    timeline = build_timeline(_plan(), name="t")
    (path,) = write_timelines(timeline, [str(tmp_path / f"t{suffix}")])
    back = read_timeline(path, rate=FPS)
    videos = [t for t in back.tracks if t.kind == otio.schema.TrackKind.Video]
    titles = [(t, c) for t in videos for c in t.find_clips() if is_title_card(c)]
    assert len(titles) == 1, suffix
    track, title = titles[0]
    start = track.range_of_child(title).start_time.value
    if suffix == ".edl":  # one picture track: a black event after the last shot
        assert len(videos) == 1 and title.media_reference.generator_kind == "black"
        assert "BL " in open(path).read()
    else:
        assert track is not videos[0]  # over the shots, on its own track
    assert start == TITLE and title.duration().value == END - TITLE
    shots = [c for c in videos[0].find_clips() if not is_title_card(c)]
    assert [videos[0].range_of_child(c).start_time.value for c in shots] == [0, 72, 144]
    if suffix == ".xml":
        text = open(path).read()
        assert "<generatoritem" in text and "<effectid>Slug</effectid>" in text
        assert "Title card: put the title here" in text
    if suffix == ".kdenlive":
        text = open(path).read()
        assert '<property name="mlt_service">color</property>' in text
        assert "Title card: put the title here" in text


def test_the_edited_timeline_reader_skips_the_title(tmp_path):
    from fractions import Fraction

    from trailersmith.core.recut import read_edited_clips

    plan = _plan()
    timeline = build_timeline(plan, name="t")
    (path,) = write_timelines(timeline, [str(tmp_path / "t.edl")])
    edl = read_timeline(path, rate=FPS)
    # an EDL names no movie: every clip is taken for the movie's, but the TITLE (black) is not
    clips, skipped = read_edited_clips(edl, movie_path=plan.movie.path, fps=Fraction(FPS),
                                       start_frame=86400, unnamed_are_movie=True)
    assert [(c.source_start, c.length) for c in clips] == [(300, 72), (24, 72), (500, 24)]
    assert any("TITLE" in note for note in skipped)
    clips, _ = read_edited_clips(timeline, movie_path=plan.movie.path, fps=Fraction(FPS),
                                 start_frame=86400, unnamed_are_movie=True)
    assert len(clips) == 3
