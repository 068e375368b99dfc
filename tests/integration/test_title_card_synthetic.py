"""--title-card end to end on synthetic media: the title lands on the music's big hit, the shots
stop there on a beat, and recut keeps the title out of the editor's clips."""
import numpy as np
import opentimelineio as otio
import pytest

from trailersmith.adapters.formats import read_timeline, write_timelines
from trailersmith.core import synthetic
from trailersmith.core.options import SuggestOptions
from trailersmith.core.pipeline import suggest
from trailersmith.core.recut import recut
from trailersmith.core.timebase import seconds_to_frames
from trailersmith.core.timeline import is_title_card

HIT_S = 14.0  # the synthetic track turns loud (kick, snare, bass) on this beat


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("title")
    movie = synthetic.make_movie(str(d / "movie.mp4"), seed=5, size=(160, 90))
    synthetic.make_music(str(d / "a.wav"), tempo_bpm=120, duration_s=20.0, loud_from_s=HIT_S)
    synthetic.make_music(str(d / "b.wav"), tempo_bpm=100, duration_s=24.0, loud_from_s=18.0,
                         seed=4)
    return d, movie


def _check_title(result, hit_s):
    plan, timeline = result.plan, result.timeline
    fps = plan.fps
    title = plan.title_start_frame
    beats = {seconds_to_frames(b, fps) for b in result.music.analysis.beats_s}
    assert title in beats  # on a beat ...
    assert abs(title - seconds_to_frames(hit_s, fps)) <= 2  # ... the big hit's
    assert plan.duration_frames == seconds_to_frames(result.music.analysis.duration_s, fps)
    video = timeline.tracks[0]
    clips = [c for c in video if isinstance(c, otio.schema.Clip)]
    ends = [video.range_of_child(c).end_time_exclusive().value for c in clips]
    assert ends[-1] == title and all(e in beats for e in ends)  # every cut on a beat
    assert isinstance(video[-1], otio.schema.Gap) and video.duration().value == plan.duration_frames
    (title_track,) = [t for t in timeline.tracks if t.name == "Video 2"]
    (card,) = title_track.find_clips()
    assert is_title_card(card) and title_track.range_of_child(card).start_time.value == title
    assert title_track.duration().value == plan.duration_frames


def test_suggest_keeps_the_end_from_the_big_hit_for_a_title(media, tmp_path):
    d, movie = media
    result = suggest(movie.path, str(d / "a.wav"),
                     SuggestOptions(detector="histogram", title_card=5.0))
    _check_title(result, HIT_S)
    written = write_timelines(result.timeline, [str(tmp_path / f"t{s}") for s in
                                                (".otio", ".edl", ".kdenlive", ".xml")])
    back = read_timeline(written[1], rate=float(result.plan.fps))
    # the re-cut reads the EDL's shots, not its black TITLE event
    again = recut(back, str(d / "b.wav"), SuggestOptions(detector="histogram", title_card=4.0),
                  movie_path=movie.path)
    assert len(again.report.clips) == len(result.plan.clips)
    assert any("TITLE" in note for note in again.report.skipped)
    _check_title(again, 18.0)


def test_a_title_longer_than_half_the_music_is_refused_before_the_movie(media, monkeypatch):
    from trailersmith.core import pipeline
    from trailersmith.core.errors import ParameterError

    d, movie = media

    def never(*args, **kwargs):
        raise AssertionError("the movie was analysed before the title card was checked")

    monkeypatch.setattr(pipeline, "analyze_movie", never)
    with pytest.raises(ParameterError, match="half"):
        suggest(movie.path, str(d / "a.wav"), SuggestOptions(detector="histogram",
                                                             title_card=11.0))


def test_without_a_title_card_nothing_changes(media):
    d, movie = media
    result = suggest(movie.path, str(d / "a.wav"), SuggestOptions(detector="histogram"))
    assert result.plan.title_start_frame is None
    assert not any(is_title_card(c) for c in result.timeline.find_clips())
    assert np.all([isinstance(i, otio.schema.Clip) for i in result.timeline.tracks[0]])
