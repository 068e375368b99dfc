"""Sections: KernelCPD on beat-synchronous timbre, harmony and loudness, snapped to downbeats."""
from __future__ import annotations

import numpy as np

from .spectral import Spectral, beat_sync

# Seconds of music per section the automatic section count aims for.
_SECONDS_PER_SECTION = 24.0
_MAX_SECTIONS = 12


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
