"""The feature-backend interface and its registry (a static table of name -> module)."""
from __future__ import annotations

import importlib
import inspect
from abc import ABC, abstractmethod
from typing import Dict, List, Optional, Tuple

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


#: name -> module in this package; each exposes ``create_backend(**options)``, ``OPTIONS`` (the
#: keyword options it accepts) and, when it may be unusable here, ``unavailable_reason(...)``.
#: The first one is the default.
BACKENDS = {
    "affect": "affect",
    "imagebind": "imagebind",
}


def backend_module(name: str):
    """The module of backend ``name``; ParameterError naming the choices for another name."""
    if name not in BACKENDS:
        raise ParameterError(f"Unknown feature backend {name!r}; choose one of "
                             f"{', '.join(BACKENDS)}.")
    return importlib.import_module(f"{__package__}.{BACKENDS[name]}")


def backend_options(name: str) -> Tuple[str, ...]:
    """The keyword options backend ``name`` accepts (e.g. ``("weights", "prompts", ...)``)."""
    return tuple(backend_module(name).OPTIONS)


def _reason(module, options: Dict) -> Optional[str]:
    check = getattr(module, "unavailable_reason", None)
    if check is None:
        return None
    # A reason function may take some of the options (e.g. ``weights``): a path given on the
    # command line makes a backend available that the settings alone would not.
    accepted = inspect.signature(check).parameters
    return check(**{k: v for k, v in options.items() if k in accepted})


def available_backends() -> Dict[str, Optional[str]]:
    """Map every known backend name to None (usable) or the reason it is not usable here."""
    return {name: _reason(backend_module(name), {}) for name in BACKENDS}


def get_backend(name: str, **options) -> FeatureBackend:
    """Instantiate backend ``name``; raises ParameterError / ModelUnavailableError with a fix."""
    module = backend_module(name)
    why = _reason(module, options)
    if why:
        raise ModelUnavailableError(f"Backend {name!r} is not available: {why}")
    return module.create_backend(**options)


def backend_names() -> List[str]:
    """All backend names, usable or not, in table order."""
    return list(BACKENDS)
