"""``ipot``: the IPOT generator (paper 000) from a trained checkpoint (``checkpoint=PATH``).

Train one with ``trailersmith train --generator ipot DATASET -o CHECKPOINT``; the model and its
inference live in ``trailersmith.core.learn``.
"""
from __future__ import annotations

import importlib.util
from typing import Optional

#: Keyword options of the generator (besides ``rng``).
OPTIONS = ("checkpoint", "eta")


def unavailable_reason() -> Optional[str]:
    """Why the learned generators cannot run here, or None when PyTorch is installed."""
    if importlib.util.find_spec("torch") is None:
        return ("PyTorch is not installed; install it (pip install 'trailersmith[ml]') to use "
                "the learned generators.")
    return None


#: Kept under its old name for callers that check torch before the learned generators.
torch_missing = unavailable_reason


def load():
    """The generator callable (imports the learned model code only now)."""
    from ..learn.generate import generate_ipot
    return generate_ipot
