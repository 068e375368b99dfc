"""Training loop shared by IPOT and SSMP: seeds, validation split, early stopping, resume.

While training, ``CHECKPOINT.resume`` holds everything needed to continue (weights, optimiser,
epoch, best score, mask-ratio scheduler, random state); it is rewritten after every epoch and
removed when training ends. ``CHECKPOINT`` itself holds only the best weights so far (by
validation loss), so it is small and usable at any time.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

import numpy as np

from ..errors import ModelUnavailableError, ParameterError
from ..options import check_option, default
from ..progress import Reporter, ensure_reporter
from .checkpoint import (
    KINDS,
    atomic_torch_save,
    model_module,
    read_checkpoint,
    safe_torch_load,
    save_checkpoint,
)
from .dataset import PairExample, split_by_movie
from .model_config import validate_options
from .tensors import feature_stats, make_batch


@dataclass
class TrainOptions:
    """How to train. ``patience``: epochs without a better validation loss before stopping."""

    epochs: int = default("epochs")
    batch_size: int = default("batch_size")
    lr: float = default("lr")
    weight_decay: float = 0.01
    warmup: float = 0.05
    val_fraction: float = default("val_fraction")
    patience: int = default("patience")
    min_delta: float = 1e-4
    seed: int = default("seed")
    grad_clip: float = 1.0
    #: CPU threads for torch while training. Small models run fastest on one thread (several
    #: threads spin against each other on a busy machine); raise it for large features.
    threads: int = default("threads")
    #: "cpu", "cuda", or "auto" (cuda when available).
    device: str = default("device")


_SPEC_FIELDS = ("epochs", "batch_size", "lr", "val_fraction", "patience", "seed", "threads",
                "device")


@dataclass
class TrainReport:
    """What a training run did; ``steps_per_s`` counts optimiser steps per wall-clock second."""

    generator: str
    checkpoint: str
    train_pairs: int
    val_pairs: int
    epochs_run: int = 0
    steps: int = 0
    seconds: float = 0.0
    best_epoch: int = -1
    best_val_loss: float = math.inf
    stopped_early: bool = False
    resumed_from_epoch: int = 0
    device: str = "cpu"
    history: List[Dict[str, float]] = field(default_factory=list)

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> Dict:
        return {**asdict(self), "steps_per_s": self.steps_per_s}


def usable_pairs(examples: List[PairExample]) -> List[PairExample]:
    """Pairs restricted to matched trailer shots; pairs with none left are dropped."""
    out = [ex.matched() for ex in examples]
    return [ex for ex in out if len(ex.match) > 0]


def model_config(kind: str, train: List[PairExample], backend: str,
                 options: Optional[Dict] = None) -> Dict:
    """Defaults + ``options`` + feature sizes and standardisation from the training pairs.

    ``options`` are checked against the model's schema (:func:`.model_config.validate_options`).
    """
    cfg = validate_options(kind, options)
    movie = feature_stats([ex.movie_features for ex in train])
    music = feature_stats([ex.music_features for ex in train])
    cfg.update(movie_dim=int(train[0].movie_features.shape[1]),
               music_dim=int(train[0].music_features.shape[1]),
               movie_mean=movie["mean"], movie_std=movie["std"],
               music_mean=music["mean"], music_std=music["std"], backend=str(backend))
    return cfg


def _lr_at(step: int, total: int, opts: TrainOptions) -> float:
    warm = max(1, int(opts.warmup * total))
    if step < warm:
        return opts.lr * (step + 1) / warm
    progress = (step - warm) / max(1, total - warm)
    return opts.lr * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def _batches(pairs, batch_size, rng):
    order = rng.permutation(len(pairs))
    for k in range(0, len(order), batch_size):
        yield [pairs[i] for i in order[k:k + batch_size]]


def _step_loss(kind, mod, model, batch, scheduler, generator):
    if kind == "ipot":
        return mod.loss(model, batch)
    return mod.loss(model, batch, scheduler.t, generator=generator)


def validation_loss(kind: str, model, pairs: List[PairExample], config: Dict,
                    batch_size: int = 16, device: str = "cpu") -> float:
    """Mean validation loss: eq. 5 for IPOT, eq. 4 with every slot masked for SSMP."""
    import torch

    mod = model_module(kind)
    model.eval()
    total, count = 0.0, 0
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for k in range(0, len(pairs), batch_size):
            chunk = pairs[k:k + batch_size]
            batch = make_batch(chunk, config, device)
            value = mod.loss(model, batch)[0] if kind == "ipot" else \
                mod.loss(model, batch, 1.0, generator=gen)[0]
            total += float(value) * len(chunk)
            count += len(chunk)
    return total / max(count, 1)


def train(kind: str, examples: List[PairExample], checkpoint: str, *,
          options: Optional[TrainOptions] = None, model_options: Optional[Dict] = None,
          backend: str = "unknown", val_examples: Optional[List[PairExample]] = None,
          resume: bool = False, reporter: Optional[Reporter] = None) -> TrainReport:
    """Train generator ``kind`` ("ipot" or "ssmp") on ``examples``; best weights to ``checkpoint``.

    Without ``val_examples``, ``options.val_fraction`` of the movies (all their trailers) are held
    out. With ``resume``, training continues from ``checkpoint + ".resume"`` when it exists.
    Raises :class:`ParameterError` for unusable data or options.
    """
    import torch

    opts = options or TrainOptions()
    for name in _SPEC_FIELDS:  # the CLI's ranges hold for library callers too
        check_option(name, getattr(opts, name))
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, int(opts.threads)))
    try:
        return _train(kind, examples, checkpoint, opts, model_options, backend, val_examples,
                      resume, ensure_reporter(reporter))
    finally:
        torch.set_num_threads(threads)


def _device(name: str) -> str:
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ParameterError(f"Unknown device {name!r}; use cpu, cuda or auto.")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError("CUDA was asked for but torch sees no GPU; use --device cpu.")
    return name


_RESUME_KEYS = {"generator", "config", "model", "optimiser", "torch_rng", "epoch", "bad_epochs",
                "step", "best", "best_epoch", "history"}


def _check_resumable(kind: str, checkpoint: str) -> None:
    """With ``--resume``, an existing ``checkpoint`` must be ours: never overwrite another file."""
    if not os.path.exists(checkpoint):
        return
    try:
        read_checkpoint(checkpoint, kind)
    except ModelUnavailableError:
        raise ParameterError(f"{checkpoint} is not a {kind} checkpoint written by 'trailersmith "
                             "train', so --resume cannot continue it; pick another output file."
                             ) from None


def _cpu_state(model) -> Dict:
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}


def _train(kind, examples, checkpoint, opts, model_options, backend, val_examples, resume,
           reporter) -> TrainReport:
    import torch

    if kind not in KINDS:
        raise ParameterError(f"Unknown generator to train: {kind!r}; choose ipot or ssmp.")
    if opts.epochs < 1 or opts.batch_size < 1 or opts.lr <= 0:
        raise ParameterError("epochs and batch size must be >= 1 and the learning rate > 0.")
    pairs = usable_pairs(examples)
    if val_examples is None:
        if len({ex.movie_id for ex in pairs}) < 2:
            raise ParameterError("Training needs pairs from at least 2 movies (one is held out "
                                 "for validation); add movies to the dataset.")
        train_pairs, val_pairs = split_by_movie(pairs, (1.0 - opts.val_fraction,), opts.seed)
        if not val_pairs:
            train_pairs, val_pairs = train_pairs[:-1], train_pairs[-1:]
    else:
        train_pairs, val_pairs = pairs, usable_pairs(val_examples)
    if not train_pairs or not val_pairs:
        raise ParameterError("No usable training or validation pairs (every trailer shot "
                             "unmatched?); check the dataset build report.")

    torch.manual_seed(opts.seed)
    mod = model_module(kind)
    config = model_config(kind, train_pairs, backend, model_options)
    if resume:
        _check_resumable(kind, checkpoint)
    device = _device(opts.device)
    model = mod.build(config).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=opts.lr,
                                  weight_decay=opts.weight_decay, betas=(0.9, 0.95))
    scheduler = None
    if kind == "ssmp":
        scheduler = mod.SelfPacedMaskRatio(config["t_min"], config["t_max"], config["beta"],
                                           config["mu_a"], config["mu_t"])
    report = TrainReport(kind, checkpoint, len(train_pairs), len(val_pairs), device=device)
    start_epoch, bad_epochs, step = 0, 0, 0
    resume_path = checkpoint + ".resume"
    if resume and os.path.isfile(resume_path):
        state = safe_torch_load(resume_path, f"{resume_path} is not a resume file of "
                                "'trailersmith train'", "Delete it or train without --resume.")
        if not isinstance(state, dict) or not _RESUME_KEYS <= set(state):
            raise ParameterError(f"{resume_path} is not a resume file of 'trailersmith train'; "
                                 "delete it or train without --resume.")
        if state.get("generator") != kind or state.get("config") != config:
            raise ParameterError(f"{resume_path} was made with another generator, dataset or "
                                 "options; delete it or train without --resume.")
        try:
            model.load_state_dict(state["model"])
            optimiser.load_state_dict(state["optimiser"])
        except (RuntimeError, KeyError, ValueError, TypeError) as exc:
            raise ParameterError(f"{resume_path} does not fit this model "
                                 f"({str(exc).splitlines()[0][:120]}); delete it or train "
                                 "without --resume.") from None
        for group in optimiser.state.values():
            for key, value in group.items():
                if torch.is_tensor(value) and key != "step":
                    group[key] = value.to(device)
        torch.set_rng_state(state["torch_rng"])
        start_epoch, bad_epochs, step = int(state["epoch"]), int(state["bad_epochs"]), \
            int(state["step"])
        report.best_val_loss, report.best_epoch = float(state["best"]), int(state["best_epoch"])
        report.history = list(state["history"])
        report.resumed_from_epoch = start_epoch
        if scheduler is not None:
            scheduler.t, scheduler.b = float(state["mask_t"]), float(state["mask_b"])

    steps_per_epoch = math.ceil(len(train_pairs) / opts.batch_size)
    total_steps = steps_per_epoch * opts.epochs
    gen = torch.Generator().manual_seed(opts.seed + 1)
    t0 = time.perf_counter()
    report.epochs_run = start_epoch
    for epoch in range(start_epoch, opts.epochs):
        if bad_epochs >= opts.patience:
            report.stopped_early = True
            break
        model.train()
        rng = np.random.default_rng([opts.seed, epoch])
        gen.manual_seed(opts.seed * 100003 + epoch)
        losses = []
        for chunk in _batches(train_pairs, opts.batch_size, rng):
            for group in optimiser.param_groups:
                group["lr"] = _lr_at(step, total_steps, opts)
            batch = make_batch(chunk, config, device)
            value, logged = _step_loss(kind, mod, model, batch, scheduler, gen)
            optimiser.zero_grad(set_to_none=True)
            value.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), opts.grad_clip)
            optimiser.step()
            if scheduler is not None:
                scheduler.update(logged["accuracy"])
            losses.append(float(value.detach()))
            step += 1
            report.steps += 1
            reporter.report(f"Training {kind}", step, total_steps)
        val = validation_loss(kind, model, val_pairs, config, device=device)
        entry = {"epoch": epoch + 1, "train_loss": float(np.mean(losses)), "val_loss": val}
        if scheduler is not None:
            entry["mask_ratio"] = scheduler.t
        report.history.append(entry)
        if val < report.best_val_loss - opts.min_delta:
            report.best_val_loss, report.best_epoch, bad_epochs = val, epoch + 1, 0
            save_checkpoint(checkpoint, kind, config, _cpu_state(model),
                            {"epoch": epoch + 1, "val_loss": val, "train_pairs": len(train_pairs),
                             "val_pairs": len(val_pairs), "seed": opts.seed})
        else:
            bad_epochs += 1
        resume_state = {"generator": kind, "config": config, "model": _cpu_state(model),
                        "optimiser": optimiser.state_dict(), "torch_rng": torch.get_rng_state(),
                        "epoch": epoch + 1, "bad_epochs": bad_epochs, "step": step,
                        "best": report.best_val_loss, "best_epoch": report.best_epoch,
                        "history": report.history}
        if scheduler is not None:
            resume_state.update(mask_t=scheduler.t, mask_b=scheduler.b)
        atomic_torch_save(resume_state, resume_path)
        report.epochs_run = epoch + 1
    else:
        report.stopped_early = bad_epochs >= opts.patience and report.epochs_run < opts.epochs
    report.seconds += time.perf_counter() - t0
    if os.path.exists(resume_path):
        os.unlink(resume_path)
    return report
