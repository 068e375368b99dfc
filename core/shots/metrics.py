"""Score detected cuts against ground-truth cuts: one-to-one matching within a frame tolerance."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence, Tuple

import numpy as np


@dataclass(frozen=True)
class CutScore:
    """Precision, recall and F1 of detected cuts, with the counts and pairs behind them."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    matches: list = field(default_factory=list)  # [(detected, truth)]
    missed: list = field(default_factory=list)  # truth cuts with no detection
    spurious: list = field(default_factory=list)  # detections with no truth cut


def _outside(frames: Iterable[int], ranges: Sequence[Tuple[int, int]]) -> list:
    return [int(f) for f in frames if not any(lo <= f <= hi for lo, hi in ranges)]


def match_cuts(detected: Iterable[int], truth: Iterable[int], *, tolerance: int = 2,
               ignore: Sequence[Tuple[int, int]] = ()) -> CutScore:
    """Match detected cuts to true cuts one-to-one, each pair at most ``tolerance`` frames apart.

    Parameters
    ----------
    detected, truth : iterables of int
        First frame of each new shot, as detected and as annotated.
    tolerance : int
        Largest ``|detected - truth|`` (frames) that still counts as a hit.
    ignore : sequence of (first, last)
        Inclusive frame ranges that count neither way (gradual transitions, ambiguous cuts):
        detections and truth cuts inside them are dropped before matching.

    Returns
    -------
    CutScore
        Precision and recall are 1.0 when there is nothing to find and nothing was found.
    """
    det = sorted(set(_outside(detected, ignore)))
    tru = sorted(set(_outside(truth, ignore)))
    # Sweep in time order, pairing each detection with the earliest unmatched truth cut in reach:
    # for intervals on a line this gives the largest possible number of one-to-one pairs.
    matches, j = [], 0
    for d in det:
        while j < len(tru) and tru[j] < d - tolerance:
            j += 1
        if j < len(tru) and tru[j] <= d + tolerance:
            matches.append((d, tru[j]))
            j += 1
    used_d = {d for d, _ in matches}
    used_t = {t for _, t in matches}
    tp = len(matches)
    fp, fn = len(det) - tp, len(tru) - tp
    precision = tp / len(det) if det else 1.0
    recall = tp / len(tru) if tru else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return CutScore(precision, recall, f1, tp, fp, fn, sorted(matches),
                    [t for t in tru if t not in used_t], [d for d in det if d not in used_d])


def cuts_near(detected: Iterable[int], frames: Iterable[int], *, tolerance: int = 0) -> list:
    """Detected cuts within ``tolerance`` frames of any of ``frames`` (e.g. hard negatives)."""
    marks = np.asarray(sorted(set(int(f) for f in frames)), dtype=np.int64)
    if marks.size == 0:
        return []
    out = []
    for d in sorted(set(int(c) for c in detected)):
        i = np.searchsorted(marks, d)
        near = [marks[j] for j in (i - 1, i) if 0 <= j < marks.size]
        if any(abs(d - m) <= tolerance for m in near):
            out.append(d)
    return out


def boundary_spans(cuts: Iterable[int], transitions: Sequence[Tuple[int, int]] = ()) -> list:
    """Every boundary a detector reported, as inclusive ``(first, last)`` frame spans.

    A cut at ``f`` is ``(f, f)``; a cut lying inside a reported gradual transition is that
    transition's span; a transition that starts no shot (a fade at the film's start or end) is
    its own span. Sorted by first frame.
    """
    spans = sorted((int(a), int(b)) for a, b in transitions)
    out, used = [], set()
    for f in sorted(set(int(c) for c in cuts)):
        inside = [k for k, (a, b) in enumerate(spans) if a <= f <= b + 1]
        if inside:
            used.update(inside)
            out.append(spans[inside[0]])
        else:
            out.append((f, f))
    out += [s for k, s in enumerate(spans) if k not in used]
    return sorted(set(out))


def match_transitions(detected: Sequence[Tuple[int, int]], truth: Sequence[Tuple[int, int]], *,
                      tolerance: int = 2) -> CutScore:
    """Score gradual transitions by overlap: a span is found when a detected span overlaps it.

    A true transition ``(first, last)`` counts as found when some detected span overlaps
    ``[first - tolerance, last + tolerance]``; a detected span is correct when it overlaps some
    true transition so widened. Overlap, not one-to-one pairing: one detected fade-out-and-in
    through black finds both halves that an annotator may list apart. ``matches`` pairs each
    found truth with the first detected span that found it.
    """
    det = sorted((int(a), int(b)) for a, b in detected)
    tru = sorted((int(a), int(b)) for a, b in truth)

    def hits(span, others):
        return [o for o in others if o[0] - tolerance <= span[1] and span[0] <= o[1] + tolerance]

    found = [(hits(t, det)[0], t) for t in tru if hits(t, det)]
    correct = [d for d in det if any(d[0] <= t[1] + tolerance and t[0] - tolerance <= d[1]
                                     for t in tru)]
    precision = len(correct) / len(det) if det else 1.0
    recall = len(found) / len(tru) if tru else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    found_truth = {t for _, t in found}
    return CutScore(precision, recall, f1, len(found), len(det) - len(correct),
                    len(tru) - len(found), found, [t for t in tru if t not in found_truth],
                    [d for d in det if d not in correct])


def score_boundaries(cuts: Sequence[int], transitions: Sequence[Tuple[int, int]], truth, *,
                     negatives: Sequence[int] = (), tolerance: int = 2) -> dict:
    """A detector's hard-cut and gradual-transition scores against annotated ``truth``.

    ``truth`` is a :class:`~trailersmith.core.shots.truth.ShotTruth` in the same frame indices.
    Hard cuts pair one-to-one within ``tolerance`` (gradual and AMBIGUOUS spans count neither
    way). Every reported boundary that is not a true point cut is a claim of a gradual
    transition, scored by :func:`match_transitions`. Returns ``{"hard", "gradual",
    "negatives"}``: two :class:`CutScore` and the cuts on annotated hard negatives.
    """
    hard = match_cuts(cuts, truth.hard_cuts, tolerance=tolerance,
                      ignore=truth.ignore_ranges(tolerance))
    point_cuts = sorted(truth.hard_cuts + truth.ambiguous)
    claims = [s for s in boundary_spans(cuts, transitions)
              if not (s[0] == s[1] and any(abs(s[0] - c) <= tolerance for c in point_cuts))]
    return {"hard": hard, "gradual": match_transitions(claims, truth.gradual, tolerance=tolerance),
            "negatives": cuts_near(cuts, negatives, tolerance=0)}
