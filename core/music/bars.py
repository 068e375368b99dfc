"""Bars: per-beat downbeat accents, the meter (3 or 4 beats) and the downbeats themselves."""
from __future__ import annotations

import numpy as np

from .spectral import Spectral, autocorrelation, beat_sync, interval_frames, zscore

# Median share of the strongest pitch class: about 1/8 for drums, 0.2 to 0.4 for real music.
_FLAT_CHROMA = 0.13
_TONAL_CHROMA = 0.22
# Score (in standard deviations of the accents) lost when the bar position does not simply
# advance by one beat, as after a beat-tracker slip or an odd bar.
_PHASE_JUMP_PENALTY = 4.0
# How much more the accents must repeat every 3 beats than every 4 to call the meter triple.
_TRIPLE_MARGIN = 0.15


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


def meter_scores(x: np.ndarray) -> tuple:
    """How strongly ``x`` repeats every bar of 3 beats and of 4: ``(triple, quadruple)``.

    Each is the mean autocorrelation at one and two bars (lags 3 and 6, 4 and 8); the one
    formula both the accent weighting and the meter estimate use.
    """
    triple = 0.5 * (autocorrelation(x, 3) + autocorrelation(x, 6))
    quadruple = 0.5 * (autocorrelation(x, 4) + autocorrelation(x, 8))
    return triple, quadruple


def bar_regularity(x: np.ndarray) -> float:
    """How clearly ``x`` repeats with a bar period: best of triple (3, 6) and duple (4, 8)."""
    return max(0.0, *meter_scores(x))


def tonality(chroma: np.ndarray) -> float:
    """0 for pitchless sound (drums, noise: flat chroma) rising to 1 for clearly tonal music.

    Measured as the median share of the strongest pitch class in each column's chroma.
    """
    share = chroma.max(axis=0) / np.maximum(chroma.sum(axis=0), 1e-9)
    return float(np.clip((np.median(share) - _FLAT_CHROMA) / (_TONAL_CHROMA - _FLAT_CHROMA),
                         0.0, 1.0))


def _bar_positions(accents: np.ndarray, meter: int) -> np.ndarray:
    """Most likely position in the bar (0 = downbeat) of every beat, by Viterbi decoding.

    A beat in position 0 scores its accent; the position advances by one each beat, and any
    other move costs ``_PHASE_JUMP_PENALTY`` (so the phase may recover after a tracker slip).
    """
    n = len(accents)
    states = np.arange(meter)
    advance = (states[:, None] + 1) % meter == states[None, :]  # [from, to]
    transition = np.where(advance, 0.0, -_PHASE_JUMP_PENALTY)
    emission = np.zeros((n, meter))
    emission[:, 0] = accents
    score = emission[0].copy()
    back = np.zeros((n, meter), dtype=int)
    for j in range(1, n):
        total = score[:, None] + transition
        back[j] = np.argmax(total, axis=0)
        score = total[back[j], states] + emission[j]
    path = np.zeros(n, dtype=int)
    path[-1] = int(np.argmax(score))
    for j in range(n - 1, 0, -1):
        path[j - 1] = back[j, path[j]]
    return path


def estimate_meter(accents: np.ndarray) -> int:
    """Beats per bar: 3 when the accents repeat every 3 (and 6) beats clearly more than every
    4 (and 8), else 4. Phase-free, so tracker slips do not blur it."""
    triple, quadruple = meter_scores(accents)
    return 3 if triple > quadruple + _TRIPLE_MARGIN else 4


def estimate_downbeats(beats: np.ndarray, accents: np.ndarray) -> tuple:
    """Downbeat times and the meter (beats per bar, 4 or 3) from per-beat accents.

    4/4 is assumed unless 3/4 is clearly better; the bar phase follows the accents and may
    shift where the beat tracker slipped.
    """
    beats = np.asarray(beats, float)
    if len(beats) == 0:
        return np.zeros(0), 4
    if len(beats) < 8 or not np.any(accents):
        return beats[::4].copy(), 4
    meter = estimate_meter(accents)
    scaled = accents / max(float(np.std(accents)), 1e-9)
    return beats[_bar_positions(scaled, meter) == 0], meter
