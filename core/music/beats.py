"""The beat grid: gap filling over quiet stretches, an even fallback grid, the mean tempo."""
from __future__ import annotations

import numpy as np

from .spectral import Spectral, audible

DEFAULT_TEMPO_BPM = 120.0
#: The beat period assumed when a track has too few beats to measure one.
DEFAULT_BEAT_PERIOD_S = 0.5
# Beat-grid gaps longer than this many beat periods get filled with extrapolated beats.
_GAP_PERIODS = 1.75


def beat_period(beats_s) -> float:
    """The median beat period of a track (s), or :data:`DEFAULT_BEAT_PERIOD_S` without beats."""
    beats = np.asarray(beats_s, float)
    return float(np.median(np.diff(beats))) if len(beats) > 2 else DEFAULT_BEAT_PERIOD_S


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
    extra = extra[audible(spec, extra, period / 2)]
    merged = np.concatenate([beats, extra])
    detected = np.concatenate([np.ones(len(beats), bool), np.zeros(len(extra), bool)])
    order = np.argsort(merged, kind="stable")
    return merged[order], detected[order]


def default_grid(duration_s: float, tempo_bpm: float = DEFAULT_TEMPO_BPM) -> np.ndarray:
    """An evenly spaced beat grid for tracks without detectable beats."""
    period = 60.0 / tempo_bpm
    grid = np.arange(period, duration_s - 0.25 * period, period)
    return grid.astype(float)


def tempo_from_beats(beats: np.ndarray) -> float:
    """Mean tempo (BPM) over the tracked beats, robust to dropped or doubled beats.

    Beat times are quantised to analysis frames (23 ms), so a single interval, or the median
    one, is coarse; the mean of the ordinary intervals (within 25% of the median) is not.
    """
    intervals = np.diff(np.asarray(beats, float))
    median = float(np.median(intervals))
    ordinary = intervals[np.abs(intervals - median) <= 0.25 * median]
    return 60.0 / float(np.mean(ordinary))
