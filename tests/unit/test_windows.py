"""When the music needs more cuts than the movie has usable shots: windows from long shots."""
from fractions import Fraction

import numpy as np
import pytest

from trailersmith.core import problem as problems
from trailersmith.core.assemble import assemble
from trailersmith.core.errors import MediaError
from trailersmith.core.generators import get_generator
from trailersmith.core.model import MusicAnalysis, ShotList, VideoInfo
from trailersmith.core.stages import MovieAnalysis, MusicResult

FPS = 24


def _movie(lengths_s=(20.0, 0.1, 12.0, 1.0)):
    frames = np.round(np.asarray(lengths_s) * FPS).astype(int)
    edges = np.concatenate([[0], np.cumsum(frames)])
    n = len(frames)
    shots = ShotList(fps=Fraction(FPS), frame_count=int(edges[-1]),
                     shots=np.stack([edges[:-1], edges[1:]], axis=1),
                     kinds=["start"] + ["cut"] * (n - 1), scenes=np.arange(n))
    info = VideoInfo(path="/m.mp4", fps=Fraction(FPS), frame_count=int(edges[-1]), width=64,
                     height=36, duration_s=float(edges[-1]) / FPS)
    quality = np.array([0.9, 0.9, 0.8, 0.1])[:n]
    return MovieAnalysis(info=info, shots=shots, shot_features=np.eye(n, 3),
                         shot_quality=quality, shot_cues={"watchable": quality})


def _music(n_segments, seg_s=1.0):
    duration = n_segments * seg_s
    cuts = np.arange(1, n_segments) * seg_s
    analysis = MusicAnalysis(path="/a.wav", duration_s=duration, sample_rate=22050,
                             tempo_bpm=120.0, beats_s=np.arange(0.5, duration, 0.5),
                             downbeats_s=np.arange(2.0, duration, 2.0),
                             sections_s=np.array([[0.0, duration]]), cuts_s=cuts,
                             energy=np.full(n_segments, 0.5))
    return MusicResult(analysis=analysis, segment_features=np.zeros((n_segments, 3)),
                       segment_cues={}, waveform=np.zeros((2, 2)))


def test_no_shortage_leaves_the_movie_alone():
    movie = _movie()
    same, parent = problems.windowed_movie(movie, _music(2), 1.0)
    assert same is movie and parent.tolist() == [0, 1, 2, 3]


def test_long_shots_give_non_overlapping_windows_and_suggest_succeeds():
    movie, music = _movie(), _music(12)
    with pytest.raises(MediaError):  # two usable shots, twelve segments: the old failure
        problems.build_problem(movie, music, 1.0)
    windows, parent = problems.windowed_movie(movie, music, 1.0)
    frames = windows.shots.shots
    assert frames[0, 0] == 0 and frames[-1, 1] == movie.shots.frame_count
    assert np.all(frames[1:, 0] == frames[:-1, 1])  # contiguous, disjoint: still a ShotList
    for k, p in enumerate(parent):  # every window lies inside its own shot
        assert movie.shots.shots[p, 0] <= frames[k, 0] < frames[k, 1] <= movie.shots.shots[p, 1]
    np.testing.assert_array_equal(windows.shot_quality, movie.shot_quality[parent])
    problem, usable_end = problems.build_problem(windows, music, 1.0)
    assert problem.eligible.sum() >= 12
    assert set(parent[problem.eligible]) == {0, 2}  # only the long watchable shots split
    answer = get_generator("ot")(problem, rng=np.random.default_rng(0))
    plan = assemble(answer, windows.shots, music.analysis, movie.info, usable_end=usable_end,
                    quality=windows.shot_quality, eligible=problem.eligible)
    used = np.zeros(movie.shots.frame_count, int)
    for clip in plan.clips:
        used[clip.source_start:clip.source_end] += 1
    assert used.max() == 1 and plan.duration_frames == 12 * FPS


def test_the_error_says_how_long_a_track_would_fit():
    movie, music = _movie((3.0, 3.0)), _music(11, seg_s=0.5)  # 5.5 s of 6
    windows, _ = problems.windowed_movie(movie, music, 1.0)
    with pytest.raises(MediaError, match=r"a track of about [0-9.]+ s would fit"):
        problems.build_problem(windows, music, 1.0)
    with pytest.raises(MediaError, match=r"a track up to 6 s would fit"):
        problems.build_problem(movie, _music(7), 1.0)
