"""Assembly: frame-exact, no gaps, no source frame twice, trimming and extension."""
from fractions import Fraction

import numpy as np
import pytest

from trailersmith.core.assemble import assemble, segment_frames
from trailersmith.core.errors import MediaError
from trailersmith.core.model import Assignment, MusicAnalysis, ShotList, VideoInfo

FPS = Fraction(24000, 1001)


def _shots(lengths):
    edges = np.concatenate([[0], np.cumsum(lengths)])
    rng = np.stack([edges[:-1], edges[1:]], 1)
    return ShotList(fps=FPS, frame_count=int(edges[-1]), shots=rng, kinds=["cut"] * len(lengths),
                    scenes=np.arange(len(lengths)) // 3)


def _music(cuts, duration):
    return MusicAnalysis(path="/m.wav", duration_s=duration, sample_rate=22050, tempo_bpm=120,
                         beats_s=np.arange(0, duration, 0.5), downbeats_s=np.arange(0, duration, 2),
                         sections_s=np.array([[0, duration]]), cuts_s=np.array(cuts))


def _info(n):
    return VideoInfo(path="/movie.mp4", fps=FPS, frame_count=n, width=64, height=36,
                     duration_s=n / float(FPS))


def _check(plan, shots, usable_end):
    assert plan.clips[0].record_start == 0
    for a, b in zip(plan.clips, plan.clips[1:]):
        assert a.record_end == b.record_start  # no gaps, no overlaps
    assert plan.clips[-1].record_end == plan.duration_frames
    used = np.zeros(shots.frame_count, int)
    for c in plan.clips:
        assert c.source_end - c.source_start == c.record_end - c.record_start
        used[c.source_start:c.source_end] += 1
    assert used.max() <= 1 and not used[usable_end:].any()


def test_video_ends_exactly_where_the_music_ends():
    music = _music([1.0, 2.5, 3.0], 4.71)
    edges = segment_frames(music, FPS)
    assert edges[-1] == round(4.71 * 24000 / 1001) and edges[1] == round(1.0 * float(FPS))


def test_long_shots_are_trimmed_and_short_ones_extended_without_reuse():
    shots = _shots([200, 10, 10, 10, 200, 200, 200])
    music = _music([2.0, 4.0, 6.0], 8.0)
    a = Assignment(shots=np.array([0, 2, 4, 5]), scores=np.array([.9, .8, .7, .6]),
                   reasons=["r"] * 4)
    plan = assemble(a, shots, music, _info(shots.frame_count), usable_end=shots.frame_count,
                    quality=np.ones(7))
    _check(plan, shots, shots.frame_count)
    by_seg = {c.segment: c for c in plan.clips}
    assert by_seg[0].shot == 0 and by_seg[0].extended_with == []
    assert by_seg[1].extended_with  # shot 2 has 10 frames, the segment ~48: grown into neighbours
    assert "extended" in by_seg[1].reason


def test_window_prefers_valuable_frames():
    shots = _shots([300, 300])
    music = _music([], 2.0)
    values = np.zeros(600)
    values[200:260] = 1.0
    a = Assignment(shots=np.array([0]), scores=np.array([1.0]), reasons=["r"])
    plan = assemble(a, shots, music, _info(600), usable_end=600, quality=np.ones(2),
                    frame_value=values)
    c = plan.clips[0]
    assert c.source_start <= 200 and c.source_end >= 200 + min(60, c.length) - 1


def test_spoiler_guard_frames_are_never_used():
    shots = _shots([100] * 10)
    music = _music([3.0, 6.0], 9.0)
    a = Assignment(shots=np.array([8, 9, 7]), scores=np.ones(3), reasons=["r"] * 3)
    plan = assemble(a, shots, music, _info(1000), usable_end=850, quality=np.ones(10))
    _check(plan, shots, 850)


def test_not_enough_material_is_a_clear_error():
    shots = _shots([30, 30])
    music = _music([2.0], 4.0)
    a = Assignment(shots=np.array([0, 1]), scores=np.ones(2), reasons=["r"] * 2)
    with pytest.raises(MediaError, match="too little unused material"):
        assemble(a, shots, music, _info(60), usable_end=60, quality=np.ones(2))


def test_extension_and_replacement_stay_inside_eligible_material():
    # Shot 1 (credits, say) is ineligible: growing shot 0 must not enter it, nor may a replacement.
    shots = _shots([20, 400, 30, 400])
    music = _music([], 3.0)
    eligible = np.array([True, False, True, True])
    a = Assignment(shots=np.array([0]), scores=np.ones(1), reasons=["r"])
    plan = assemble(a, shots, music, _info(850), usable_end=850, quality=np.ones(4),
                    eligible=eligible)
    c = plan.clips[0]
    assert not (c.source_start < 420 and c.source_end > 20), (c.source_start, c.source_end)
