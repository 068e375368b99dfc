"""Spot lengths: a track edited to about a given length, the way a music editor cuts it.

Whole bars come out between two downbeats, at section boundaries: the music jumps into the start
of a later section (from the end of an earlier one where the length allows); the track's own
ending is always the ending; each splice gets a short equal-power crossfade. :func:`plan_edit`
is a pure
plan (source ranges), :func:`edited_analysis` re-maps beats, downbeats, sections, cuts and
energy onto the edited time line, and :func:`render` makes the edited audio for the features.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from ..model import MusicAnalysis
from .cuts import MIN_SHOT_S, segment_energy

#: Bump when the edit's choices change, so cached edits are refreshed.
EDIT_VERSION = "2"
#: Length of the crossfade at each splice (s); short enough to keep the downbeat's attack.
CROSSFADE_S = 0.02
# Times closer than this are the same instant (float noise of re-mapping source times).
_SAME_S = 1e-6
# Cost terms, in seconds of length error they are worth.
_OFF_SECTION_S = 3.0      # a splice point that is not a section boundary
_LATE_START_S = 1.0       # starting after the track's first bar
_LOUD_STEP_S = 50.0       # a splice whose loudness step exceeds the typical bar-to-bar step
_STEP_WEIGHT_S = 0.5      # per typical step of loudness change at the splice


@dataclass
class MusicEdit:
    """An edit of a track: ``ranges_s[k] = (source_start, source_end)`` played back to back."""

    ranges_s: np.ndarray
    source_duration_s: float

    @property
    def duration_s(self) -> float:
        """Length of the edited music."""
        return float(np.sum(self.ranges_s[:, 1] - self.ranges_s[:, 0]))

    @property
    def offsets_s(self) -> np.ndarray:
        """Edit-time start of each range, then the edit's end (``len(ranges) + 1`` values)."""
        return np.concatenate([[0.0], np.cumsum(self.ranges_s[:, 1] - self.ranges_s[:, 0])])

    @property
    def splices_s(self) -> np.ndarray:
        """Edit-time positions of the joins between ranges."""
        return self.offsets_s[1:-1]

    def to_edit_time(self, times_s) -> np.ndarray:
        """Source times inside the kept ranges, mapped onto the edit (others are dropped)."""
        t = np.asarray(times_s, float)
        out = [o + t[(t >= a) & (t < b)] - a
               for (a, b), o in zip(self.ranges_s, self.offsets_s[:-1])]
        return np.concatenate(out) if out else np.zeros(0)

    def as_list(self) -> list:
        """``[(source_start_s, source_end_s), ...]`` as plain floats (for JSON and the plan)."""
        return [(float(a), float(b)) for a, b in self.ranges_s]


def _downbeats(analysis: MusicAnalysis) -> np.ndarray:
    down = np.asarray(analysis.downbeats_s, float)
    return down[(down > 0) & (down < analysis.duration_s)]


def bar_loudness_db(y: np.ndarray, sr: int, analysis: MusicAnalysis) -> np.ndarray:
    """RMS level (dB) of the bars of ``y``: ``[0, first downbeat)``, then one per downbeat to
    the next (the last to the end): ``len(downbeats) + 1`` values, as :func:`plan_edit` reads."""
    edges = np.concatenate([[0.0], _downbeats(analysis), [analysis.duration_s]])
    idx = np.clip(np.round(edges * sr).astype(int), 0, len(y))
    power = np.concatenate([[0.0], np.cumsum(np.asarray(y, np.float64) ** 2)])
    n = np.maximum(np.diff(idx), 1)
    return 10.0 * np.log10((power[idx[1:]] - power[idx[:-1]]) / n + 1e-12)


def typical_bar_step_db(bar_db: np.ndarray) -> float:
    """The track's typical loudness change from one bar to the next (median, dB)."""
    steps = np.abs(np.diff(np.asarray(bar_db, float)))
    return float(np.median(steps)) if len(steps) else 0.0


def plan_edit(analysis: MusicAnalysis, length_s: float, bar_db=None) -> MusicEdit:
    """Choose the edit of ``analysis``'s track closest to ``length_s`` seconds.

    Parameters
    ----------
    analysis : MusicAnalysis
        The whole track's analysis (downbeats and sections are used).
    length_s : float
        Wanted length; a track no longer than this is left whole.
    bar_db : ndarray, optional
        Per-bar loudness (:func:`bar_loudness_db`); splices with a loudness step above the
        track's typical bar-to-bar step are avoided when another choice exists.

    Returns
    -------
    MusicEdit
        One or two source ranges: ``[start, a)`` and ``[b, end)`` with ``a``, ``b`` downbeats
        (whole bars removed between them; ``b`` a section start whenever the track has
        sections, ``a`` preferably one), or one range ``[start, end)``; ``start`` is 0 or a
        section start, and the last range always ends at the track's end.
    """
    duration = float(analysis.duration_s)
    if not (np.isfinite(length_s) and length_s > 0):
        raise ParameterError(f"length must be a positive number of seconds (got {length_s!r}).")
    if length_s >= duration:
        return MusicEdit(np.array([[0.0, duration]]), duration)
    down = _downbeats(analysis)
    if len(down) < 2:
        raise ParameterError("The track has no bars to edit at (fewer than two downbeats); "
                             "use the whole track (no --length).")
    starts = np.asarray(analysis.sections_s, float).reshape(-1, 2)[1:, 0]
    on_section = np.array([np.any(np.abs(starts - d) < 1e-6) for d in down])
    heads = np.concatenate([[0.0], down[on_section]])
    bar_db = (np.zeros(len(down) + 1) if bar_db is None
              else np.asarray(bar_db, float).reshape(-1))
    if len(bar_db) != len(down) + 1:
        raise ParameterError("bar_db must hold len(downbeats) + 1 values (bar_loudness_db).")
    typical = max(typical_bar_step_db(bar_db), 1e-3)

    best, best_cost = None, np.inf
    for h, s in enumerate(heads):  # one range: from a section start to the end
        cost = abs(duration - s - length_s) + (_LATE_START_S if h else 0.0)
        if s < duration - MIN_SHOT_S and cost < best_cost:
            best, best_cost = np.array([[s, duration]]), cost
    i, j = np.meshgrid(np.arange(len(down)), np.arange(len(down)), indexing="ij")
    ok = j > i  # a = down[i] < b = down[j]: at least one whole bar comes out
    step = np.abs(bar_db[i] - bar_db[j + 1])  # the bar before a against the bar from b on
    if on_section.any():  # the music jumps into the start of a section, never mid-phrase
        ok &= on_section[j]
    for h, s in enumerate(heads):
        valid = ok & (down[i] > s + MIN_SHOT_S)
        if not valid.any():
            continue
        length = (down[i] - s) + (duration - down[j])
        cost = (np.abs(length - length_s) + _OFF_SECTION_S * (~on_section[i])
                + _OFF_SECTION_S * (~on_section[j]) + (_LATE_START_S if h else 0.0)
                + _LOUD_STEP_S * (step > typical) + _STEP_WEIGHT_S * step / typical)
        cost = np.where(valid, cost, np.inf)
        k = np.unravel_index(int(np.argmin(cost)), cost.shape)
        if cost[k] < best_cost:
            best = np.array([[s, down[k[0]]], [down[k[1]], duration]])
            best_cost = float(cost[k])
    return MusicEdit(best, duration)


def edited_analysis(analysis: MusicAnalysis, edit: MusicEdit) -> MusicAnalysis:
    """``analysis`` on the edited time line: beats, downbeats, section starts and planned cuts
    inside the kept ranges, shifted; every splice becomes a section start and a cut; segment
    energy is the source's, time-weighted over what each edited segment plays."""
    duration = edit.duration_s
    splices = edit.splices_s
    beats = _distinct(edit.to_edit_time(analysis.beats_s))
    downbeats = _distinct(edit.to_edit_time(analysis.downbeats_s))
    sections = np.asarray(analysis.sections_s, float).reshape(-1, 2)
    starts = _distinct(np.concatenate([splices, edit.to_edit_time(sections[1:, 0])]))
    starts = starts[(starts > _SAME_S) & (starts < duration - _SAME_S)]
    edges = np.concatenate([[0.0], starts, [duration]])
    mapped = edit.to_edit_time(analysis.cuts_s)
    cuts, spliced = [], []
    for t in _distinct(np.concatenate([splices, mapped])):
        if t < MIN_SHOT_S or duration - t < MIN_SHOT_S:
            continue
        is_splice = bool(np.any(np.abs(splices - t) < _SAME_S))
        if cuts and t - cuts[-1] < MIN_SHOT_S:
            if not is_splice or spliced[-1]:
                continue
            cuts.pop()  # a splice wins over a planned cut just before it
            spliced.pop()
        cuts.append(float(t))
        spliced.append(is_splice)
    cuts = np.asarray(cuts, float)
    energy = None
    if analysis.energy is not None:
        source_edges = np.concatenate([[0.0], np.asarray(analysis.cuts_s, float),
                                       [analysis.duration_s]])
        positions, values = [0.0], []
        for (a, b), o in zip(edit.ranges_s, edit.offsets_s[:-1]):
            inner = source_edges[(source_edges > a) & (source_edges < b)]
            bounds = np.concatenate([[a], inner, [b]])
            for lo, hi in zip(bounds[:-1], bounds[1:]):
                seg = int(np.searchsorted(source_edges, lo, side="right") - 1)
                values.append(float(analysis.energy[min(seg, len(analysis.energy) - 1)]))
                positions.append(o + hi - a)
        energy = segment_energy(cuts, np.asarray(positions), np.asarray(values), duration)
    return dataclasses.replace(
        analysis, duration_s=duration, beats_s=beats, downbeats_s=downbeats,
        sections_s=np.stack([edges[:-1], edges[1:]], axis=1), cuts_s=cuts, energy=energy)


def _distinct(times) -> np.ndarray:
    """Sorted times with near-duplicates (float noise of the re-mapping) merged, first kept."""
    t = np.asarray(times, float)
    order = np.argsort(t, kind="stable")
    out = []
    for k in order:
        if not out or t[k] - out[-1] >= _SAME_S:
            out.append(float(t[k]))
    return np.asarray(out, float)


def render(y: np.ndarray, sr: int, edit: MusicEdit, crossfade_s: float = CROSSFADE_S
           ) -> np.ndarray:
    """The edited audio: the ranges of ``y`` back to back, an equal-power crossfade of
    ``crossfade_s`` centred on each splice; as long as the edit (to the sample)."""
    y = np.asarray(y, np.float32)
    bounds = np.clip(np.round(edit.ranges_s * sr).astype(int), 0, len(y))
    offsets = np.concatenate([[0], np.cumsum(bounds[:, 1] - bounds[:, 0])])
    out = np.zeros(int(offsets[-1]), np.float32)
    half = max(1, int(round(crossfade_s * sr / 2)))
    ramp = (np.arange(2 * half) + 0.5) / (2 * half)
    fade_in, fade_out = np.sin(0.5 * np.pi * ramp), np.cos(0.5 * np.pi * ramp)
    last = len(bounds) - 1
    for k, (a, b) in enumerate(bounds):
        lo = min(half, a, int(offsets[k])) if k > 0 else 0
        hi = min(half, len(y) - b, len(out) - int(offsets[k + 1])) if k < last else 0
        piece = y[a - lo:b + hi].copy()
        if lo:
            piece[:2 * lo] *= fade_in[half - lo:half + lo]
        if hi:
            piece[len(piece) - 2 * hi:] *= fade_out[half - hi:half + hi]
        out[int(offsets[k]) - lo:int(offsets[k + 1]) + hi] += piece
    return out
