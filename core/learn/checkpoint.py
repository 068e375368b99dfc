"""Checkpoints of the learned generators: plain dicts of tensors and numbers.

A checkpoint is ``{"format", "version", "generator", "config", "state_dict", "trained"}`` where
``config`` holds only ints, floats, bools, strings and lists of floats (feature standardisation),
so ``torch.load(path, weights_only=True)`` reads it and no code is unpickled. The ``config`` is
checked against the model's schema (:mod:`.config_schema`) before any model is built.
"""
from __future__ import annotations

import os
from typing import Dict, Tuple

from ..errors import ModelUnavailableError, ParameterError
from ..fileio import atomic_path
from .model_config import model_module

FORMAT = "trailersmith-checkpoint"
VERSION = 1
KINDS = ("ipot", "ssmp")


def atomic_torch_save(obj, path: str) -> None:
    """``torch.save`` to a checked temporary file beside ``path``, then move it into place."""
    import torch

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def save_checkpoint(path: str, kind: str, config: Dict, state_dict: Dict, trained: Dict) -> None:
    """Write a generator checkpoint (weights only, no optimiser state)."""
    atomic_torch_save({"format": FORMAT, "version": VERSION, "generator": kind,
                       "config": dict(config), "state_dict": dict(state_dict),
                       "trained": dict(trained)}, path)


def read_checkpoint(path: str, kind: str) -> Dict:
    """Load and check a checkpoint file for generator ``kind`` (weights_only=True)."""
    how = (f"Train one with 'trailersmith train --generator {kind} DATASET -o {path}' "
           "(a dataset comes from 'trailersmith dataset build').")
    if not path:
        raise ModelUnavailableError(f"The {kind} generator needs a trained checkpoint: pass "
                                    f"--checkpoint PATH. {how}")
    if not os.path.isfile(path):
        raise ModelUnavailableError(f"Checkpoint not found: {path}. {how}")
    blob = safe_torch_load(path, f"{path} is not a readable checkpoint", how,
                           ModelUnavailableError)
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise ModelUnavailableError(f"{path} is not a Trailersmith generator checkpoint. {how}")
    if not isinstance(blob.get("version"), int) or blob["version"] > VERSION:
        raise ModelUnavailableError(f"{path} was written by a newer Trailersmith (format "
                                    f"{blob.get('version')}); update Trailersmith.")
    if blob.get("generator") != kind:
        raise ModelUnavailableError(f"{path} is a checkpoint of the {blob.get('generator')} "
                                    f"generator, not {kind}; use --generator "
                                    f"{blob.get('generator')}.")
    from .model_config import validate_config
    try:
        blob["config"] = validate_config(kind, blob.get("config"))
    except (ValueError, TypeError) as exc:
        raise ModelUnavailableError(f"{path} is a damaged {kind} checkpoint: {exc}; retrain it "
                                    "or use another checkpoint.") from None
    if not isinstance(blob.get("state_dict"), dict):
        raise ModelUnavailableError(f"{path} is a damaged {kind} checkpoint: it has no weights; "
                                    "retrain it or use another checkpoint.")
    return blob


def safe_torch_load(path: str, what: str, how: str, error=ParameterError):
    """``torch.load(weights_only=True)`` of ``path``; any failure is ``error`` with one line.

    Torch's own message for a foreign file (a pickle, a full model) advises
    ``weights_only=False``, which would run the file's code: never say that to a user.
    """
    import warnings

    import torch

    try:
        with warnings.catch_warnings():  # e.g. "Detected pickle protocol 4": a second line
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad file
        raise error(f"{what} ({exc.__class__.__name__}). {how}") from None


def load_model(path: str, kind: str) -> Tuple[object, Dict]:
    """Rebuild the model stored in ``path``; returns ``(model in eval mode, config)``."""
    blob = read_checkpoint(path, kind)
    model = model_module(kind).build(blob["config"])
    try:
        model.load_state_dict(blob["state_dict"])
    except (RuntimeError, KeyError) as exc:
        raise ModelUnavailableError(f"{path} does not fit the {kind} model of this Trailersmith "
                                    f"({str(exc).splitlines()[0]}); retrain it.") from None
    model.eval()
    return model, blob["config"]
