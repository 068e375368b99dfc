"""The papers' evaluation metrics, for one generated trailer against the official one.

A trailer is a sequence of movie-shot indices, one per trailer position (music segment):
``predicted`` (what a generator chose) and ``truth`` (where the official trailer's shots came
from). Sequences may differ in length and may repeat an index (an official trailer can use one
movie shot twice).

Denominators, stated once because the IPOT paper (section 5.1.2) prints them the other way round
(its ``P@K = |A cap_K B| / |A|`` divides by the ground truth A): here, as usual,

* **precision** = hits among the *predicted* shots / number of predicted shots,
* **recall**    = hits among the *official* shots / number of official shots.

Two families share the ``@K`` tolerance ("within K - 1 shots of each other"):

* :func:`selection_prf` (shot selection, IPOT Table 2 left; SSMP Precision/Recall/F1 at K = 1):
  order-free, over the *sets* of shots. A predicted shot is a hit when some official shot lies
  within ``K - 1`` of it, and vice versa for recall.
* :func:`alignment_prf` (movie-music alignment, IPOT Table 2 right): position by position, the
  paper's ``{j : |alpha_j - beta_j| <= K - 1}`` over the positions both sequences have.

Any ratio whose denominator is empty is 0 (an empty prediction scores 0, never NaN); F1 is 0
when precision and recall are both 0. Pairwise agreement is NaN when fewer than two shots are
shared (undefined); :func:`average` skips NaN and says how many trailers each mean covers.
"""
from __future__ import annotations

import math
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import ParameterError

#: The tolerances the papers report.
KS = (1, 3, 5)


def _indices(x, name: str) -> np.ndarray:
    a = np.asarray([] if x is None else x, dtype=np.float64).reshape(-1)
    if a.size and (not np.all(np.isfinite(a)) or np.any(a != np.round(a)) or np.any(a < 0)):
        raise ParameterError(f"{name} must hold non-negative whole shot indices; got {x!r}.")
    return a.astype(np.int64)


def _check_k(k: int) -> int:
    if int(k) != k or k < 1:
        raise ParameterError(f"K must be a whole number >= 1; got {k!r}.")
    return int(k)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall; 0 when both are 0."""
    s = precision + recall
    return 2.0 * precision * recall / s if s > 0 else 0.0


def selection_prf(predicted: Sequence[int], truth: Sequence[int], k: int = 1
                  ) -> Tuple[float, float, float]:
    """Shot-selection precision, recall and F1 at tolerance ``k`` (order ignored).

    Both sequences are taken as sets of shots. Precision: share of distinct predicted shots with
    an official shot within ``k - 1`` indices. Recall: share of distinct official shots with a
    predicted shot within ``k - 1``.
    """
    k = _check_k(k)
    p = np.unique(_indices(predicted, "predicted"))
    t = np.unique(_indices(truth, "truth"))
    if not len(p) or not len(t):
        return 0.0, 0.0, 0.0
    close = np.abs(p[:, None] - t[None, :]) <= k - 1
    precision = _ratio(close.any(axis=1).sum(), len(p))
    recall = _ratio(close.any(axis=0).sum(), len(t))
    return precision, recall, f1_score(precision, recall)


def alignment_prf(predicted: Sequence[int], truth: Sequence[int], k: int = 1
                  ) -> Tuple[float, float, float]:
    """Movie-music alignment precision, recall and F1 at tolerance ``k`` (position by position).

    Hits are positions ``j`` present in both sequences with ``|predicted[j] - truth[j]| <= k - 1``;
    precision divides them by ``len(predicted)``, recall by ``len(truth)``.
    """
    k = _check_k(k)
    p = _indices(predicted, "predicted")
    t = _indices(truth, "truth")
    n = min(len(p), len(t))
    hits = int((np.abs(p[:n] - t[:n]) <= k - 1).sum())
    precision, recall = _ratio(hits, len(p)), _ratio(hits, len(t))
    return precision, recall, f1_score(precision, recall)


def levenshtein(a: Sequence[int], b: Sequence[int]) -> int:
    """Edit distance between two shot sequences (insert, delete, substitute: cost 1 each)."""
    a = _indices(a, "predicted").tolist()
    b = _indices(b, "truth").tolist()
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def pairwise_agreement(predicted: Sequence[int], truth: Sequence[int]) -> float:
    """Pairwise agreement accuracy (AA): how often two shared shots come in the same order.

    Over every pair of distinct shots present in both sequences (a repeated shot counts at its
    first position), the share of pairs whose order in ``predicted`` matches ``truth``.
    NaN when fewer than two shots are shared.
    """
    p = _indices(predicted, "predicted").tolist()
    t = _indices(truth, "truth").tolist()
    first_p = {s: i for i, s in reversed(list(enumerate(p)))}
    first_t = {s: i for i, s in reversed(list(enumerate(t)))}
    shared = sorted(set(first_p) & set(first_t))
    if len(shared) < 2:
        return math.nan
    pp = np.array([first_p[s] for s in shared])
    tt = np.array([first_t[s] for s in shared])
    iu = np.triu_indices(len(shared), 1)
    agree = np.sign(pp[:, None] - pp[None, :])[iu] == np.sign(tt[:, None] - tt[None, :])[iu]
    return float(agree.mean())


def alignment_kl(truth: Sequence[int], n_shots: int, *, predicted: Optional[Sequence[int]] = None,
                 plan: Optional[np.ndarray] = None, eps: float = 1e-6) -> float:
    """KL(observed || estimated) between alignment plans, in nats.

    The observed plan is ``T / J``: column ``j`` puts mass ``1/J`` on shot ``truth[j]``. The
    estimate is ``plan`` (``(n_shots, J')``, any non-negative scale; each column is normalised) or,
    for a hard answer, ``predicted`` as a one-hot plan. Each estimated column is smoothed as
    ``(1 - eps) q + eps / n_shots`` so a miss costs a finite ``log(n_shots / eps)``; official
    positions beyond the estimate's length get a uniform column (cost ``log(n_shots)``), extra
    estimated positions are ignored. The result is ``mean_j -log q_j[truth[j]]`` over the
    official positions (the observed columns are one-hot, so their entropy is 0).
    """
    t = _indices(truth, "truth")
    if n_shots < 1:
        raise ParameterError(f"n_shots must be >= 1; got {n_shots}.")
    if t.size and t.max() >= n_shots:
        raise ParameterError(f"truth names shot {int(t.max())} but the movie has {n_shots}.")
    if plan is not None:
        q = np.asarray(plan, dtype=np.float64)
        if q.ndim != 2 or q.shape[0] != n_shots or np.any(q < 0):
            raise ParameterError(f"plan must be a non-negative ({n_shots}, J) array.")
        col = q.sum(axis=0, keepdims=True)
        q = np.where(col > 0, q / np.where(col > 0, col, 1), 1.0 / n_shots)
    elif predicted is not None:
        p = _indices(predicted, "predicted")
        q = np.zeros((n_shots, len(p)))
        q[np.minimum(p, n_shots - 1), np.arange(len(p))] = 1.0
    else:
        raise ParameterError("alignment_kl needs either predicted or plan.")
    if len(t) == 0:
        return 0.0
    if q.shape[1] < len(t):  # positions the estimate does not cover carry no information
        q = np.concatenate([q, np.full((n_shots, len(t) - q.shape[1]), 1.0 / n_shots)], axis=1)
    q = (1.0 - eps) * q[:, :len(t)] + eps / n_shots
    return float(-np.log(q[t, np.arange(len(t))]).mean())


def shot_stats(durations_s: Iterable[float]) -> Dict[str, float]:
    """Number of shots and their mean and standard deviation of duration in seconds."""
    d = np.asarray(list(durations_s), dtype=np.float64)
    if not len(d):
        return {"count": 0, "mean_s": 0.0, "std_s": 0.0}
    return {"count": int(len(d)), "mean_s": float(d.mean()), "std_s": float(d.std())}


def evaluate_trailer(predicted: Sequence[int], truth: Sequence[int], *, n_shots: int,
                     plan: Optional[np.ndarray] = None,
                     predicted_durations_s: Optional[Sequence[float]] = None,
                     truth_durations_s: Optional[Sequence[float]] = None) -> Dict[str, float]:
    """Every metric for one trailer, as a flat dict of floats (keys named as the papers do).

    ``sel_P@K``/``sel_R@K``/``sel_F1@K`` for K in 1, 3, 5 (selection), ``align_P@1``/``align_R@1``/
    ``align_F1@1`` (alignment), ``LD``, ``AA``, ``KL``, and, when durations are given, shot count
    and mean duration of both trailers.
    """
    out: Dict[str, float] = {}
    for k in KS:
        p, r, f = selection_prf(predicted, truth, k)
        out[f"sel_P@{k}"], out[f"sel_R@{k}"], out[f"sel_F1@{k}"] = p, r, f
    p, r, f = alignment_prf(predicted, truth, 1)
    out["align_P@1"], out["align_R@1"], out["align_F1@1"] = p, r, f
    out["LD"] = float(levenshtein(predicted, truth))
    out["AA"] = pairwise_agreement(predicted, truth)
    out["KL"] = alignment_kl(truth, n_shots, predicted=None if plan is not None else predicted,
                             plan=plan)
    if predicted_durations_s is not None:
        s = shot_stats(predicted_durations_s)
        out["shots"], out["mean_shot_s"] = float(s["count"]), s["mean_s"]
    if truth_durations_s is not None:
        s = shot_stats(truth_durations_s)
        out["official_shots"], out["official_mean_shot_s"] = float(s["count"]), s["mean_s"]
    return out


def average(results: List[Dict[str, float]]) -> Dict[str, float]:
    """Mean of each metric over trailers, skipping NaN; ``n_<key>`` counts the trailers used."""
    keys = sorted({k for r in results for k in r})
    out: Dict[str, float] = {}
    for key in keys:
        vals = np.array([r[key] for r in results if key in r and not math.isnan(r[key])])
        out[key] = float(vals.mean()) if len(vals) else math.nan
        if len(vals) != len(results):
            out[f"n_{key}"] = float(len(vals))
    return out
