"""Run any registered generator on dataset pairs and score it with the papers' metrics."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

from ..errors import ParameterError
from ..generators import get_generator
from ..options import check_option, default
from ..progress import Reporter, ensure_reporter
from . import metrics
from .dataset import PairExample


def evaluate_generator(name: str, examples: List[PairExample], *, options: Optional[Dict] = None,
                       seed: int = default("seed"),
                       spoiler_guard: float = default("spoiler_guard"), segments: str = "official",
                       reporter: Optional[Reporter] = None) -> Tuple[List[Dict], Dict]:
    """Generate a trailer for every pair and compare it with the official one.

    ``segments="official"``: the music segments are the official trailer's shots that have a
    known source (the dataset's ``match >= 0``), so ``J`` is the official count and the
    alignment metrics compare like with like. ``"plan"``: the music is cut where ``suggest``
    would cut it (the papers' protocol), so shot count and mean duration can differ from the
    official trailer's. Returns ``(per-pair results, averages)``; a pair the generator refuses
    (too few usable shots) gets an ``error`` entry and is left out of the averages.
    """
    check_option("spoiler_guard", spoiler_guard)
    check_option("seed", seed)
    reporter = ensure_reporter(reporter)
    generate = get_generator(name)
    rows: List[Dict] = []
    scored: List[Dict] = []
    for k, ex in enumerate(examples):
        reporter.report(f"Evaluating {name}", k, len(examples))
        pair = ex.matched()
        row: Dict = {"id": ex.pair_id, "movie": ex.movie_id}
        if len(pair.match) == 0:
            row["error"] = "no trailer shot has a known source"
            rows.append(row)
            continue
        problem = pair.problem(spoiler_guard, segments)
        try:
            answer = generate(problem, rng=np.random.default_rng([seed, k]), **(options or {}))
        except ParameterError as exc:
            row["error"] = str(exc)
            rows.append(row)
            continue
        result = metrics.evaluate_trailer(
            answer.shots, pair.match, n_shots=pair.n_shots,
            predicted_durations_s=problem.segment_durations_s,
            truth_durations_s=ex.music_durations_s)
        row.update(result)
        rows.append(row)
        scored.append(result)
    reporter.report(f"Evaluating {name}", len(examples), len(examples))
    average = metrics.average(scored)
    average["pairs"] = float(len(scored))
    return rows, average
