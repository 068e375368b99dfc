"""Beats and bar accents: librosa's tracker, grid gap filling, per-beat downbeat cues."""
from __future__ import annotations

import numpy as np

from . import beat_dp
from .music_features import HOP, Spectral, beat_sync, interval_frames, zscore

DEFAULT_TEMPO_BPM = 120.0
# Beat-grid gaps longer than this many beat periods get filled with extrapolated beats.
_GAP_PERIODS = 1.75
# A filled beat needs the audio around it within this many dB of the track's loud level.
_ACTIVE_RANGE_DB = 45.0
# Median share of the strongest pitch class: about 1/8 for drums, 0.2 to 0.4 for real music.
_FLAT_CHROMA = 0.13
_TONAL_CHROMA = 0.22


def track_beats(spec: Spectral) -> np.ndarray:
    """Beat times (s) from librosa's dynamic-programming tracker with its default settings.

    It is fed the same median-aggregated onset envelope ``librosa.beat.beat_track(y=...)``
    computes and runs the same algorithm (``core.beat_dp``, which avoids librosa's seconds of
    per-process JIT start-up), so on the same audio the beats agree with the reference tracker's
    (checked against librosa in the tests). The soft beats
    of a quiet intro, which the tracker trims as weak, are taken back from its untrimmed path
    (where the audio is not silent) rather than extrapolated off-phase from later beats.
    """
    import librosa

    if not np.any(spec.onset_beat > 0):
        return np.zeros(0)

    def track(trim: bool) -> np.ndarray:
        frames = beat_dp.track(spec.onset_beat, spec.sr, HOP, trim=trim)
        return librosa.frames_to_time(frames, sr=spec.sr, hop_length=HOP).astype(float)

    beats = track(True)
    if len(beats) < 2:
        return beats
    half = float(np.median(np.diff(beats))) / 2
    head = track(False)
    head = head[head < beats[0] - half]
    head = _snap_to_onsets(spec, head[_active(spec, head, half)], half / 2)
    return np.concatenate([head, beats])


def _snap_to_onsets(spec: Spectral, times: np.ndarray, window_s: float) -> np.ndarray:
    """Move each time to the strongest onset within ``window_s`` (the untrimmed path is loose)."""
    ft = spec.frame_times()
    out = times.copy()
    for i, t in enumerate(times):
        near = np.flatnonzero(np.abs(ft - t) <= window_s)
        if len(near):
            out[i] = ft[near[np.argmax(spec.onset_beat[near])]]
    return out


def _active(spec: Spectral, times: np.ndarray, half_window_s: float) -> np.ndarray:
    """Whether the audio around each time is loud enough to carry a beat."""
    db = 10.0 * np.log10(spec.power + 1e-12)
    loud = np.percentile(db, 95)
    ft = spec.frame_times()
    out = np.zeros(len(times), bool)
    for i, t in enumerate(times):
        window = db[(ft >= t - half_window_s) & (ft <= t + half_window_s)]
        out[i] = window.size > 0 and window.max() >= loud - _ACTIVE_RANGE_DB
    return out


def fill_beat_gaps(beats: np.ndarray, spec: Spectral) -> tuple:
    """Extend the beat grid over stretches the tracker left empty (quiet intros, fade-outs).

    Returns ``(beats, detected)`` where ``detected`` marks beats the tracker found; filled beats
    continue the local beat period and are only placed where the audio is not silent.
    """
    if len(beats) < 2:
        return beats, np.ones(len(beats), bool)
    period = float(np.median(np.diff(beats)))
    duration = spec.duration_s
    extra = []
    head = beats[0] - period * np.arange(1, int(beats[0] / period) + 1)
    extra.append(head[head >= 0.25 * period])
    tail = beats[-1] + period * np.arange(1, int((duration - beats[-1]) / period) + 1)
    extra.append(tail[tail <= duration - 0.25 * period])
    gaps = np.diff(beats)
    for i in np.flatnonzero(gaps > _GAP_PERIODS * period):
        n = int(round(gaps[i] / period))
        extra.append(np.linspace(beats[i], beats[i + 1], n + 1)[1:-1])
    extra = np.concatenate(extra) if extra else np.zeros(0)
    extra = extra[_active(spec, extra, period / 2)]
    merged = np.concatenate([beats, extra])
    detected = np.concatenate([np.ones(len(beats), bool), np.zeros(len(extra), bool)])
    order = np.argsort(merged, kind="stable")
    return merged[order], detected[order]


def default_grid(duration_s: float, tempo_bpm: float = DEFAULT_TEMPO_BPM) -> np.ndarray:
    """An evenly spaced beat grid for tracks without detectable beats."""
    period = 60.0 / tempo_bpm
    grid = np.arange(period, duration_s - 0.25 * period, period)
    return grid.astype(float)


def beat_accents(spec: Spectral, beats: np.ndarray) -> np.ndarray:
    """How strongly each beat is marked as a bar start, one value per beat (z-score units).

    Three cues: bass onsets (kick drum, bass notes), harmony change (chroma of the two beats
    after against the two before; only in tonal music) and overall onset strength (which
    backbeat snares also carry). Each counts by a prior weight times how regularly it repeats
    every 3, 4, 6 or 8 beats, so a cue that is only noise in this track drops out.
    """
    if len(beats) == 0:
        return np.zeros(0)
    frames = interval_frames(spec, beats)
    lo = np.clip(frames - 2, 0, spec.frames - 1)
    hi = np.clip(frames + 3, 1, spec.frames)
    onset = np.array([spec.onset_mean[a:b].max() for a, b in zip(lo, hi)])
    bass = np.array([spec.onset_low[a:b].max() for a, b in zip(lo, hi)])
    chroma = beat_sync(spec, beats, spec.chroma)  # column j + 1 is the interval after beat j
    padded = np.pad(chroma, ((0, 0), (1, 1)), mode="edge")
    after = padded[:, 2:-1] + padded[:, 3:]
    before = padded[:, 1:-2] + padded[:, :-3]
    norms = np.linalg.norm(after, axis=0) * np.linalg.norm(before, axis=0)
    change = (1.0 - np.sum(after * before, axis=0) / np.maximum(norms, 1e-9))[:len(beats)]
    cues = [(zscore(bass), 1.0), (zscore(change), 0.7 * tonality(chroma)), (zscore(onset), 0.3)]
    weights = np.array([prior * bar_regularity(z) for z, prior in cues])
    if weights.sum() <= 1e-6:  # nothing repeats: fall back to the prior weights
        weights = np.array([prior for _, prior in cues])
    return sum(w * z for w, (z, _) in zip(weights, cues))


def autocorrelation(x: np.ndarray, lag: int) -> float:
    """Normalised autocorrelation of ``x`` at ``lag`` (0 when undefined)."""
    x = np.asarray(x, float) - np.mean(x)
    energy = float(np.sum(x * x))
    if lag >= len(x) or energy <= 1e-12:
        return 0.0
    return float(np.sum(x[lag:] * x[:-lag]) / energy)


def bar_regularity(x: np.ndarray) -> float:
    """How clearly ``x`` repeats with a bar period: best of triple (3, 6) and duple (4, 8)."""
    triple = 0.5 * (autocorrelation(x, 3) + autocorrelation(x, 6))
    quadruple = 0.5 * (autocorrelation(x, 4) + autocorrelation(x, 8))
    return max(0.0, triple, quadruple)


def tonality(chroma: np.ndarray) -> float:
    """0 for pitchless sound (drums, noise: flat chroma) rising to 1 for clearly tonal music.

    Measured as the median share of the strongest pitch class in each column's chroma.
    """
    share = chroma.max(axis=0) / np.maximum(chroma.sum(axis=0), 1e-9)
    return float(np.clip((np.median(share) - _FLAT_CHROMA) / (_TONAL_CHROMA - _FLAT_CHROMA),
                         0.0, 1.0))
