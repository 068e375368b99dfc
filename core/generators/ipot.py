"""``ipot``: the IPOT generator (paper 000) from a trained checkpoint (``checkpoint=PATH``).

Train one with ``trailersmith train --generator ipot DATASET -o CHECKPOINT``; the model and its
inference live in ``trailersmith.core.learn``.
"""
from __future__ import annotations

import importlib.util
from typing import Optional

from .base import register_generator


def torch_missing() -> Optional[str]:
    """Why the learned generators cannot run here, or None when PyTorch is installed."""
    if importlib.util.find_spec("torch") is None:
        return ("PyTorch is not installed; install it (pip install 'trailersmith[ml]') to use "
                "the learned generators.")
    return None


def _load():
    from ..learn.generate import generate_ipot
    return generate_ipot


register_generator("ipot", _load, torch_missing)
