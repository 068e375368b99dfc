"""Feature backends: per-shot and per-music-segment vectors in one shared space.

Backends register by name; :func:`available_backends` lists those whose runtime and weights are
present, with the reason for each one that is not.
"""
from .base import FeatureBackend, available_backends, get_backend, register_backend

__all__ = ["FeatureBackend", "available_backends", "get_backend", "register_backend"]
