"""Feature backends: per-shot and per-music-segment vectors in one shared space.

:data:`BACKENDS` names each backend's module (imported when first used);
:func:`available_backends` lists those whose runtime and weights are present, with the reason
for each one that is not.
"""
from .base import (
                   BACKENDS,
                   FeatureBackend,
                   available_backends,
                   backend_names,
                   backend_options,
                   get_backend,
)

__all__ = ["BACKENDS", "FeatureBackend", "available_backends", "backend_names", "backend_options",
           "get_backend"]
