"""Dialogue-aware assembly and spoken spans, on synthetic speech probabilities (no audio)."""
from fractions import Fraction

import numpy as np

from trailersmith.core.assemble import assemble
from trailersmith.core.features import speech
from trailersmith.core.model import Assignment, MusicAnalysis, ShotList, VideoInfo

FPS = Fraction(24)


def _state(spans_s, duration_s):
    probs = np.zeros(int(duration_s / speech.HOP_S), np.uint8)
    for a, b in spans_s:
        probs[int(a / speech.HOP_S):int(b / speech.HOP_S)] = 230
    return {"affect_speech": probs, "affect_speech_t0": np.array([0.0, speech.HOP_S])}


def test_spoken_spans_follow_the_probabilities_with_hysteresis():
    probs = np.zeros(200, np.float32)
    probs[20:60] = 0.9
    probs[62:64] = 0.2  # a 64 ms dip: still the same line
    probs[64:90] = 0.9
    probs[150:153] = 0.9  # 96 ms: a click, not a line
    (a, b), = speech.spoken_spans(probs)
    assert abs(a - 20 * speech.HOP_S) < 1e-6 and abs(b - 90 * speech.HOP_S) < 1e-6


def _plan(spans_s, shot_frames, segment_s, frame_value=None):
    n = shot_frames
    shots = ShotList(fps=FPS, frame_count=n, shots=np.array([[0, n]]), kinds=["start"],
                     scenes=np.zeros(1, np.int64), frame_times_s=np.arange(n) / 24.0)
    music = MusicAnalysis(path="/m.wav", duration_s=segment_s, sample_rate=22050,
                          tempo_bpm=120, beats_s=np.arange(0, segment_s, 0.5),
                          downbeats_s=np.arange(0, segment_s, 2.0),
                          sections_s=np.array([[0, segment_s]]), cuts_s=np.array([]))
    info = VideoInfo(path="/movie.mp4", fps=FPS, frame_count=n, width=64, height=36,
                     duration_s=n / 24.0)
    cost = speech.cut_costs(_state(spans_s, n / 24.0), shots.frame_times_s, 24.0)
    plan = assemble(Assignment(shots=np.array([0]), scores=np.array([1.0]), reasons=["r"]),
                    shots, music, info, usable_end=n, quality=np.ones(1),
                    frame_value=frame_value, cut_cost=cost)
    (clip,) = plan.clips
    return clip.source_start / 24.0, clip.source_end / 24.0


def _inside(t, spans):
    """Strictly inside a line, by more than half a frame (a cut lies between two frames)."""
    return any(a + 0.5 / 24 < t < b - 0.5 / 24 for a, b in spans)


def test_a_cut_avoids_a_spoken_line_when_a_free_placement_exists():
    # A 20 s shot under a 4 s segment. The picture is best (frame value) in the middle of a
    # line, so without dialogue the window would start and end inside speech.
    placed = [(5.0, 9.5), (12.0, 13.0)]
    spans = speech.spans_from_state(_state(placed, 20.0))  # as detected, in 32 ms steps
    assert len(spans) == 2
    value = np.zeros(480)
    value[6 * 24:10 * 24] = 1.0
    start, end = _plan(placed, 480, 4.0, frame_value=value)
    assert not _inside(start, spans) and not _inside(end, spans), (start, end)
    # Without speech the same picture value puts the window over 6-10 s (inside the line).
    plain_start, plain_end = _plan([], 480, 4.0, frame_value=value)
    assert _inside(plain_start, spans)


def test_when_every_placement_cuts_speech_the_clip_is_still_placed():
    spans = [(0.0, 20.0)]
    start, end = _plan(spans, 480, 4.0)
    assert end - start == 4.0
