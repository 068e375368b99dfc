"""core/problem.py: one problem for suggest, train and eval; VFR durations from timestamps."""
from fractions import Fraction

import numpy as np
import pytest

from trailersmith.core import problem as problems
from trailersmith.core.errors import MediaError
from trailersmith.core.learn.builder import problem_inputs
from trailersmith.core.learn.dataset import PairExample, load_pair, save_pair
from trailersmith.core.model import MusicAnalysis, ShotList, VideoInfo
from trailersmith.core.stages import MovieAnalysis, MusicResult


def _vfr_shots():
    """60 frames at a nominal 24 fps, but every 3rd frame dropped: real spacing 1/16 s."""
    n = 60
    times = np.arange(n) * (1.0 / 16.0)
    shots = np.array([[0, 10], [10, 30], [30, 33], [33, 50], [50, 60]])
    return ShotList(fps=Fraction(24), frame_count=n, shots=shots, kinds=["start"] + ["cut"] * 4,
                    scenes=np.array([0, 0, 1, 1, 2]), frame_times_s=times)


def _movie(shots):
    n = len(shots.shots)
    info = VideoInfo(path="/m.mp4", fps=shots.fps, frame_count=shots.frame_count, width=64,
                     height=36, duration_s=3.75, variable_frame_rate=True)
    rng = np.random.default_rng(1)
    return MovieAnalysis(info=info, shots=shots, shot_features=rng.normal(size=(n, 4)),
                         shot_quality=np.array([0.9, 0.2, 0.8, 0.7, 0.6]),
                         shot_cues={"watchable": np.array([0.9, 0.2, 0.8, 0.7, 0.6]),
                                    "credits_fraction": np.array([0, 0, 0, 0.5, 0.0])})


def _music(duration=1.2, cuts=()):
    cuts = np.asarray(cuts, float)
    analysis = MusicAnalysis(path="/a.wav", duration_s=duration, sample_rate=22050,
                             tempo_bpm=120.0, beats_s=np.arange(0.25, duration, 0.25),
                             downbeats_s=np.array([0.25]), sections_s=np.array([[0, duration]]),
                             cuts_s=cuts, energy=np.linspace(0.2, 0.9, len(cuts) + 1))
    return MusicResult(analysis=analysis, segment_features=np.ones((len(cuts) + 1, 4)),
                       segment_cues={}, waveform=np.zeros((4, 2)))


def test_vfr_durations_come_from_timestamps():
    shots = _vfr_shots()
    # the last frame has no successor: it lasts one nominal frame
    np.testing.assert_allclose(shots.durations_s(),
                               [10 / 16, 20 / 16, 3 / 16, 17 / 16, 9 / 16 + 1 / 24])
    # the guard cuts shot 3 at frame 40 and leaves shot 4 nothing
    np.testing.assert_allclose(shots.durations_s(end_frame=40), [10 / 16, 20 / 16, 3 / 16,
                                                                 7 / 16, 0])
    problem, usable_end = problems.build_problem(_movie(shots), _music(duration=0.6),
                                                 spoiler_guard=40 / 60)
    assert usable_end == 40
    np.testing.assert_allclose(problem.shot_durations_s, shots.durations_s(end_frame=40))
    # nominal 24 fps would say shot 0 lasts 10/24 s; the timestamps say 10/16
    assert problem.shot_durations_s[0] == pytest.approx(0.625)
    # shot 1 unwatchable, shot 3 credits, shot 4 past the guard; shot 2 (3/16 s) too short
    assert problem.eligible.tolist() == [True, False, False, False, False]


def test_eval_poses_the_problem_suggest_solves(tmp_path):
    shots = _vfr_shots()
    movie, music = _movie(shots), _music(duration=0.6)
    pair = PairExample(
        pair_id="p", movie_id="m", movie_features=movie.shot_features.astype(np.float32),
        movie_durations_s=shots.durations_s().astype(np.float32), movie_scenes=shots.scenes,
        music_features=np.ones((1, 4), np.float32), music_durations_s=np.array([1.2], np.float32),
        match=np.array([0]), plan_features=music.segment_features.astype(np.float32),
        plan_durations_s=np.array([0.6], np.float32),
        **problem_inputs(movie, music.analysis))
    pair = load_pair(str(tmp_path), {"file": save_pair(str(tmp_path), pair)})  # round trip
    for guard in (1.0, 40 / 60, 0.9):
        want, _ = problems.build_problem(movie, music, guard)
        got = pair.problem(guard, segments="plan")
        np.testing.assert_array_equal(got.eligible, want.eligible)
        np.testing.assert_array_equal(got.shot_durations_s, want.shot_durations_s)
        np.testing.assert_array_equal(got.shot_quality, want.shot_quality)
        np.testing.assert_array_equal(got.segment_energy, want.segment_energy)
        np.testing.assert_allclose(got.shot_features, want.shot_features, rtol=1e-6)
        np.testing.assert_allclose(got.segment_durations_s, want.segment_durations_s, rtol=1e-6)
        assert got.beat_period_s == want.beat_period_s
        np.testing.assert_array_equal(got.scenes, want.scenes)


def test_pairs_without_frames_use_the_same_rule_in_seconds():
    d = np.array([1.0, 0.2, 2.0, 1.0])
    pair = PairExample(pair_id="p", movie_id="m", movie_features=np.zeros((4, 2), np.float32),
                       movie_durations_s=d, movie_scenes=np.arange(4),
                       music_features=np.zeros((1, 2)), music_durations_s=np.array([1.0]),
                       match=np.array([0]))
    problem = pair.problem(spoiler_guard=0.5)  # guard at 2.1 s: shot 2 keeps 0.9 s
    np.testing.assert_allclose(problem.shot_durations_s, [1.0, 0.2, 0.9, 0.0])
    assert problem.eligible.tolist() == [True, False, True, False]


def test_material_check_names_the_guard():
    with pytest.raises(MediaError, match="spoiler-guard"):
        problems.build_problem(_movie(_vfr_shots()), _music(duration=3.0), spoiler_guard=0.9)
