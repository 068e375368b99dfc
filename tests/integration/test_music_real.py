"""Music analysis on real tracks from ../shared/media (issue 2, criteria 2 and 4)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.media import media_file
from trailersmith.core.music import analyze_music

WESNOTH = "music/wesnoth"


def _nearest(a, b) -> np.ndarray:
    return np.abs(np.asarray(a)[:, None] - np.asarray(b)[None, :]).min(axis=1)


def _librosa_reference(path):
    """What an outside checker runs: librosa's own decoder and default beat tracker."""
    import librosa

    y, sr = librosa.load(str(path))
    _, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
    return y, sr, beats


def _mean_power(y, sr, start, end) -> float:
    a, b = int(start * sr), max(int(end * sr), int(start * sr) + 1)
    return float(np.mean(np.square(y[a:b], dtype=np.float64)))


@pytest.fixture(scope="module")
def frantic(media_dir):
    path = media_file(media_dir, f"{WESNOTH}/frantic.ogg")
    return path, analyze_music(str(path))


@pytest.fixture(scope="module")
def heroes(media_dir):
    path = media_file(media_dir, f"{WESNOTH}/heroes_rite.ogg")
    return path, analyze_music(str(path))


def _check_plan(m):
    assert np.all(np.isin(m.cuts_s, m.beats_s))
    assert np.all(np.diff(m.segments_s, axis=1) >= 0.5 - 1e-9)
    assert np.all(np.isin(m.sections_s[1:, 0], m.cuts_s))
    assert m.sections_s[0, 0] == 0 and m.sections_s[-1, 1] == m.duration_s
    assert np.array_equal(m.sections_s[1:, 0], m.sections_s[:-1, 1])


def test_frantic_cuts_lie_on_beats_and_on_librosa_beats(frantic):
    """Criterion 2: every cut is one of our beats; >= 90% within 70 ms of librosa's."""
    path, m = frantic
    assert m.duration_s == pytest.approx(162.8, abs=0.1)
    assert 20 < len(m.cuts_s) < 200
    _check_plan(m)
    _, _, reference = _librosa_reference(path)
    within = _nearest(m.cuts_s, reference) <= 0.070
    assert within.mean() >= 0.9, f"{within.mean():.3f} of cuts within 70 ms"
    assert m.tempo_bpm == pytest.approx(117, rel=0.03)  # the README's "about 117 BPM"


def test_heroes_rite_loud_passages_cut_faster(heroes):
    """Criterion 4, both readings: loudest vs quietest third of the track, and segments ranked
    by loudness into terciles. Loudness comes from librosa's decode, not from the analysis."""
    path, m = heroes
    _check_plan(m)
    y, sr, _ = _librosa_reference(path)
    seg = m.segments_s
    length, middle = seg[:, 1] - seg[:, 0], seg.mean(axis=1)

    third = m.duration_s / 3
    power = [_mean_power(y, sr, k * third, (k + 1) * third) for k in range(3)]
    quiet, loud = int(np.argmin(power)), int(np.argmax(power))
    in_third = np.minimum((middle // third).astype(int), 2)
    time_ratio = length[in_third == loud].mean() / length[in_third == quiet].mean()
    assert time_ratio <= 0.6, f"time thirds: {time_ratio:.3f}"

    seg_power = np.array([_mean_power(y, sr, a, b) for a, b in seg])
    order = np.argsort(seg_power)
    n = len(order) // 3
    rank_ratio = length[order[-n:]].mean() / length[order[:n]].mean()
    assert rank_ratio <= 0.6, f"loudness terciles: {rank_ratio:.3f}"


def test_calm_track_cuts_slower_than_frantic(frantic, media_dir):
    love = analyze_music(str(media_file(media_dir, f"{WESNOTH}/love_theme.ogg")))
    _check_plan(love)
    _, fast = frantic
    slow_mean = np.diff(love.segments_s, axis=1).mean()
    fast_mean = np.diff(fast.segments_s, axis=1).mean()
    assert slow_mean >= 1.2 * fast_mean, (slow_mean, fast_mean)
    assert love.energy.mean() < fast.energy.mean()


def test_pace_doubles_cuts_on_real_music(frantic):
    path, m = frantic
    fast = analyze_music(str(path), pace=2.0)
    _check_plan(fast)
    assert 1.6 <= len(fast.cuts_s) / len(m.cuts_s) <= 2.4


def test_ipot_segmentation_on_real_music(frantic):
    path, m = frantic
    ipot = analyze_music(str(path), segmentation="ipot")
    assert len(ipot.cuts_s) + 1 == math.floor(ipot.duration_s / 2)
    assert np.all(np.diff(ipot.segments_s, axis=1) >= 0.5 - 1e-9)
    assert np.array_equal(ipot.beats_s, m.beats_s)  # same rhythm analysis, other cuts


@pytest.fixture(scope="module")
def madmom_sample(media_dir):
    wav = media_file(media_dir, "music/beat_annotated/madmom/sample.wav")
    annotated = np.loadtxt(media_file(media_dir, "music/beat_annotated/madmom/sample.beats"),
                           comments="#", ndmin=2)[:, 0]
    return annotated, analyze_music(str(wav))


def test_madmom_sample_beats_meet_the_annotation_where_grids_coincide(madmom_sample):
    """The 2.8 s excerpt is syncopated: its onsets repeat every 0.51 s, the annotated beats
    every 0.69 s (87.5 BPM). librosa's tracker (our reference) locks to 117.5 BPM, so only the
    annotated beats where both grids meet (the first and last) are matched within 70 ms."""
    annotated, m = madmom_sample
    matched = _nearest(annotated, m.beats_s) <= 0.070
    assert matched.mean() >= 0.5, matched
    assert len(m.beats_s) >= 4 and np.all(np.diff(m.beats_s) > 0)


@pytest.mark.xfail(strict=True, reason="librosa's default tracker picks 117.5 BPM on this "
                   "2.8 s syncopated excerpt; the annotation says 87.5 BPM")
def test_madmom_sample_every_annotated_beat_found(madmom_sample):
    annotated, m = madmom_sample
    assert np.all(_nearest(annotated, m.beats_s) <= 0.070)
