"""The generator signature and its registry: a static table of name -> module, imported lazily.

Each generator module exposes ``load()`` (returns the callable), ``OPTIONS`` (the keyword
options the callable accepts besides ``rng``) and, when it may be unusable here,
``unavailable_reason()``. Adding a generator is one line in :data:`GENERATORS`; nothing imports
back into this module.
"""
from __future__ import annotations

import importlib
from typing import Dict, List, Optional, Protocol, Tuple

import numpy as np

from ..errors import ModelUnavailableError, ParameterError
from ..model import Assignment, GenerationProblem

#: name -> module in this package. The first one is the default.
GENERATORS = {
    "ot": "ot",
    "knapsack": "knapsack",
    "ipot": "ipot",
    "ssmp": "ssmp",
}


class Generator(Protocol):
    """``generate(problem, rng=..., **options) -> Assignment``; each shot used at most once."""

    def __call__(self, problem: GenerationProblem, *, rng: np.random.Generator,
                 **options) -> Assignment: ...


def generator_names() -> List[str]:
    """Every generator name, usable here or not, in table order."""
    return list(GENERATORS)


def generator_module(name: str):
    """The module of generator ``name``; ParameterError naming the choices for another name."""
    if name not in GENERATORS:
        raise ParameterError(f"Unknown generator {name!r}; choose one of "
                             f"{', '.join(GENERATORS)}.")
    return importlib.import_module(f"{__package__}.{GENERATORS[name]}")


def generator_options(name: str) -> Tuple[str, ...]:
    """The keyword options generator ``name`` accepts (e.g. ``("checkpoint", "decoding")``)."""
    return tuple(generator_module(name).OPTIONS)


def _reason(module) -> Optional[str]:
    check = getattr(module, "unavailable_reason", None)
    return check() if check else None


def available_generators() -> Dict[str, Optional[str]]:
    """Map every generator name to None (usable) or why it is not usable here."""
    return {name: _reason(generator_module(name)) for name in GENERATORS}


def get_generator(name: str) -> Generator:
    """Return the generator callable named ``name``."""
    module = generator_module(name)
    why = _reason(module)
    if why:
        raise ModelUnavailableError(f"Generator {name!r} is not available: {why}")
    return module.load()
