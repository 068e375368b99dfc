"""Issue 11 on real media: spot lengths, and a track needing more cuts than BBB has shots."""
import subprocess

import numpy as np
import pytest

from tests.support import goldens
from trailersmith.core.media import load_audio
from trailersmith.core.music import SAMPLE_RATE
from trailersmith.core.music.edit import MusicEdit, render
from trailersmith.core.options import SuggestOptions
from trailersmith.core.pipeline import suggest
from trailersmith.core.stages import analyze_music_track

BBB = "video/bbb/bbb_full_720p24.mp4"
FRANTIC = "music/wesnoth/frantic.ogg"
HEROES = "music/wesnoth/heroes_rite.ogg"


def _media(rel):
    path = goldens.media_dir() / rel
    if not path.is_file():
        pytest.skip(f"real test media file missing: {path}")
    return str(path)


@pytest.mark.parametrize("track", [FRANTIC, HEROES])
@pytest.mark.parametrize("length", [30.0, 60.0])
def test_music_edit_to_a_spot_length(track, length):
    path = _media(track)
    whole = analyze_music_track(path).analysis
    result = analyze_music_track(path, length=length)
    edit = MusicEdit(np.asarray(result.edits).reshape(-1, 2), whole.duration_s)
    assert abs(edit.duration_s - length) < 0.15 * length
    assert result.analysis.duration_s == pytest.approx(edit.duration_s)
    assert edit.ranges_s[-1, 1] == pytest.approx(whole.duration_s)  # the track's own ending
    for t in np.concatenate([edit.ranges_s[:-1, 1], edit.ranges_s[1:, 0]]):
        assert np.min(np.abs(whole.downbeats_s - t)) < 1e-9  # splices on source downbeats
    beats = result.analysis.beats_s
    for t in result.analysis.cuts_s:  # the edited plan still cuts on (edited) beats
        assert np.min(np.abs(beats - t)) < 1e-6
    y = load_audio(path)
    edited = render(y, SAMPLE_RATE, edit)
    n = 5 * SAMPLE_RATE
    np.testing.assert_array_equal(edited[-n:], y[-n:])


@pytest.mark.slow
def test_suggest_length_30_on_bbb_timeline_is_as_long_as_the_edit():
    result = suggest(_media(BBB), _media(FRANTIC),
                     SuggestOptions(length=30.0, detector="histogram"))
    plan, timeline = result.plan, result.timeline
    assert plan.duration_frames == round(result.music.analysis.duration_s * plan.fps)
    video, audio = timeline.tracks[0], timeline.tracks[1]
    frames = [sum(c.source_range.duration.to_frames() for c in t) for t in (video, audio)]
    assert frames == [plan.duration_frames] * 2
    assert len(audio) == len(plan.music_edits)
    for clip, (a, _) in zip(audio, plan.music_edits):
        assert clip.source_range.start_time.to_frames() == round(a * plan.fps)


@pytest.mark.slow
def test_bbb_with_a_260_second_track_at_the_default_pace(tmp_path):
    """Issue 11 done-means 4: more cuts than usable shots; long shots give several windows."""
    track = tmp_path / "long.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", _media(FRANTIC), "-i", _media(HEROES),
                    "-filter_complex", "[0:a][1:a]concat=n=2:v=0:a=1", "-t", "260", "-ac", "1",
                    "-ar", str(SAMPLE_RATE), str(track)], check=True)
    result = suggest(_media(BBB), str(track), SuggestOptions(detector="histogram"))
    plan = result.plan
    assert plan.duration_frames == round(result.music.analysis.duration_s * plan.fps)
    assert result.music.analysis.duration_s == pytest.approx(260.0, abs=0.05)
    shots = result.movie.shots
    assert len(plan.clips) > int(np.sum(result.movie.shot_quality >= 0.3))  # more than shots
    used = np.zeros(shots.frame_count, int)
    for c in plan.clips:
        used[c.source_start:c.source_end] += 1
        assert shots.shots[c.shot, 0] <= c.source_start  # clip.shot is the movie's own shot
    assert used.max() == 1
    assert not used[int(shots.frame_count * 0.9):].any()
