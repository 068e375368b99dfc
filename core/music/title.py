"""A title card's place: the last big hit of the music near the trailer's end.

``--title-card SECONDS`` keeps the end of the trailer for a title. It starts on a hit, not at an
arbitrary time: among the beats from a couple of bars before ``end - SECONDS`` to one beat after
it, :func:`title_start_s` takes the one with the strongest attack (the loudness jump from the
beat before to just after it, read off the track's waveform envelope), downbeats and section
starts counting extra, and a nearer beat winning a tie. :func:`analysis_until` is the part of
the analysis the shots then fill. Pure: arrays in, numbers out.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ParameterError
from ..model import MusicAnalysis
from .beats import beat_period
from .cuts import MIN_SHOT_S

#: A title may take at most this share of the (edited) music; the shots need the rest.
MAX_TITLE_SHARE = 0.5
#: How far before ``end - SECONDS`` the hit may be (bars), and after it (beats).
SEARCH_BARS = 2
AFTER_BEATS = 1
# The attack is the envelope's peak in this window after a beat (s) ...
_ATTACK_S = 0.12
# ... against its mean level over the beat before, stopping this short of the beat (s).
_GUARD_S = 0.03
# Bonus (dB of attack) for a downbeat and for a section start; cost per beat from the target.
_DOWNBEAT_DB = 3.0
_SECTION_DB = 3.0
_DISTANCE_DB_PER_BEAT = 0.25


def check_title_card(seconds: float, duration_s: float) -> None:
    """ParameterError when a title of ``seconds`` leaves too little of the music for shots."""
    if not (np.isfinite(seconds) and seconds > 0):
        raise ParameterError(f"--title-card must be a positive number of seconds (got "
                             f"{seconds!r}); 0 means no title card.")
    most = MAX_TITLE_SHARE * float(duration_s)
    if seconds > most:
        raise ParameterError(f"--title-card {seconds:g} would take more than half of the "
                             f"{duration_s:.1f} s music; give at most {most:.1f} s, or a longer "
                             "track or --length.")


def _peaks(waveform: np.ndarray) -> np.ndarray:
    envelope = np.asarray(waveform, float).reshape(-1, 2)
    return np.abs(envelope).max(axis=1)


def hit_strength_db(waveform: np.ndarray, duration_s: float, times_s, period_s: float
                    ) -> np.ndarray:
    """How hard the music hits at each of ``times_s`` (dB): the envelope's peak just after the
    time against its mean level over the ``period_s`` before, plus half the peak's level
    against the track's loudest (a loud hit beats a jump out of silence)."""
    peaks = _peaks(waveform)
    if not len(peaks) or duration_s <= 0:
        return np.zeros(len(np.atleast_1d(times_s)))
    bin_s = duration_s / len(peaks)
    top = max(float(peaks.max()), 1e-9)

    def index(t):
        return int(np.clip(np.floor(t / bin_s), 0, len(peaks)))

    out = []
    for t in np.atleast_1d(np.asarray(times_s, float)):
        lo, hi = index(t), max(index(t + _ATTACK_S), index(t) + 1)
        after = float(peaks[lo:hi].max()) if hi > lo and lo < len(peaks) else 0.0
        b0, b1 = index(t - period_s), max(index(t - _GUARD_S), index(t - period_s) + 1)
        before = float(peaks[b0:b1].mean()) if b1 > b0 else after
        rise = 20.0 * np.log10((after + 1e-9) / (before + 1e-9))
        out.append(rise + 0.5 * 20.0 * np.log10((after + 1e-9) / top))
    return np.asarray(out, float)


def title_start_s(analysis: MusicAnalysis, waveform: np.ndarray, seconds: float) -> float:
    """Where a title card of about ``seconds`` starts: the strongest hit among the beats from
    :data:`SEARCH_BARS` bars before ``end - seconds`` to :data:`AFTER_BEATS` beat after it.

    ``waveform`` is the (edited) track's min/max envelope, ``(bins, 2)`` over
    ``analysis.duration_s``. Without a beat there, ``end - seconds`` itself. Raises
    :class:`ParameterError` when the title would take more than half of the music.
    """
    duration = float(analysis.duration_s)
    check_title_card(seconds, duration)
    target = duration - float(seconds)
    beats = np.asarray(analysis.beats_s, float)
    period = beat_period(beats)
    downbeats = np.asarray(analysis.downbeats_s, float)
    bar = float(np.median(np.diff(downbeats))) if len(downbeats) > 2 else 4 * period
    lo, hi = target - SEARCH_BARS * bar, target + AFTER_BEATS * period + 1e-6
    candidates = beats[(beats >= lo) & (beats <= hi) & (beats >= MIN_SHOT_S)
                       & (beats <= duration - MIN_SHOT_S)]
    if not len(candidates):
        return target
    sections = np.asarray(analysis.sections_s, float).reshape(-1, 2)[1:, 0]

    def near(times, t):
        return bool(len(times)) and float(np.min(np.abs(times - t))) < 1e-3

    score = hit_strength_db(waveform, duration, candidates, period)
    score += np.array([_DOWNBEAT_DB * near(downbeats, t) + _SECTION_DB * near(sections, t)
                       for t in candidates])
    score -= _DISTANCE_DB_PER_BEAT * np.abs(candidates - target) / period
    return float(candidates[int(np.argmax(score))])


def analysis_until(analysis: MusicAnalysis, end_s: float) -> MusicAnalysis:
    """The part of ``analysis`` before ``end_s`` (a title card's start), as the shots fill it:
    planned cuts at least a shortest shot before it (its segments a prefix of the track's, the
    last one ending at ``end_s``), beats, downbeats and sections before it, energy per kept
    segment."""
    end_s = float(end_s)
    cuts = np.asarray(analysis.cuts_s, float)
    cuts = cuts[cuts < end_s - MIN_SHOT_S + 1e-9]
    sections = np.asarray(analysis.sections_s, float).reshape(-1, 2)
    sections = sections[sections[:, 0] < end_s - 1e-9].copy()
    if len(sections):
        sections[-1, 1] = end_s
    beats = np.asarray(analysis.beats_s, float)
    down = np.asarray(analysis.downbeats_s, float)
    energy = None if analysis.energy is None else np.asarray(analysis.energy)[:len(cuts) + 1]
    return dataclasses.replace(analysis, duration_s=end_s, beats_s=beats[beats < end_s],
                               downbeats_s=down[down < end_s], sections_s=sections,
                               cuts_s=cuts, energy=energy)
