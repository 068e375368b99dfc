"""Music analysis on synthetic tracks the tests render (numpy): known beats, bars, sections."""
from __future__ import annotations

import logging
import math

import numpy as np
import pytest

from trailersmith.core.errors import Cancelled, MediaError, ParameterError
from trailersmith.core.music import analyze_music, waveform_envelope
from trailersmith.core.progress import CancelToken, Reporter

SR = 22050
# librosa's onset envelope peaks about one frame (23 ms) after a click; allow two frames.
BEAT_TOL_S = 0.05


def _burst(kind: str, rng) -> np.ndarray:
    t = np.arange(int(0.12 * SR)) / SR
    if kind == "kick":  # falling pitch sine: low-frequency accent
        return np.sin(2 * np.pi * (60 + 90 * np.exp(-t * 40)) * t) * np.exp(-t * 25)
    if kind == "snare":  # noise burst: broadband, no pitch
        return rng.standard_normal(t.size) * np.exp(-t * 35) * 0.6
    return np.sin(2 * np.pi * 1500 * t) * np.exp(-t * 60) * 0.5  # click


def _place(y: np.ndarray, t: float, sound: np.ndarray) -> None:
    start = int(round(t * SR))
    part = sound[: max(0, len(y) - start)]
    y[start:start + len(part)] += part


def drum_track(duration, bpm, *, first=0.5, meter=4, downbeat_index=0, seed=0):
    """Kick + click on each bar's first beat, snare on 2 and 4 (in 4/4), clicks elsewhere.

    Returns ``(y, beats, downbeats)``; bars start at beat ``downbeat_index`` (a pick-up).
    """
    rng = np.random.default_rng(seed)
    sounds = {k: _burst(k, rng) for k in ("kick", "snare", "click")}
    y = np.zeros(int(duration * SR))
    beats = np.arange(first, duration - 0.2, 60.0 / bpm)
    positions = (np.arange(len(beats)) - downbeat_index) % meter
    for t, pos in zip(beats, positions):
        if pos == 0:
            parts, gain = ("kick", "click"), 1.6
        elif meter == 4 and pos % 2 == 1:
            parts, gain = ("snare",), 1.0
        else:
            parts, gain = ("click",), 1.0
        for p in parts:
            _place(y, t, gain * sounds[p])
    return y.astype(np.float32), beats, beats[positions == 0]


CHORDS = [(261.6, 329.6, 392.0), (349.2, 440.0, 523.3), (392.0, 493.9, 587.3),
          (220.0, 261.6, 329.6)]


def chord_track(duration, bpm, *, first=0.5, meter=4, downbeat_index=0):
    """Equally loud chord stabs on every beat; the chord changes on each downbeat only."""
    period = 60.0 / bpm
    y = np.zeros(int(duration * SR))
    beats = np.arange(first, duration - 0.2, period)
    positions = (np.arange(len(beats)) - downbeat_index) % meter
    t = np.arange(int(period * SR)) / SR
    bar = 0
    for k, (tb, pos) in enumerate(zip(beats, positions)):
        if pos == 0 and k > 0:
            bar += 1
        stab = sum(np.sin(2 * np.pi * f * t) for f in CHORDS[bar % len(CHORDS)])
        _place(y, tb, 0.2 * stab * np.exp(-t * 6))
    return y.astype(np.float32), beats, beats[positions == 0]


def quiet_loud_quiet(seconds=24.0, bpm=120):
    """Soft chords, then the same with loud drums, then soft chords; returns (y, boundaries)."""
    parts = []
    for i, loud in enumerate((False, True, False)):
        y, _, _ = chord_track(seconds + 0.2, bpm, first=0.0)
        if loud:
            y = y + drum_track(seconds + 0.2, bpm, first=0.0, seed=i)[0]
        else:
            y = 0.15 * y
        parts.append(y[: int(seconds * SR)])
    return np.concatenate(parts).astype(np.float32), np.array([seconds, 2 * seconds])


def _nearest(a, b) -> np.ndarray:
    """Distance from each value of ``a`` to the nearest value of ``b``."""
    return np.abs(np.asarray(a)[:, None] - np.asarray(b)[None, :]).min(axis=1)


@pytest.fixture(scope="module")
def sections_case():
    y, bounds = quiet_loud_quiet()
    return y, bounds, analyze_music(y=y, sr=SR)


@pytest.mark.parametrize("bpm", [90, 120, 150])
def test_beats_and_tempo_of_a_drum_track(bpm):
    y, beats, _ = drum_track(30.0, bpm, first=0.37)
    m = analyze_music(y=y, sr=SR)
    assert _nearest(beats[beats > 1.0], m.beats_s).max() < BEAT_TOL_S
    assert _nearest(m.beats_s, beats).max() < BEAT_TOL_S  # no beats where there are none
    assert m.tempo_bpm == pytest.approx(bpm, rel=0.01)


@pytest.mark.parametrize("make", [drum_track, chord_track], ids=["kick", "harmony"])
@pytest.mark.parametrize("bpm,meter,pickup", [(120, 4, 1), (100, 4, 3), (90, 3, 2),
                                              (150, 3, 1)])
def test_downbeats_follow_bar_accents(make, bpm, meter, pickup):
    y, _, downbeats = make(40.0, bpm, first=0.37, meter=meter, downbeat_index=pickup)
    m = analyze_music(y=y, sr=SR)
    assert np.all(np.isin(m.downbeats_s, m.beats_s))
    recall = np.mean(_nearest(downbeats, m.downbeats_s) < BEAT_TOL_S)
    precision = np.mean(_nearest(m.downbeats_s, downbeats) < BEAT_TOL_S)
    assert recall >= 0.9 and precision >= 0.9, (recall, precision)


def test_downbeats_recover_after_an_odd_bar():
    first, _, down1 = drum_track(20.0, 120, first=0.5)
    second, _, down2 = drum_track(20.0, 120, first=0.0, downbeat_index=2)
    y = np.concatenate([first, second])
    downbeats = np.concatenate([down1, down2 + 20.0])
    m = analyze_music(y=y, sr=SR)
    late = downbeats[downbeats > 24.0]  # the bar at 20 s has five beats; two bars later
    assert np.mean(_nearest(late, m.downbeats_s) < BEAT_TOL_S) >= 0.9
    assert np.mean(_nearest(m.downbeats_s, downbeats) < BEAT_TOL_S) >= 0.9


def test_sections_start_where_the_music_changes(sections_case):
    y, bounds, m = sections_case
    assert m.sections_s.shape == (3, 2)
    assert m.sections_s[0, 0] == 0.0 and m.sections_s[-1, 1] == pytest.approx(len(y) / SR)
    assert np.array_equal(m.sections_s[1:, 0], m.sections_s[:-1, 1])
    assert np.all(np.isin(m.sections_s[1:, 0], m.beats_s))
    assert _nearest(bounds, m.sections_s[1:, 0]).max() < 0.1


def test_section_count_can_be_chosen(sections_case):
    y, bounds, _ = sections_case
    m = analyze_music(y=y, sr=SR, n_sections=2)
    assert len(m.sections_s) == 2
    assert _nearest(m.sections_s[1:, 0], bounds).min() < 0.1


def test_cut_rate_follows_loudness(sections_case):
    y, bounds, m = sections_case
    seg = m.segments_s
    length, middle = seg[:, 1] - seg[:, 0], seg.mean(axis=1)
    loud = (middle > bounds[0]) & (middle < bounds[1])
    period = 60.0 / m.tempo_bpm
    assert length[loud].mean() <= 0.5 * length[~loud].mean()
    assert np.median(length[loud]) <= 2 * period + 0.05       # 1-2 beats when loud
    assert np.median(length[~loud]) >= 4 * period - 0.05      # 4+ beats when calm
    assert m.energy[loud].mean() > m.energy[~loud].mean() + 0.3


def _check_cut_invariants(m):
    cuts = m.cuts_s
    assert np.all(np.diff(cuts) > 0)
    assert np.all(np.isin(cuts, m.beats_s))
    assert cuts.size == 0 or (cuts[0] > 0 and cuts[-1] < m.duration_s)
    seg = m.segments_s
    assert np.all(seg[:, 1] - seg[:, 0] >= 0.5 - 1e-9)
    assert np.all(np.isin(m.sections_s[1:, 0], cuts))
    assert len(m.energy) == len(cuts) + 1 and np.all((m.energy >= 0) & (m.energy <= 1))
    assert np.all(np.isin(m.downbeats_s, m.beats_s))


@pytest.mark.parametrize("pace", [0.5, 1.0, 2.0, 4.0])
def test_cut_invariants(sections_case, pace):
    y, _, _ = sections_case
    _check_cut_invariants(analyze_music(y=y, sr=SR, pace=pace))


def test_pace_scales_the_number_of_cuts():
    y, _, _ = chord_track(60.0, 100)
    counts = {p: len(analyze_music(y=y, sr=SR, pace=p).cuts_s) for p in (0.5, 1.0, 2.0)}
    assert 1.6 <= counts[2.0] / counts[1.0] <= 2.4, counts
    assert 0.35 <= counts[0.5] / counts[1.0] <= 0.65, counts


@pytest.mark.parametrize("signal", ["zeros", "tiny noise", "steady tone"])
def test_no_beats_gives_an_even_grid_and_a_warning(signal, caplog):
    n = 10 * SR
    y = {"zeros": np.zeros(n),
         "tiny noise": np.random.default_rng(1).standard_normal(n) * 1e-6,
         "steady tone": np.sin(2 * np.pi * 440 * np.arange(n) / SR)}[signal]
    with caplog.at_level(logging.WARNING):
        m = analyze_music(y=y.astype(np.float32), sr=SR)
    assert any("No beats" in r.getMessage() for r in caplog.records)
    assert m.tempo_bpm == 120.0
    assert np.allclose(np.diff(m.beats_s), 0.5)
    assert m.sections_s.tolist() == [[0.0, 10.0]]
    assert len(m.cuts_s) >= 2
    lengths = np.diff(np.concatenate([[0.0], m.cuts_s, [10.0]]))
    assert lengths.max() - lengths.min() <= 0.5 + 1e-9
    _check_cut_invariants(m)


def test_ipot_segmentation_is_two_second_segments_off_the_beat():
    y, _ = quiet_loud_quiet(seconds=12.0)
    m = analyze_music(y=y, sr=SR, segmentation="ipot")
    assert len(m.cuts_s) + 1 == math.floor(m.duration_s / 2)
    assert np.all(np.diff(m.segments_s, axis=1) >= 0.5 - 1e-9)
    assert np.all(np.diff(m.cuts_s) > 0) and 0 < m.cuts_s[0] and m.cuts_s[-1] < m.duration_s
    assert np.mean(_nearest(m.cuts_s, m.beats_s) > 0.07) > 0.3  # not snapped to beats
    assert len(m.energy) == len(m.cuts_s) + 1
    assert len(m.beats_s) > 0 and len(m.sections_s) >= 1


@pytest.mark.parametrize("kwargs", [{"pace": 0}, {"pace": -1}, {"pace": float("nan")},
                                    {"pace": 100}, {"segmentation": "bars"},
                                    {"n_sections": 0}, {"n_sections": 2.5}])
def test_bad_options_raise_parameter_error(kwargs):
    with pytest.raises(ParameterError):
        analyze_music(y=np.zeros(2 * SR, np.float32), sr=SR, **kwargs)


@pytest.mark.parametrize("kwargs", [{}, {"y": np.zeros(2 * SR)},
                                    {"y": np.zeros(100), "sr": SR},
                                    {"y": np.full(2 * SR, np.nan), "sr": SR},
                                    {"y": np.zeros((2, 3, SR)), "sr": SR}])
def test_bad_audio_raises_parameter_error(kwargs):
    with pytest.raises(ParameterError):
        analyze_music(**kwargs)


def test_stereo_array_is_mixed_to_mono():
    y, _, _ = drum_track(12.0, 120)
    stereo = analyze_music(y=np.stack([y, y]), sr=SR)
    mono = analyze_music(y=y, sr=SR)
    assert np.array_equal(stereo.beats_s, mono.beats_s)
    assert np.array_equal(stereo.cuts_s, mono.cuts_s)


def test_file_path_is_decoded(tmp_path):
    import soundfile

    y, beats, _ = drum_track(15.0, 120)
    path = tmp_path / "drums.wav"
    soundfile.write(path, y, SR, subtype="FLOAT")
    m = analyze_music(str(path))
    assert m.path == str(path) and m.sample_rate == SR
    assert m.duration_s == pytest.approx(15.0, abs=0.05)
    assert _nearest(beats[beats > 1.0], m.beats_s).max() < BEAT_TOL_S
    with pytest.raises(MediaError):
        analyze_music(str(tmp_path / "missing.wav"))


def test_progress_is_reported_and_cancel_stops():
    y, _, _ = drum_track(8.0, 120)
    seen = []
    analyze_music(y=y, sr=SR, reporter=Reporter(seen.append))
    assert seen[0].done == 0 and seen[-1].fraction == 1.0
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        analyze_music(y=y, sr=SR, reporter=Reporter(cancel=token))


def test_waveform_envelope_bounds_every_slice():
    y = (np.sin(np.linspace(0, 20 * np.pi, 10_001)) * np.linspace(0, 1, 10_001)).astype(np.float32)
    env = waveform_envelope(y, bins=100)
    assert env.shape == (100, 2) and np.all(env[:, 0] <= env[:, 1])
    edges = np.linspace(0, y.size, 101).astype(int)
    assert env[37, 0] == y[edges[37]:edges[38]].min()
    assert env[37, 1] == y[edges[37]:edges[38]].max()
    assert np.abs(env[-10:]).max() > 0.9 and np.abs(env[:10]).max() < 0.15  # the ramp shows


def test_waveform_envelope_short_empty_and_bad_bins():
    short = waveform_envelope(np.array([0.5, -0.5], np.float32), bins=4)
    assert short.shape == (4, 2) and set(short[:, 0]) == {0.5, -0.5}
    assert np.all(waveform_envelope(np.zeros(0), bins=3) == 0)
    with pytest.raises(ParameterError):
        waveform_envelope(np.zeros(10), bins=0)
