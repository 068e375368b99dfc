"""Batch engines: run a job function over many specs and yield one outcome per spec.

``InProcessEngine`` runs them here, one film at a time (no Ray needed); ``make_engine`` picks
Ray when it is installed (or asked for) and this engine otherwise. Both give the same records.
"""
from __future__ import annotations

import importlib.util
import logging
import os
from typing import Callable, Iterator, Optional, Sequence

from trailersmith.core.errors import Cancelled, ParameterError, TrailersmithError

from .outcome import Outcome, error_message  # noqa: F401 - re-exported for the engines

log = logging.getLogger(__name__)


class InProcessEngine:
    """Runs every job in this process, in order; a failing job does not stop the others."""

    name = "in-process"
    remote = False  # workers share this process's file system

    def __init__(self) -> None:
        self.workers = 1

    def map(self, fn: Callable, specs: Sequence, *, plan=None,
            reporter_for: Optional[Callable] = None) -> Iterator[Outcome]:
        """Yield an :class:`Outcome` per spec; Cancelled and Ctrl-C stop the batch."""
        for i, spec in enumerate(specs):
            reporter = reporter_for(i) if reporter_for else None
            try:
                value = fn(spec, reporter)
            except (Cancelled, KeyboardInterrupt):
                raise
            except Exception as exc:  # noqa: BLE001 - one bad film must not stop the batch
                if not isinstance(exc, TrailersmithError):
                    log.debug("job %d failed", i, exc_info=True)
                yield Outcome(i, error=error_message(exc), node="local")
            else:
                yield Outcome(i, value=value, node="local")

    def close(self) -> None:
        """Nothing to release."""


def ray_installed() -> bool:
    """Whether the ``cluster`` extra (Ray) is installed, without importing it."""
    return importlib.util.find_spec("ray") is not None


def make_engine(*, engine: str = "auto", ray_address: Optional[str] = None, workers: int = 0,
                cpus_per_worker: float = 1.0, gpus_per_worker: float = 0.0,
                jobs: Optional[int] = None):
    """The engine a batch command asked for.

    ``engine`` "auto" takes Ray when it is installed, else in-process; "ray" needs Ray;
    ``ray_address`` (or ``$RAY_ADDRESS``) joins an existing cluster, otherwise a local Ray with
    ``workers`` CPU workers starts (0: one per core). With "auto", a batch of ``jobs`` <= 1
    and no cluster runs in-process (starting Ray for one film only costs time).
    """
    if engine not in ("auto", "ray", "in-process"):
        raise ParameterError(f"Unknown engine {engine!r}; use auto, ray or in-process.")
    if workers < 0:
        raise ParameterError(f"--workers must be 0 (one per core) or more (got {workers}).")
    address = ray_address or os.environ.get("RAY_ADDRESS") or None
    single = engine == "auto" and not address and jobs is not None and jobs <= 1
    if engine == "in-process" or single or (engine == "auto" and not ray_installed()):
        if engine == "in-process" and ray_address:
            raise ParameterError("--ray-address needs the Ray engine; drop --engine in-process.")
        if address and not ray_installed():
            raise ParameterError("--ray-address / RAY_ADDRESS needs Ray: "
                                 "pip install 'trailersmith[cluster]'.")
        if workers > 1:
            log.warning("Ray is not installed: running one film at a time in this process "
                        "(pip install 'trailersmith[cluster]' for --workers).")
        return InProcessEngine()
    if not ray_installed():
        raise ParameterError("--engine ray needs Ray: pip install 'trailersmith[cluster]'.")
    from .ray_engine import RayEngine
    return RayEngine(address=address, workers=workers, cpus_per_worker=cpus_per_worker,
                     gpus_per_worker=gpus_per_worker)
