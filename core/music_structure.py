"""Bars and sections: downbeats from beat accents, sections from change points of beat features."""
from __future__ import annotations

import numpy as np

from .music_beats import autocorrelation
from .music_features import Spectral, beat_sync

# Score (in standard deviations of the accents) lost when the bar position does not simply
# advance by one beat, as after a beat-tracker slip or an odd bar.
_PHASE_JUMP_PENALTY = 4.0
# Seconds of music per section the automatic section count aims for.
_SECONDS_PER_SECTION = 24.0
# How much more the accents must repeat every 3 beats than every 4 to call the meter triple.
_TRIPLE_MARGIN = 0.15
_MAX_SECTIONS = 12


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
    triple = 0.5 * (autocorrelation(accents, 3) + autocorrelation(accents, 6))
    quadruple = 0.5 * (autocorrelation(accents, 4) + autocorrelation(accents, 8))
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


def section_count(duration_s: float, intervals: int, min_size: int) -> int:
    """How many sections a track of this length gets (about one per 24 s, at least one)."""
    wanted = int(round(duration_s / _SECONDS_PER_SECTION))
    return int(np.clip(wanted, 1, min(_MAX_SECTIONS, max(1, intervals // min_size))))


def section_features(spec: Spectral, beats: np.ndarray) -> np.ndarray:
    """Beat-synchronous timbre, harmony and loudness, standardised, one row per grid interval.

    Each group (chroma, MFCC, loudness) gets the same total weight.
    """
    chroma = beat_sync(spec, beats, spec.chroma)
    mfcc = beat_sync(spec, beats, spec.mfcc[1:])
    loud = 10.0 * np.log10(beat_sync(spec, beats, spec.power[None]) + 1e-12)
    groups = []
    for block in (chroma, mfcc, loud):
        sd = block.std(axis=1, keepdims=True)
        z = (block - block.mean(axis=1, keepdims=True)) / np.where(sd > 1e-9, sd, 1.0)
        groups.append(z / np.sqrt(block.shape[0]))
    return np.concatenate(groups, axis=0).T


def detect_sections(spec: Spectral, beats: np.ndarray, downbeats: np.ndarray,
                    n_sections=None) -> np.ndarray:
    """Section boundaries (as beat times) from KernelCPD on beat-synchronous features.

    Boundaries lie on beats; one within a beat of a downbeat moves onto the downbeat.
    ``n_sections`` None picks a count from the track's length.
    """
    import ruptures as rpt

    beats = np.asarray(beats, float)
    if len(beats) < 2:
        return np.zeros(0)
    period = float(np.median(np.diff(beats)))
    min_size = max(8, int(np.ceil(6.0 / period)))
    intervals = len(beats) + 1
    if n_sections is None:
        n_sections = section_count(spec.duration_s, intervals, min_size)
    n_sections = int(min(n_sections, max(1, intervals // 4)))
    if n_sections <= 1:
        return np.zeros(0)
    min_size = int(min(min_size, intervals // n_sections))
    features = section_features(spec, beats)
    ends = rpt.KernelCPD(kernel="rbf", min_size=min_size).fit(features).predict(
        n_bkps=n_sections - 1)
    # Change point k means interval k starts a section; interval k starts at beats[k - 1].
    indices = [k - 1 for k in ends[:-1] if 1 <= k <= len(beats)]
    down = set(np.flatnonzero(np.isin(beats, downbeats)).tolist())
    snapped = []
    for i in indices:
        for j in (i, i - 1, i + 1):
            if j in down and 0 <= j < len(beats):
                i = j
                break
        snapped.append(i)
    return beats[np.unique(snapped)]
