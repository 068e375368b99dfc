"""Where a title card starts: on the music's last big hit near ``end - SECONDS``."""
from __future__ import annotations

import numpy as np
import pytest

from trailersmith.core.errors import ParameterError
from trailersmith.core.model import MusicAnalysis
from trailersmith.core.music import waveform_envelope
from trailersmith.core.music.cuts import MIN_SHOT_S
from trailersmith.core.music.title import analysis_until, title_start_s

SR = 22050
BPM = 120.0
DURATION = 24.0


def _track(hit_at=None):
    """Clicks on every beat (0.5 s), a little louder on each bar's first beat; with ``hit_at``
    a loud low burst on that beat (the big hit) and quieter bars before it."""
    y = np.zeros(int(DURATION * SR), np.float32)
    t = np.arange(int(0.1 * SR)) / SR
    click = (np.sin(2 * np.pi * 1500 * t) * np.exp(-t * 60)).astype(np.float32)
    boom = (np.sin(2 * np.pi * 70 * t) * np.exp(-t * 8)).astype(np.float32)
    beats = np.arange(0.5, DURATION - 0.2, 60.0 / BPM)
    for k, b in enumerate(beats):
        start = int(round(b * SR))
        gain = 0.3 * (1.5 if k % 4 == 0 else 1.0)
        y[start:start + len(click)] += gain * click[:len(y) - start]
        if hit_at is not None and abs(b - hit_at) < 1e-6:
            y[start:start + len(boom)] += 0.9 * boom[:len(y) - start]
    down = beats[::4]
    analysis = MusicAnalysis(path="", duration_s=DURATION, sample_rate=SR, tempo_bpm=BPM,
                             beats_s=beats, downbeats_s=down,
                             sections_s=np.array([[0.0, 12.5], [12.5, DURATION]]),
                             cuts_s=down[1:], energy=np.linspace(0.2, 0.9, len(down)))
    return analysis, waveform_envelope(y)


def test_the_title_starts_on_the_big_hit_not_at_end_minus_seconds():
    hit = 16.5  # a downbeat a bar (2 s) before end - 5.5 s = 18.5 s
    analysis, waveform = _track(hit_at=hit)
    assert title_start_s(analysis, waveform, 5.5) == pytest.approx(hit)
    # the same hit one bar later is still found; the title then starts there
    analysis, waveform = _track(hit_at=18.5)
    assert title_start_s(analysis, waveform, 5.5) == pytest.approx(18.5)


def test_without_a_big_hit_the_title_starts_on_a_downbeat_at_or_just_after_the_target():
    analysis, waveform = _track()
    start = title_start_s(analysis, waveform, 5.5)  # target 18.5 s is itself a downbeat
    assert start == pytest.approx(18.5)
    # target 17.7 s: 18.5 s is more than a beat after it, so the last downbeat before it
    assert title_start_s(analysis, waveform, 6.3) == pytest.approx(16.5)
    # target 18.3 s: the downbeat 0.2 s after it beats the one 1.8 s before
    assert title_start_s(analysis, waveform, 5.7) == pytest.approx(18.5)


def test_a_hit_outside_the_window_is_not_taken():
    analysis, waveform = _track(hit_at=8.5)  # far before the last two bars
    start = title_start_s(analysis, waveform, 5.5)
    assert start >= 18.5 - 2 * 2.0 - 1e-9 and start != pytest.approx(8.5)


@pytest.mark.parametrize("seconds", [0.0, -1.0, float("nan"), 12.5, 20.0])
def test_a_title_over_half_the_music_or_not_positive_is_refused_in_one_sentence(seconds):
    analysis, waveform = _track()
    with pytest.raises(ParameterError, match="--title-card") as info:
        title_start_s(analysis, waveform, seconds)
    assert "\n" not in str(info.value)


def test_the_shots_part_of_the_analysis_ends_at_the_title():
    analysis, _ = _track()
    part = analysis_until(analysis, 18.5)
    assert part.duration_s == 18.5
    assert np.all(part.cuts_s < 18.5 - MIN_SHOT_S + 1e-9)
    segments = part.segments_s
    assert segments[-1, 1] == 18.5
    # the segments are the track's own, a prefix: the same starts, the last one ends earlier
    np.testing.assert_allclose(segments[:, 0], analysis.segments_s[:len(segments), 0])
    assert len(part.energy) == len(segments)
    assert part.sections_s[-1, 1] == 18.5 and np.all(part.beats_s < 18.5)
