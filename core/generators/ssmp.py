"""``ssmp``: the SSMP generator (paper 001) from a trained checkpoint (``checkpoint=PATH``).

Options: ``decoding="greedy"`` (default: measured better, and deterministic) or
``"self-corrective"`` (the paper's Algorithm 1). Train one with
``trailersmith train --generator ssmp DATASET -o CHECKPOINT``.
"""
from __future__ import annotations

from .base import register_generator
from .ipot import torch_missing


def _load():
    from ..learn.generate import generate_ssmp
    return generate_ssmp


register_generator("ssmp", _load, torch_missing)
