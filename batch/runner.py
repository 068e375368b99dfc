"""The driver side of a batch: specs out, records in, progress on stderr, one report.

The cache and the output folder live on shared storage (every node writes its films there,
atomically, as a single ``suggest`` does); only small records come back to the driver.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import time
import uuid
from contextlib import contextmanager
from typing import Dict, List, Optional, Sequence

from .jobs import AnalyzeSpec, SuggestSpec, analyze_job, suggest_job
from .resources import worker_plan


class Progress:
    """An overall bar (films) and, in-process, a bar for the current film's stage (tqdm)."""

    def __init__(self, total: int, what: str, enabled: Optional[bool] = None) -> None:
        from tqdm import tqdm

        # disable=None: bars on a terminal, nothing in logs and pipes.
        self.overall = tqdm(total=total, desc=what, unit="film", file=sys.stderr, position=0,
                            disable=enabled is False or None, dynamic_ncols=True)
        self._stage_bar = None
        self._enabled = enabled

    def reporter_for(self, index: int):
        """A reporter that shows the stages of film ``index`` (in-process engine only)."""
        from trailersmith.cli.progress import ProgressBar
        from trailersmith.core.progress import Reporter

        self._close_stage()
        self._stage_bar = ProgressBar(enabled=self._enabled is not False)
        return Reporter(self._stage_bar)

    def _close_stage(self) -> None:
        if self._stage_bar is not None:
            self._stage_bar.close()
            self._stage_bar = None

    def film_done(self, line: str) -> None:
        """One line per finished film, and the overall bar one step on."""
        self._close_stage()
        self.overall.write(line, file=sys.stderr)
        self.overall.update(1)

    def close(self) -> None:
        self._close_stage()
        self.overall.close()


@contextmanager
def shared_cache_marker(engine, options):
    """Resolve the cache folder for every worker and, on Ray, drop a marker they must see."""
    from trailersmith.core.cache import StageCache

    root = StageCache(getattr(options, "cache_dir", None)).root.resolve()
    options = dataclasses.replace(options, cache_dir=str(root))
    if not getattr(engine, "remote", False):
        yield options, None
        return
    root.mkdir(parents=True, exist_ok=True)
    marker = root / f".batch-{uuid.uuid4().hex}"
    marker.write_text("trailersmith batch: this folder must be visible on every node\n")
    try:
        yield options, str(marker)
    finally:
        marker.unlink(missing_ok=True)


def _summary(kind: str, engine, films: List[Dict], start: float) -> Dict:
    failed = sum(1 for f in films if f.get("status") == "error")
    return {"command": kind, "engine": engine.name, "workers": engine.workers,
            "total": len(films), "ok": len(films) - failed, "failed": failed,
            "seconds": round(time.perf_counter() - start, 3), "films": films}


def analyze_catalogue(movies: Sequence[str], options, engine, *, cpus_per_worker: float = 1.0,
                      gpus_per_worker: float = 0.0, progress: Optional[bool] = None) -> Dict:
    """Analyse every movie into the cache; returns the report (one record per movie, in order)."""
    start = time.perf_counter()
    movies = list(dict.fromkeys(os.path.abspath(m) for m in movies))
    plan = worker_plan(options, cpus_per_worker=cpus_per_worker, gpus_per_worker=gpus_per_worker)
    films: List[Optional[Dict]] = [None] * len(movies)
    bar = Progress(len(movies), "Analysing films", progress)
    try:
        with shared_cache_marker(engine, options) as (opts, marker):
            specs = [AnalyzeSpec(m, opts, marker) for m in movies]
            for out in engine.map(analyze_job, specs, plan=plan, reporter_for=bar.reporter_for):
                films[out.index] = _record(out, {"movie": movies[out.index]})
                bar.film_done(_line(films[out.index], movies[out.index]))
    finally:
        bar.close()
    return _summary("analyze", engine, films, start)


def _record(out, base: Dict) -> Dict:
    if out.error is not None:
        return {**base, "status": "error", "error": out.error, "node": out.node}
    return {**out.value, "node": out.node}


def _line(rec: Dict, name: str) -> str:
    name = os.path.basename(name)
    if rec["status"] == "error":
        return f"FAILED {name}: {rec['error']}"
    return f"{rec['status']} {name} in {rec['seconds']:.1f} s"


def suggest_catalogue(rows: Sequence[SuggestSpec], outputs: Dict[str, List[str]], engine, *,
                      overwrite: bool = False, cpus_per_worker: float = 1.0,
                      gpus_per_worker: float = 0.0, progress: Optional[bool] = None) -> Dict:
    """Analyse each distinct movie once, then suggest every row and write its timeline set.

    ``outputs`` maps a row id to the files to write (checked by the caller before any work).
    """
    start = time.perf_counter()
    report = _analyze_groups(rows, engine, cpus_per_worker, gpus_per_worker, progress)
    bad = {f["movie"]: f["error"] for f in report["films"] if f["status"] == "error"}
    films: List[Optional[Dict]] = [None] * len(rows)
    todo = []
    for i, row in enumerate(rows):
        if row.movie in bad:
            films[i] = {"id": row.row_id, "movie": row.movie, "music": row.music,
                        "status": "error", "error": bad[row.movie]}
        else:
            todo.append(i)
    bar = Progress(len(todo), "Suggesting", progress)
    try:
        with shared_cache_marker(engine, rows[0].options) as (_, marker):
            specs = [dataclasses.replace(
                rows[i], marker=marker, outputs=tuple(outputs[rows[i].row_id]),
                overwrite=overwrite,
                options=dataclasses.replace(rows[i].options, cache_dir=_root(rows[i].options)))
                for i in todo]
            plan = worker_plan(rows[0].options, cpus_per_worker=cpus_per_worker)
            for out in engine.map(suggest_job, specs, plan=plan, reporter_for=bar.reporter_for):
                row = rows[todo[out.index]]
                rec = _record(out, {"id": row.row_id, "movie": row.movie, "music": row.music})
                films[todo[out.index]] = rec
                bar.film_done(_line(rec, row.row_id))
    finally:
        bar.close()
    summary = _summary("suggest", engine, films, start)
    summary["analysis"] = report
    return summary


def _root(options) -> str:
    from trailersmith.core.cache import StageCache
    return str(StageCache(getattr(options, "cache_dir", None)).root.resolve())


def _analyze_groups(rows, engine, cpus_per_worker, gpus_per_worker, progress) -> Dict:
    """Phase one of ``suggest``: each distinct movie analysed once per set of analysis options."""
    groups: Dict[str, list] = {}
    for row in rows:
        key = repr((row.options.backend, row.options.detector, row.options.backend_options))
        groups.setdefault(key, []).append(row)
    films: List[Dict] = []
    start = time.perf_counter()
    for group in groups.values():
        films += analyze_catalogue([r.movie for r in group], group[0].options, engine,
                                   cpus_per_worker=cpus_per_worker,
                                   gpus_per_worker=gpus_per_worker, progress=progress)["films"]
    return _summary("analyze", engine, films, start)
