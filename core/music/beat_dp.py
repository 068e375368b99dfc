"""Dynamic-programming beat tracking (Ellis, "Beat Tracking by Dynamic Programming", 2007).

Our own numpy implementation of the algorithm librosa's default tracker also implements, with the
same parameters (tempo from librosa's tempo estimator, tightness 100). It exists because
importing and JIT-compiling librosa's tracker costs several seconds in every new process, which
is most of a command-line re-run on a cached movie. ``tests/test_music_beat_dp.py`` checks that
its beats agree with librosa's on real music. :func:`track_beats` is the entry the analysis uses.
"""
from __future__ import annotations

import numpy as np

from .spectral import HOP, Spectral, audible

TIGHTNESS = 100.0


def local_score(onset_envelope: np.ndarray, period: float) -> np.ndarray:
    """Onset strength (normalised by its standard deviation) smoothed by a Gaussian window whose
    width follows the beat period: how strongly each frame looks like a beat."""
    onset = np.asarray(onset_envelope, float)
    norm = onset / (onset.std(ddof=1) + 1e-12)
    half = int(round(period))
    window = np.exp(-0.5 * (np.arange(-half, half + 1) * 32.0 / period) ** 2)
    return np.convolve(norm, window, mode="same")


def beat_path(score: np.ndarray, period: float, tightness: float = TIGHTNESS) -> np.ndarray:
    """Frames of the best beat sequence through ``score`` for beat spacing ``period`` (frames).

    Each frame's cumulative score is its own score plus the best predecessor's, penalised by
    ``tightness * log(gap / period) ** 2``; predecessors lie between half and two periods back.
    """
    n = len(score)
    lo_gap, hi_gap = max(1, int(round(period / 2))), int(round(2 * period))
    gaps = np.arange(lo_gap, hi_gap + 1)
    penalty = -tightness * np.log(gaps / period) ** 2
    cumulative = np.zeros(n)
    backlink = np.full(n, -1, np.int64)
    threshold = 0.01 * score.max()
    started = False
    for i in range(n):
        prev = i - gaps
        ok = prev >= 0
        if ok.any():
            candidates = cumulative[prev[ok]] + penalty[ok]
            k = int(np.argmax(candidates))
            best, link = candidates[k], int(prev[ok][k])
        else:
            best, link = 0.0, -1
        cumulative[i] = score[i] + (best if link >= 0 else 0.0)
        # Until the first real onset, frames start new paths instead of extending silence.
        if not started and score[i] < threshold:
            backlink[i] = -1
        else:
            backlink[i] = link
            started = True
    last = _last_beat(cumulative)
    beats = []
    while last >= 0:
        beats.append(last)
        last = int(backlink[last])
    return np.asarray(beats[::-1], np.int64)


def _last_beat(cumulative: np.ndarray) -> int:
    """The last local maximum of the cumulative score that is not much weaker than the rest."""
    c = cumulative
    peaks = np.flatnonzero((c[1:-1] > c[:-2]) & (c[1:-1] >= c[2:])) + 1
    if not len(peaks):
        return int(np.argmax(c))
    strong = peaks[c[peaks] > 0.5 * np.median(c[peaks])]
    return int(strong[-1]) if len(strong) else int(peaks[-1])


def trim_weak_ends(beats: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Drop leading and trailing beats whose smoothed score is under half its RMS (fade-ins,
    fade-outs), as the reference tracker does by default."""
    if len(beats) < 3:
        return beats
    smooth = np.convolve(score[beats], np.hanning(5), mode="same")
    keep = np.flatnonzero(smooth > 0.5 * np.sqrt(np.mean(smooth ** 2)))
    if not len(keep):
        return beats
    return beats[keep[0]:keep[-1] + 1]


def track(onset_envelope: np.ndarray, sr: int, hop_length: int, *, trim: bool = True
          ) -> np.ndarray:
    """Beat frames for ``onset_envelope`` (librosa's default tempo estimate and tightness)."""
    import librosa

    onset = np.asarray(onset_envelope, float)
    if not np.any(onset > 0):
        return np.zeros(0, np.int64)
    tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset, sr=sr,
                                                      hop_length=hop_length))[0])
    if tempo <= 0:
        return np.zeros(0, np.int64)
    period = 60.0 * sr / hop_length / tempo
    score = local_score(onset, period)
    beats = beat_path(score, period)
    return trim_weak_ends(beats, score) if trim else beats


def track_beats(spec: Spectral) -> np.ndarray:
    """Beat times (s) from librosa's dynamic-programming tracker with its default settings.

    It is fed the same median-aggregated onset envelope ``librosa.beat.beat_track(y=...)``
    computes and runs the same algorithm (:func:`track` here, which avoids librosa's seconds of
    per-process JIT start-up), so on the same audio the beats agree with the reference tracker's
    (checked against librosa in the tests). The soft beats
    of a quiet intro, which the tracker trims as weak, are taken back from its untrimmed path
    (where the audio is not silent) rather than extrapolated off-phase from later beats.
    """
    import librosa

    if not np.any(spec.onset_beat > 0):
        return np.zeros(0)

    def run(trim: bool) -> np.ndarray:
        frames = track(spec.onset_beat, spec.sr, HOP, trim=trim)
        return librosa.frames_to_time(frames, sr=spec.sr, hop_length=HOP).astype(float)

    beats = run(True)
    if len(beats) < 2:
        return beats
    half = float(np.median(np.diff(beats))) / 2
    head = run(False)
    head = head[head < beats[0] - half]
    head = _snap_to_onsets(spec, head[audible(spec, head, half)], half / 2)
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
