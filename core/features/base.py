"""The feature-backend interface and its registry."""
from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from ..errors import ModelUnavailableError, ParameterError
from ..model import MusicAnalysis, ShotList, VideoInfo


class FeatureBackend(ABC):
    """Turns shots and music segments into vectors where a small distance means "goes together".

    Lifecycle for a movie: :meth:`frame_consumers` are fed during the one decode pass; their
    collected per-frame data is saved with :meth:`frame_state` (a dict of numpy arrays, cached);
    :meth:`shot_features` then works from that state and the shots, never from the file.
    """

    name: str = ""
    #: Bump when the output of this backend changes, so cache entries made before are not reused.
    version: str = "1"

    @abstractmethod
    def frame_consumers(self, info: VideoInfo) -> list:
        """Consumers (see ``core.media.FrameConsumer``) to run in the movie's decode pass."""

    @abstractmethod
    def frame_state(self) -> Dict[str, np.ndarray]:
        """The per-frame data the consumers collected, as arrays (cacheable)."""

    @abstractmethod
    def shot_features(self, state: Dict[str, np.ndarray], shots: ShotList
                      ) -> Tuple[np.ndarray, np.ndarray, Dict[str, np.ndarray]]:
        """Return ``(features (N, D), quality (N,) in [0, 1], named per-shot cues)``."""

    @abstractmethod
    def music_features(self, y: np.ndarray, sr: int, music: MusicAnalysis
                       ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        """Return ``(features (S, D), named per-segment cues)`` for ``music.segments_s``."""


_REGISTRY: Dict[str, Tuple[Callable[..., FeatureBackend], Callable[[], Optional[str]]]] = {}


def register_backend(name: str, factory: Callable[..., FeatureBackend],
                     unavailable_reason: Callable[[], Optional[str]] = lambda: None) -> None:
    """Register ``factory`` under ``name``; ``unavailable_reason()`` returns None when usable."""
    _REGISTRY[name] = (factory, unavailable_reason)


def _load_builtin() -> None:
    # Importing the modules registers them; heavy imports inside them stay lazy.
    from . import affect  # noqa: F401
    try:
        from . import imagebind  # noqa: F401
    except ImportError:
        pass


def available_backends() -> Dict[str, Optional[str]]:
    """Map every known backend name to None (usable) or the reason it is not usable here."""
    _load_builtin()
    return {name: reason() for name, (_, reason) in sorted(_REGISTRY.items())}


def get_backend(name: str, **options) -> FeatureBackend:
    """Instantiate backend ``name``; raises ParameterError / ModelUnavailableError with a fix."""
    _load_builtin()
    if name not in _REGISTRY:
        raise ParameterError(f"Unknown feature backend {name!r}; choose one of "
                             f"{', '.join(sorted(_REGISTRY))}.")
    factory, reason = _REGISTRY[name]
    # A reason function may take some of the options (e.g. ``weights``): a path given on the
    # command line makes a backend available that the settings alone would not.
    accepted = inspect.signature(reason).parameters
    why = reason(**{k: v for k, v in options.items() if k in accepted})
    if why:
        raise ModelUnavailableError(f"Backend {name!r} is not available: {why}")
    return factory(**options)


def backend_names() -> List[str]:
    """All registered backend names, usable or not."""
    _load_builtin()
    return sorted(_REGISTRY)
