"""Planned cut points: on beats at an energy-driven rate, or IPOT's tempogram segmentation."""
from __future__ import annotations

import numpy as np

from .spectral import HOP, Spectral

MIN_SHOT_S = 0.5
# Shot length in beats at energy 0 (calm) and 1 (loud, dense), at 120 BPM.
CALM_BEATS = 12.0
LOUD_BEATS = 1.0
ENERGY_EXPONENT = 1.5
# IPOT's tempogram is pooled over this many frames (~93 ms) before change-point search, which
# keeps KernelCPD's quadratic cost to about a second on a 3-minute track.
_IPOT_POOL = 4


def shot_beats(energy: np.ndarray, period_s: float, pace: float) -> np.ndarray:
    """Target shot length in beats for each energy value.

    Geometric between ``CALM_BEATS`` and ``LOUD_BEATS`` in the squared energy, so middling
    music keeps medium-long shots and only the loudest, densest passages cut on every beat.
    Very fast or slow tempi count beats partly as time (a 180 BPM beat is short, so calm
    shots span more of them).
    """
    tempo_scale = float(np.clip(0.5 / period_s, 2.0 / 3.0, 1.5))
    beats = CALM_BEATS * (LOUD_BEATS / CALM_BEATS) ** (np.clip(energy, 0.0, 1.0) ** ENERGY_EXPONENT)
    return tempo_scale * beats / pace


def plan_beat_cuts(positions: np.ndarray, energy: np.ndarray, boundaries: np.ndarray,
                   preferred: np.ndarray, period_s: float, pace: float = 1.0,
                   min_shot_s: float = MIN_SHOT_S) -> np.ndarray:
    """Choose cut times among beats so the cut rate follows the energy.

    Parameters
    ----------
    positions : ndarray
        ``[0, beat_0, ..., beat_last, duration]``; only the beats (inner values) may be cuts.
    energy : ndarray
        Energy in [0, 1] of each interval between consecutive positions.
    boundaries : ndarray
        Indices into ``positions`` of section starts; every one becomes a cut.
    preferred : ndarray
        Per-position bonus in [0, 1] (downbeats, detected rather than filled beats).
    period_s, pace, min_shot_s : float
        Beat period, rate multiplier (2 = about twice the cuts), shortest allowed shot.

    Returns
    -------
    ndarray
        Indices into ``positions`` of the cuts, ascending.
    """
    lengths = shot_beats(energy, period_s, pace)
    spans = np.diff(positions) / period_s
    density = spans / lengths  # expected cuts per interval
    edges = [0] + sorted(int(b) for b in boundaries) + [len(positions) - 1]
    cuts = []
    for a, b in zip(edges[:-1], edges[1:]):
        if b <= a:
            continue
        if a > 0:
            cuts.append(a)
        cuts.extend(_cuts_in_section(positions, density, lengths, preferred, a, b, min_shot_s))
    return np.asarray(cuts, dtype=int)


def _cuts_in_section(positions, density, lengths, preferred, a, b, min_shot_s):
    cumulative = np.concatenate([[0.0], np.cumsum(density[a:b])])  # at positions a..b
    total = cumulative[-1]
    count = max(1, int(round(total)))
    if count == 1:
        return []
    chosen = []
    previous = a
    for k in range(1, count):
        x = float(np.interp(k * total / count, cumulative, np.arange(a, b + 1)))
        local = float(lengths[min(int(x), b - 1)])
        window = max(1.0, 0.5 * local)
        best, best_score = None, -np.inf
        for j in range(max(previous + 1, int(np.floor(x - window))),
                       min(b - 1, int(np.ceil(x + window))) + 1):
            if positions[j] - positions[previous] < min_shot_s - 1e-9:
                continue
            if positions[b] - positions[j] < min_shot_s - 1e-9:
                continue
            score = -abs(j - x) / window + (0.4 if local >= 3 else 0.1) * preferred[j]
            if score > best_score:
                best, best_score = j, score
        if best is not None:
            chosen.append(best)
            previous = best
    return chosen


def segment_energy(cut_times: np.ndarray, positions: np.ndarray, energy: np.ndarray,
                   duration_s: float) -> np.ndarray:
    """Time-weighted mean interval energy over each segment between cuts."""
    edges = np.concatenate([[0.0], np.asarray(cut_times, float), [duration_s]])
    span = np.diff(positions)
    cum = np.concatenate([[0.0], np.cumsum(energy * span)])
    integral = np.interp(edges, positions, cum)
    widths = np.diff(edges)
    return np.clip(np.diff(integral) / np.where(widths > 0, widths, 1.0), 0.0, 1.0)


def ipot_cuts(spec: Spectral, min_shot_s: float = MIN_SHOT_S) -> np.ndarray:
    """IPOT's segmentation: floor(duration / 2) segments by KernelCPD (linear) on a tempogram.

    Cuts are not snapped to beats; segments are at least ``min_shot_s`` long.
    """
    import librosa
    import ruptures as rpt

    segments = int(spec.duration_s // 2)
    if segments <= 1 or not np.any(spec.onset_mean > 0):
        return np.zeros(0)
    tempogram = librosa.feature.tempogram(onset_envelope=spec.onset_mean, sr=spec.sr,
                                          hop_length=HOP)
    usable = tempogram.shape[1] // _IPOT_POOL * _IPOT_POOL
    pooled = tempogram[:, :usable].reshape(tempogram.shape[0], -1, _IPOT_POOL).mean(axis=2)
    frame_s = _IPOT_POOL * HOP / spec.sr
    min_size = max(2, int(np.ceil(min_shot_s / frame_s)))
    segments = min(segments, pooled.shape[1] // min_size)
    if segments <= 1:
        return np.zeros(0)
    ends = rpt.KernelCPD(kernel="linear", min_size=min_size).fit(pooled.T).predict(
        n_bkps=segments - 1)
    times = np.asarray(ends[:-1], float) * frame_s
    return times[(times > 0) & (times < spec.duration_s)]
