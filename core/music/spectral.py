"""Frame-level music features from one spectrogram pass, and beat-synchronous aggregates.

Everything here works on a mono float array; :mod:`trailersmith.core.music.analyze` decodes
files and assembles the final :class:`~trailersmith.core.model.MusicAnalysis`. The sibling
modules import only this one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOP = 512
N_FFT = 2048
# A track whose peak stays below this (about -80 dBFS) is treated as silence.
_SILENCE_PEAK = 1e-4
# A beat placed by the grid needs the audio around it within this many dB of the loud level.
_ACTIVE_RANGE_DB = 45.0
# Energy: share of loudness (the rest is attack strength) and of the within-track level.
_LOUDNESS_WEIGHT = 0.7
_RELATIVE_WEIGHT = 0.7


@dataclass
class Spectral:
    """Frame-level features from one STFT (``HOP`` samples per frame)."""

    sr: int
    duration_s: float
    onset_beat: np.ndarray   # median-aggregated mel flux: what librosa's beat tracker uses
    onset_mean: np.ndarray   # mean-aggregated mel flux: onset density
    onset_low: np.ndarray    # flux of the bands below ~200 Hz: bass/kick accents
    power: np.ndarray        # mean squared amplitude per frame
    chroma: np.ndarray       # (12, frames)
    mfcc: np.ndarray         # (13, frames)

    @property
    def frames(self) -> int:
        return len(self.power)

    def frame_times(self) -> np.ndarray:
        return np.arange(self.frames) * HOP / self.sr


def spectral_features(y: np.ndarray, sr: int) -> Spectral:
    """Compute every frame-level feature the analysis needs from a single STFT of ``y``."""
    import librosa

    mag = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP))
    power_spec = mag ** 2
    mel = librosa.feature.melspectrogram(S=power_spec, sr=sr, n_fft=N_FFT, hop_length=HOP)
    mel_db = librosa.power_to_db(mel)
    onset_beat = librosa.onset.onset_strength(S=mel_db, sr=sr, hop_length=HOP,
                                              aggregate=np.median)
    onset_mean = librosa.onset.onset_strength(S=mel_db, sr=sr, hop_length=HOP)
    low_bands = librosa.mel_frequencies(n_mels=mel.shape[0], fmax=sr / 2.0) < 200.0
    onset_low = librosa.onset.onset_strength(S=mel_db[low_bands], sr=sr, hop_length=HOP)
    rms = librosa.feature.rms(S=mag, frame_length=N_FFT, hop_length=HOP)[0]
    # tuning=0: estimating it fails on silence and costs time; a semitone bin tolerates drift.
    chroma = librosa.feature.chroma_stft(S=power_spec, sr=sr, n_fft=N_FFT, hop_length=HOP,
                                         tuning=0.0)
    mfcc = librosa.feature.mfcc(S=mel_db, n_mfcc=13)
    n = min(len(onset_beat), len(rms), chroma.shape[1])
    return Spectral(sr=sr, duration_s=len(y) / float(sr), onset_beat=onset_beat[:n],
                    onset_mean=onset_mean[:n], onset_low=onset_low[:n], power=rms[:n] ** 2,
                    chroma=chroma[:, :n], mfcc=mfcc[:, :n])


def is_silent(y: np.ndarray) -> bool:
    """True when ``y`` carries no usable signal (empty, all zeros or below about -80 dBFS)."""
    return y.size == 0 or not np.isfinite(y).all() or float(np.max(np.abs(y))) < _SILENCE_PEAK


def interval_frames(spec: Spectral, beats: np.ndarray) -> np.ndarray:
    """Frame indices of the beats, for aggregating over the intervals between them."""
    frames = np.round(np.asarray(beats) * spec.sr / HOP).astype(int)
    return np.clip(frames, 1, max(spec.frames - 1, 1))


def beat_sync(spec: Spectral, beats: np.ndarray, data: np.ndarray, aggregate=np.mean):
    """Aggregate frame data over the grid intervals ``[0, b0), [b0, b1), ..., [b_last, end)``.

    Returns ``len(beats) + 1`` columns (the last axis).
    """
    import librosa

    data = np.atleast_2d(data)
    if len(beats) == 0:
        return aggregate(data, axis=-1, keepdims=True)
    frames = interval_frames(spec, beats)
    return librosa.util.sync(data, frames, aggregate=aggregate, pad=True)


def zscore(x: np.ndarray) -> np.ndarray:
    """``x`` standardised to mean 0 and deviation 1 (all zeros when ``x`` is constant)."""
    sd = float(np.std(x))
    return (x - np.mean(x)) / sd if sd > 1e-9 else np.zeros_like(x, dtype=float)


def interval_energy(spec: Spectral, beats: np.ndarray) -> np.ndarray:
    """Musical energy in [0, 1] for each grid interval, from loudness and attack strength.

    Attack is the strongest onset in the interval (drums, accents); the mean onset strength
    barely differs between calm and frantic orchestral music, the peaks do. Each cue mixes its
    level relative to the rest of the track with an absolute level, so a uniformly loud track
    stays energetic and a uniformly calm one stays calm.
    """
    power = beat_sync(spec, beats, spec.power[None])[0]
    db = 10.0 * np.log10(power + 1e-12)
    attack = beat_sync(spec, beats, spec.onset_mean[None], aggregate=np.max)[0]
    attack_octaves = np.log2(np.maximum(attack, 1e-6))
    loud_abs = np.clip((db + 35.0) / 20.0, 0.0, 1.0)           # -35 dBFS -> 0, -15 dBFS -> 1
    attack_abs = np.clip(attack_octaves / 3.0, 0.0, 1.0)        # strength 1 -> 0, 8 -> 1
    rel = _RELATIVE_WEIGHT
    loud = rel * _relative(db, spread=15.0) + (1.0 - rel) * loud_abs
    punch = rel * _relative(attack_octaves, spread=2.0) + (1.0 - rel) * attack_abs
    energy = _LOUDNESS_WEIGHT * loud + (1.0 - _LOUDNESS_WEIGHT) * punch
    if len(energy) >= 5:  # one bar of smoothing: cut rate follows passages, not single hits
        kernel = np.array([1.0, 2.0, 3.0, 2.0, 1.0])
        padded = np.pad(energy, 2, mode="edge")
        energy = np.convolve(padded, kernel / kernel.sum(), mode="valid")
    return np.clip(energy, 0.0, 1.0)


def _relative(x: np.ndarray, spread: float) -> np.ndarray:
    """Position of each value between the track's 10th and 95th percentiles, in [0, 1].

    When the track's range is narrower than ``spread`` the result is pulled towards 0.5, so
    small fluctuations do not read as big contrasts.
    """
    lo, hi = np.percentile(x, [10, 95])
    width = hi - lo
    if width <= 1e-9:
        return np.full(len(x), 0.5)
    rel = np.clip((x - lo) / width, 0.0, 1.0)
    return 0.5 + (rel - 0.5) * min(1.0, width / spread)


def autocorrelation(x: np.ndarray, lag: int) -> float:
    """Normalised autocorrelation of ``x`` at ``lag`` (0 when undefined)."""
    x = np.asarray(x, float) - np.mean(x)
    energy = float(np.sum(x * x))
    if lag >= len(x) or energy <= 1e-12:
        return 0.0
    return float(np.sum(x[lag:] * x[:-lag]) / energy)


def audible(spec: Spectral, times: np.ndarray, half_window_s: float) -> np.ndarray:
    """Whether the audio around each time (within ``half_window_s``) is loud enough to carry a
    beat: its loudest frame within ``_ACTIVE_RANGE_DB`` of the track's 95th-percentile level."""
    db = 10.0 * np.log10(spec.power + 1e-12)
    loud = np.percentile(db, 95)
    ft = spec.frame_times()
    out = np.zeros(len(times), bool)
    for i, t in enumerate(times):
        window = db[(ft >= t - half_window_s) & (ft <= t + half_window_s)]
        out[i] = window.size > 0 and window.max() >= loud - _ACTIVE_RANGE_DB
    return out
