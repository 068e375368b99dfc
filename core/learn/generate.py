"""Running a trained checkpoint as a generator: problem -> model inputs -> Assignment."""
from __future__ import annotations

import os
import threading
from typing import Dict, Tuple

import numpy as np

from ..errors import ParameterError
from ..model import Assignment, GenerationProblem
from .checkpoint import load_model
from .ssmp_model import DECODINGS
from .tensors import tokens

_CACHE: Dict[Tuple[str, str, float], Tuple[object, Dict]] = {}
_LOCK = threading.Lock()


def cached_model(path: str, kind: str) -> Tuple[object, Dict]:
    """Load ``path`` once per file version (path and modification time)."""
    key = (os.path.abspath(path or ""), kind, os.path.getmtime(path) if path and
           os.path.isfile(path) else 0.0)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = load_model(path, kind)
        return _CACHE[key]


def problem_tokens(problem: GenerationProblem, config: Dict, kind: str
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Token matrices of the problem's shots and segments, checked against the checkpoint."""
    dm, da = int(config["movie_dim"]), int(config["music_dim"])
    if problem.shot_features.shape[1] != dm or problem.segment_features.shape[1] != da:
        raise ParameterError(
            f"This {kind} checkpoint was trained on {config.get('backend', '?')} features of size "
            f"{dm} (shots) and {da} (music) but got {problem.shot_features.shape[1]} and "
            f"{problem.segment_features.shape[1]}; use the same feature backend it was trained "
            "with (--backend).")
    movie = tokens(problem.shot_features, problem.shot_durations_s,
                   np.asarray(config["movie_mean"]), np.asarray(config["movie_std"]))
    music = tokens(problem.segment_features, problem.segment_durations_s,
                   np.asarray(config["music_mean"]), np.asarray(config["music_std"]))
    return movie, music


def _check_size(problem: GenerationProblem) -> np.ndarray:
    eligible = np.asarray(problem.eligible, bool)
    s = len(problem.segment_durations_s)
    if eligible.sum() < s:
        raise ParameterError(f"The movie has {int(eligible.sum())} usable shots but the music "
                             f"needs {s}; pick a shorter track, a slower pace, or a later "
                             "spoiler guard.")
    return eligible


def generate_ipot(problem: GenerationProblem, *, rng: np.random.Generator, checkpoint: str = "",
                  eta: float = 0.05) -> Assignment:
    """IPOT inference (paper 000, section 3.4) with the model in ``checkpoint``."""
    from .ipot_model import predict

    eligible = _check_size(problem)
    model, config = cached_model(checkpoint, "ipot")
    movie, music = problem_tokens(problem, config, "ipot")
    shots, prob, _ = predict(model, movie, music, eligible, np.asarray(problem.shot_durations_s),
                             np.asarray(problem.segment_durations_s), eta=eta)
    scores = np.clip(prob[shots], 0.0, 1.0)
    reasons = [f"IPOT: trailer-worthiness {p:.2f}; placed here by the learned movie-music "
               "transport plan" for p in scores]
    return Assignment(shots=shots, scores=scores, reasons=reasons)


def generate_ssmp(problem: GenerationProblem, *, rng: np.random.Generator, checkpoint: str = "",
                  decoding: str = DECODINGS[0]) -> Assignment:
    """SSMP decoding with ``checkpoint``: ``"greedy"`` (default) or ``"self-corrective"``.

    Greedy is the default because it measured better on the planted benchmark (and it is
    deterministic: the same inputs give the same trailer); ``"self-corrective"`` is the paper's
    Algorithm 1 (paper 001, section 3.3). See :mod:`..learn.ssmp_model` for the figures.
    """
    from .ssmp_model import decode_greedy, decode_self_corrective

    if decoding not in DECODINGS:
        raise ParameterError(f"Unknown SSMP decoding {decoding!r}; use {' or '.join(DECODINGS)}.")
    eligible = _check_size(problem)
    model, config = cached_model(checkpoint, "ssmp")
    movie, music = problem_tokens(problem, config, "ssmp")
    if decoding == "greedy":
        shots, conf = decode_greedy(model, movie, music, eligible)
    else:
        shots, conf = decode_self_corrective(model, movie, music, eligible, rng)
    scores = np.clip(conf, 0.0, 1.0)
    reasons = [f"SSMP ({decoding}): predicted for this slot with confidence {c:.2f}"
               for c in scores]
    return Assignment(shots=shots, scores=scores, reasons=reasons)
