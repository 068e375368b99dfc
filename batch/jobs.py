"""The per-film work of a batch: plain functions of picklable specs, run on any worker.

A job takes its spec and an optional reporter and returns a small JSON-able record; errors are
raised (the engine turns them into a per-film error). Nothing here knows about Ray.
"""
from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from trailersmith.core.errors import MediaError
from trailersmith.core.progress import Reporter

from .stages import stage_functions, suggest_function

#: The only stage ``analyze_movie`` reports when the movie's entry is already in the cache.
CACHE_CHECK_STAGE = "Checking the analysis cache"


@dataclass(frozen=True)
class AnalyzeSpec:
    """Analyse one movie into the cache. ``marker``: a file the driver wrote into the cache
    folder, which every worker must see (the cache is on shared storage)."""

    movie: str
    options: object  # SuggestOptions, with cache_dir resolved by the driver
    marker: Optional[str] = None


@dataclass(frozen=True)
class SuggestSpec:
    """One row of ``batch suggest``: a movie, a track and that row's options."""

    row_id: str
    movie: str
    music: str
    options: object
    marker: Optional[str] = None
    outputs: Tuple[str, ...] = ()  # timeline files, written by the worker (shared folder)
    overwrite: bool = False


class StageClock:
    """A progress callback that adds up the wall time spent in each reported stage."""

    def __init__(self, forward=None) -> None:
        self.seconds: Dict[str, float] = {}
        self.forward = forward
        self._stage: Optional[str] = None
        self._since = 0.0

    def __call__(self, progress) -> None:
        now = time.perf_counter()
        if progress.stage != self._stage:
            self._close(now)
            self._stage, self._since = progress.stage, now
        if self.forward is not None:
            self.forward(progress)

    def _close(self, now: float) -> None:
        if self._stage is not None:
            self.seconds[self._stage] = self.seconds.get(self._stage, 0.0) + now - self._since

    def finish(self) -> Dict[str, float]:
        """The per-stage seconds, closing the stage still open."""
        self._close(time.perf_counter())
        self._stage = None
        return {k: round(v, 3) for k, v in self.seconds.items()}


def _timed_reporter(reporter: Optional[Reporter]):
    clock = StageClock(reporter.callback if reporter is not None else None)
    return Reporter(clock, reporter.cancel if reporter is not None else None), clock


def check_marker(marker: Optional[str]) -> None:
    """Fail clearly when this worker cannot see the driver's cache folder."""
    if marker and not os.path.exists(marker):
        raise MediaError(f"The cache folder {os.path.dirname(marker)} is not visible on node "
                         f"{socket.gethostname()}; mount one shared folder at the same path on "
                         "every node and pass it as --cache-dir (see docs/cluster.md).")


def analyze_job(spec: AnalyzeSpec, reporter: Optional[Reporter] = None) -> Dict:
    """Analyse ``spec.movie`` into the cache (or find it there); returns the film's record."""
    start = time.perf_counter()
    check_marker(spec.marker)
    analyze_movie, _ = stage_functions()
    rep, clock = _timed_reporter(reporter)
    movie = analyze_movie(spec.movie, spec.options, rep)
    stages = clock.finish()
    cached = set(stages) <= {CACHE_CHECK_STAGE}
    return {"movie": spec.movie, "status": "cached" if cached else "analysed",
            "shots": int(len(movie.shots.shots)), "frames": int(movie.shots.frame_count),
            "duration_s": round(float(movie.info.duration_s), 3),
            "seconds": round(time.perf_counter() - start, 3), "stages": stages,
            "host": socket.gethostname(), "pid": os.getpid()}


def suggest_job(spec: SuggestSpec, reporter: Optional[Reporter] = None) -> Dict:
    """Suggest one trailer and write its timeline set, exactly as a single ``suggest`` does."""
    from trailersmith.adapters import write_timeline

    start = time.perf_counter()
    check_marker(spec.marker)
    folders = {os.path.dirname(p) for p in spec.outputs}
    missing = [f for f in folders if not os.path.isdir(f)]
    if missing:
        raise MediaError(f"The output folder {missing[0]} is not visible on node "
                         f"{socket.gethostname()}; give -o a folder shared by every node.")
    rep, clock = _timed_reporter(reporter)
    result = suggest_function()(spec.movie, spec.music, spec.options, rep)
    written = [write_timeline(result.timeline, p, overwrite=spec.overwrite) for p in spec.outputs]
    return {"id": spec.row_id, "movie": spec.movie, "music": spec.music, "status": "ok",
            "clips": len(result.plan.clips), "outputs": written,
            "seconds": round(time.perf_counter() - start, 3), "stages": clock.finish(),
            "host": socket.gethostname(), "pid": os.getpid()}
