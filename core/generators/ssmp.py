"""``ssmp``: the SSMP generator (paper 001) from a trained checkpoint (``checkpoint=PATH``).

Options: ``decoding="greedy"`` (default: measured better, and deterministic) or
``"self-corrective"`` (the paper's Algorithm 1). Train one with
``trailersmith train --generator ssmp DATASET -o CHECKPOINT``.
"""
from __future__ import annotations

from ..learn.ssmp_model import DECODINGS  # noqa: F401 - the spec reads the choices here
from .ipot import unavailable_reason  # noqa: F401 - same needs as ipot (PyTorch)

#: Keyword options of the generator (besides ``rng``).
OPTIONS = ("checkpoint", "decoding")


def load():
    """The generator callable (imports the learned model code only now)."""
    from ..learn.generate import generate_ssmp
    return generate_ssmp
