"""The Ray engine: one film per task (CPU) or per call on a GPU actor; the only module that
imports ray, and only when a batch command runs.

Faults: a job's own errors come back as values (never retried: a bad movie stays bad); a worker
or node that dies is a system failure, and Ray re-runs its film elsewhere (``max_retries`` for
tasks; ``max_restarts`` + ``max_task_retries`` for actors).
"""
from __future__ import annotations

import logging
import os
import secrets
from collections import deque
from typing import Callable, Iterator, Optional, Sequence

from .outcome import Outcome, error_message
from .resources import WorkerPlan, actor_count

log = logging.getLogger(__name__)

#: Retries of a film whose worker or node died (system failures only).
MAX_RETRIES = 3
#: Object store of a local Ray: jobs return small records, so a small store is plenty.
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024


def prepare_environment(local: bool) -> None:
    """Settings that must be in the environment before ray is imported or started.

    Usage statistics are always off. A local Ray binds to 127.0.0.1 only and, unless the user
    configured authentication, gets a one-off token (nothing is written to ``~/.ray``).
    """
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    if local:
        # Ray resolves 127.0.0.1 to the machine's address unless it is told it is one machine.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        if not any(os.environ.get(v) for v in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN",
                                                "RAY_AUTH_TOKEN_PATH")):
            os.environ["RAY_AUTH_MODE"] = "token"
            os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)


def run_job(fn: Callable, spec) -> tuple:
    """Run one job on a worker: ``("ok", record, node)`` or ``("error", message, node)``."""
    import ray

    node = ray.get_runtime_context().get_node_id()
    try:
        return "ok", fn(spec, None), node
    except Exception as exc:  # noqa: BLE001 - reported per film; system failures kill the worker
        return "error", error_message(exc), node


def _memoize_imagebind() -> None:
    """Keep ImageBind's weights loaded across the films of this worker process."""
    import functools

    from trailersmith.core.features.imagebind import weights
    if not hasattr(weights.load_model, "cache_info"):
        weights.load_model = functools.lru_cache(maxsize=2)(weights.load_model)


class FilmWorker:
    """A GPU actor: loads its models once, then analyses film after film."""

    def __init__(self, models: Sequence[str]) -> None:
        if "transnetv2" in models:
            from trailersmith.core.shots import transnet
            if transnet.unavailable_reason() is None:
                transnet.load_model(None, transnet.pick_device("auto"))
        if "imagebind" in models:
            _memoize_imagebind()

    def run(self, fn: Callable, spec) -> tuple:
        """One film; see :func:`run_job`."""
        return run_job(fn, spec)


class RayEngine:
    """Runs jobs on a Ray cluster: an existing one at ``address``, else a local one."""

    remote = True  # workers may be on other machines: the cache must be shared

    def __init__(self, *, address: Optional[str], workers: int = 0, cpus_per_worker: float = 1.0,
                 gpus_per_worker: float = 0.0, max_retries: int = MAX_RETRIES,
                 local_gpus: Optional[float] = None) -> None:
        prepare_environment(local=address is None)
        import ray

        self.address = address
        self.requested_workers = workers
        self.cpus_per_worker = cpus_per_worker
        self.gpus_per_worker = gpus_per_worker
        self.max_retries = max_retries
        common = {"logging_level": logging.WARNING, "log_to_driver": False}
        if address:
            ray.init(address=address, **common)
        else:
            cpus = workers * cpus_per_worker if workers else (os.cpu_count() or 1)
            ray.init(num_cpus=cpus, num_gpus=local_gpus, include_dashboard=False,
                     _node_ip_address="127.0.0.1",
                     object_store_memory=LOCAL_OBJECT_STORE_BYTES, **common)
        total = ray.cluster_resources()
        self.workers = max(1, int(total.get("CPU", 1) / cpus_per_worker))
        self.name = f"ray ({address or 'local'}, {self.workers} workers)"

    def map(self, fn: Callable, specs: Sequence, *, plan: Optional[WorkerPlan] = None,
            reporter_for=None) -> Iterator[Outcome]:
        """Yield an :class:`Outcome` per spec as films finish (in any order)."""
        plan = plan or WorkerPlan("task", self.cpus_per_worker, 0.0, ())
        if not specs:
            return iter(())
        if plan.kind == "actor":
            return self._map_actors(fn, specs, plan)
        return self._map_tasks(fn, specs, plan)

    def _map_tasks(self, fn, specs, plan: WorkerPlan) -> Iterator[Outcome]:
        import ray

        remote = ray.remote(run_job).options(num_cpus=plan.num_cpus, num_gpus=0,
                                             max_retries=self.max_retries, retry_exceptions=False)
        pending = {remote.remote(fn, spec): i for i, spec in enumerate(specs)}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                yield self._outcome(pending.pop(ref), ref)

    def _map_actors(self, fn, specs, plan: WorkerPlan) -> Iterator[Outcome]:
        import ray

        cls = ray.remote(FilmWorker).options(
            num_cpus=plan.num_cpus, num_gpus=plan.num_gpus,
            max_restarts=self.max_retries, max_task_retries=self.max_retries)
        count = actor_count(plan, workers=self.requested_workers,
                            cluster_gpus=ray.cluster_resources().get("GPU", 0.0))
        actors = [cls.remote(plan.models) for _ in range(min(count, len(specs)))]
        queue = deque(enumerate(specs))
        running = {}

        def give(actor) -> None:
            i, spec = queue.popleft()
            running[actor.run.remote(fn, spec)] = (i, actor)

        for actor in actors:
            if queue:
                give(actor)
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                i, actor = running.pop(ref)
                outcome = self._outcome(i, ref)
                yield outcome
                if queue and outcome.node is not None:
                    give(actor)  # an actor that died past its restarts gets no more work
            if queue and not running:
                while queue:
                    i, _ = queue.popleft()
                    yield Outcome(i, error="no GPU worker left alive to take this film")

    def _outcome(self, index: int, ref) -> Outcome:
        import ray

        try:
            status, payload, node = ray.get(ref)
        except ray.exceptions.RayError as exc:
            return Outcome(index, error=f"worker lost {self.max_retries + 1} times "
                           f"({exc.__class__.__name__}); the film was not analysed")
        if status == "ok":
            return Outcome(index, value=payload, node=node)
        return Outcome(index, error=payload, node=node)

    def close(self) -> None:
        """Disconnect (and stop a local Ray)."""
        import ray

        ray.shutdown()
