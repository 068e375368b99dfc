"""The generator signature and its registry (ruptures-style: one small module per generator)."""
from __future__ import annotations

from typing import Callable, Dict, Optional, Protocol, Tuple

import numpy as np

from ..errors import ModelUnavailableError, ParameterError
from ..model import Assignment, GenerationProblem


class Generator(Protocol):
    """``generate(problem, rng=..., **options) -> Assignment``; each shot used at most once."""

    def __call__(self, problem: GenerationProblem, *, rng: np.random.Generator,
                 **options) -> Assignment: ...


_REGISTRY: Dict[str, Tuple[Callable[[], Generator], Callable[[], Optional[str]]]] = {}


def register_generator(name: str, loader: Callable[[], Generator],
                       unavailable_reason: Callable[[], Optional[str]] = lambda: None) -> None:
    """Register a generator; ``loader()`` returns the callable (imports lazily)."""
    _REGISTRY[name] = (loader, unavailable_reason)


def _load_builtin() -> None:
    from . import ot, knapsack  # noqa: F401
    for optional in ("ipot", "ssmp"):
        try:
            __import__(f"{__package__}.{optional}")
        except ImportError:
            pass


def available_generators() -> Dict[str, Optional[str]]:
    """Map every generator name to None (usable) or why it is not usable here."""
    _load_builtin()
    return {name: reason() for name, (_, reason) in sorted(_REGISTRY.items())}


def get_generator(name: str) -> Generator:
    """Return the generator callable registered as ``name``."""
    _load_builtin()
    if name not in _REGISTRY:
        raise ParameterError(f"Unknown generator {name!r}; choose one of "
                             f"{', '.join(sorted(_REGISTRY))}.")
    loader, reason = _REGISTRY[name]
    why = reason()
    if why:
        raise ModelUnavailableError(f"Generator {name!r} is not available: {why}")
    return loader()
