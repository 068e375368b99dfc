"""What each batch worker asks the cluster for: CPUs for decoding and the affect cues, a
fraction of a GPU for the model stages (TransNetV2, ImageBind).

Decoding, TransNetV2 and the feature backends share one streaming pass per film (frames are
never shipped between processes: a 2-hour film is ~0.7 GB even at 48x27), so a film runs in one
worker. When that pass uses a model and ``gpus_per_worker`` > 0, the worker is a long-lived actor
holding ``gpus_per_worker`` of a GPU that loads the model once and takes film after film; several
such actors share one GPU. Otherwise a film is a plain CPU task.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from trailersmith.core.errors import ParameterError


@dataclass(frozen=True)
class WorkerPlan:
    """``kind`` "task" (CPU only) or "actor" (holds a GPU share and its models)."""

    kind: str
    num_cpus: float
    num_gpus: float
    models: Tuple[str, ...]  # models the worker loads once: "transnetv2", "imagebind"


def models_for(options) -> Tuple[str, ...]:
    """The learned models a film's analysis pass runs with these options."""
    models = []
    if getattr(options, "detector", "auto") in ("auto", "transnetv2"):
        models.append("transnetv2")  # "auto" picks TransNetV2 whenever its package is installed
    if getattr(options, "backend", "affect") == "imagebind":
        models.append("imagebind")
    return tuple(models)


def worker_plan(options, *, cpus_per_worker: float = 1.0,
                gpus_per_worker: float = 0.0) -> WorkerPlan:
    """The resource request of one batch worker for films analysed with ``options``."""
    if not cpus_per_worker > 0:
        raise ParameterError(f"--cpus-per-worker must be above 0 (got {cpus_per_worker}).")
    if not 0 <= gpus_per_worker <= 1:
        raise ParameterError(f"--gpus-per-worker is a fraction of one GPU, from 0 to 1 (got "
                             f"{gpus_per_worker}); 0.25 lets four films share a GPU.")
    models = models_for(options)
    if gpus_per_worker > 0 and models:
        return WorkerPlan("actor", float(cpus_per_worker), float(gpus_per_worker), models)
    return WorkerPlan("task", float(cpus_per_worker), 0.0, ())


def actor_count(plan: WorkerPlan, *, workers: int, cluster_gpus: float) -> int:
    """How many GPU actors to start: ``workers`` when given, else as many as the GPUs hold."""
    if workers > 0:
        return workers
    if plan.num_gpus <= 0 or cluster_gpus <= 0:
        raise ParameterError("The cluster has no GPU for --gpus-per-worker; give --gpus-per-worker "
                             "0 to run on CPUs, or join a node with a GPU.")
    return max(1, int(cluster_gpus / plan.num_gpus + 1e-9))
