"""Music analysis: beats, downbeats, sections and the planned cut points of a track (the walk).

``analyze_music`` decodes a file (or takes a mono array), tracks beats with librosa's default
tracker, estimates bars and sections, and plans cuts on beats at a rate that follows the music's
energy. ``segmentation="ipot"`` keeps IPOT's tempogram segmentation for comparison.
"""
from __future__ import annotations

import logging
import os
from typing import Optional

import numpy as np

from ..errors import ParameterError
from ..model import MusicAnalysis
from ..options import check_option
from ..progress import Reporter, ensure_reporter
from . import SAMPLE_RATE
from .bars import beat_accents, estimate_downbeats
from .beat_dp import track_beats
from .beats import DEFAULT_TEMPO_BPM, default_grid, fill_beat_gaps, tempo_from_beats
from .cuts import ipot_cuts, plan_beat_cuts, segment_energy
from .sections import detect_sections
from .spectral import interval_energy, is_silent, spectral_features

log = logging.getLogger(__name__)

SEGMENTATIONS = ("beats", "ipot")
_STAGE = "Analysing the music"


def _mono(y, sr) -> tuple:
    if sr is None or not np.isfinite(sr) or sr <= 0:
        raise ParameterError("Give the sample rate with the audio array: analyze_music(y=..., "
                             f"sr={SAMPLE_RATE}).")
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 2:  # (channels, samples), librosa's layout
        y = y.mean(axis=0)
    if y.ndim != 1 or y.size == 0:
        raise ParameterError("Audio must be a non-empty mono array (samples,) or "
                             "(channels, samples).")
    if not np.isfinite(y).all():
        raise ParameterError("Audio contains NaN or infinite samples; clean the signal first.")
    if y.size < sr:
        raise ParameterError(f"Audio is shorter than one second ({y.size} samples at {sr} Hz); "
                             "give a longer track.")
    return y, int(sr)


def analyze_music(path: Optional[str] = None, *, y: Optional[np.ndarray] = None,
                  sr: Optional[int] = None, pace: float = 1.0, segmentation: str = "beats",
                  n_sections: Optional[int] = None,
                  reporter: Optional[Reporter] = None) -> MusicAnalysis:
    """Analyse a music track and plan where the trailer cuts.

    Parameters
    ----------
    path : str, optional
        Audio (or video) file to decode; ignored when ``y`` is given.
    y, sr : ndarray, int, optional
        Mono (or ``(channels, samples)``) audio and its sample rate, instead of a file.
    pace : float
        Cut-rate multiplier: 2 gives about twice as many cuts, 0.5 about half.
    segmentation : {"beats", "ipot"}
        ``"beats"``: cuts on beats, rate following the energy, every section start cut.
        ``"ipot"``: floor(duration / 2) segments from KernelCPD on a tempogram, not beat-snapped.
    n_sections : int, optional
        Number of sections; by default about one per 24 s of music.
    reporter : Reporter, optional
        Progress and cancellation.

    Returns
    -------
    MusicAnalysis
        All times in seconds. A track without detectable beats gets an even 120 BPM grid
        (and a logged warning) instead of an error.

    Raises
    ------
    ParameterError
        For a bad ``pace``, ``segmentation`` or array. :class:`MediaError` for unreadable files.
    """
    check_option("pace", pace)  # the one range, from the option spec
    check_option("segmentation", segmentation)
    if n_sections is not None and (not isinstance(n_sections, (int, np.integer))
                                   or n_sections < 1):
        raise ParameterError(f"n_sections must be a positive whole number or None (got "
                             f"{n_sections!r}); None picks about one section per 24 s.")
    reporter = ensure_reporter(reporter)
    reporter.report(_STAGE, 0, 4)
    if y is None:
        if path is None:
            raise ParameterError("Give a music file path or an audio array (y=..., sr=...).")
        from ..media import load_audio

        sr = int(sr or SAMPLE_RATE)
        y = load_audio(os.fspath(path), sr)
        path = os.path.abspath(os.fspath(path))
    y, sr = _mono(y, sr)
    duration = len(y) / float(sr)
    name = os.fspath(path) if path is not None else ""

    silent = is_silent(y)
    spec = spectral_features(y, sr)
    reporter.report(_STAGE, 1, 4)
    detected_beats = np.zeros(0) if silent else track_beats(spec)
    if len(detected_beats) < 2:
        log.warning("No beats found in %s; cutting on an even %g BPM grid instead.",
                    name or "the audio", DEFAULT_TEMPO_BPM)
        beats = default_grid(duration)
        detected = np.zeros(len(beats), bool)
        tempo = DEFAULT_TEMPO_BPM
    else:
        beats, detected = fill_beat_gaps(detected_beats, spec)
        tempo = tempo_from_beats(detected_beats)
    period = float(np.median(np.diff(beats))) if len(beats) > 1 else 60.0 / tempo
    reporter.report(_STAGE, 2, 4)

    accents = beat_accents(spec, beats)
    downbeats, _ = estimate_downbeats(beats, accents)
    starts = np.zeros(0) if silent else detect_sections(spec, beats, downbeats, n_sections)
    edges = np.concatenate([[0.0], starts, [duration]])
    sections = np.stack([edges[:-1], edges[1:]], axis=1)
    reporter.report(_STAGE, 3, 4)

    positions = np.concatenate([[0.0], beats, [duration]])
    energy = interval_energy(spec, beats)
    if segmentation == "ipot":
        cuts = ipot_cuts(spec)
    else:
        preferred = np.zeros(len(positions))
        preferred[1:-1] = 0.6 * np.isin(beats, downbeats) + 0.4 * detected
        boundaries = np.searchsorted(beats, starts) + 1
        cuts = positions[plan_beat_cuts(positions, energy, boundaries, preferred, period, pace)]
    reporter.report(_STAGE, 4, 4)
    return MusicAnalysis(
        path=name, duration_s=duration, sample_rate=sr, tempo_bpm=float(tempo),
        beats_s=beats, downbeats_s=downbeats, sections_s=sections, cuts_s=np.asarray(cuts, float),
        energy=segment_energy(cuts, positions, energy, duration))


def waveform_envelope(y: np.ndarray, bins: int = 2000) -> np.ndarray:
    """Min/max envelope of ``y`` in ``bins`` equal slices, shape ``(bins, 2)``, for drawing.

    Raises :class:`ParameterError` when ``bins`` is not a positive integer.
    """
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ParameterError(f"bins must be a positive integer (got {bins!r}).")
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 2:
        y = y.mean(axis=0)
    y = y.reshape(-1)
    out = np.zeros((bins, 2), np.float32)
    if y.size == 0:
        return out
    if y.size < bins:
        picked = y[np.linspace(0, y.size - 1, bins).round().astype(int)]
        out[:, 0] = out[:, 1] = picked
        return out
    starts = np.linspace(0, y.size, bins + 1).astype(int)[:-1]
    out[:, 0] = np.minimum.reduceat(y, starts)
    out[:, 1] = np.maximum.reduceat(y, starts)
    return out
