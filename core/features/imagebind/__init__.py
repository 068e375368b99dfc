"""ImageBind feature backend: movie shots, music and text in one embedding space.

Importing this package registers the ``imagebind`` backend and imports no torch; the model
(``model.py``), weights loading (``weights.py``) and preprocessing (``preprocess.py``) load
when the backend is created. Weights: ``imagebind_huge.pth`` (CC-BY-NC 4.0), never downloaded.
"""
from __future__ import annotations

from ..base import register_backend
from .paths import unavailable_reason
from .text import EMOTIONS, parse_prompt


def create_backend(weights=None, prompts=(), device=None, batch_size=None, **options):
    """Factory registered as ``imagebind``; see :class:`backend.ImageBindBackend`."""
    from .backend import ImageBindBackend

    return ImageBindBackend(weights=weights, prompts=prompts, device=device,
                            batch_size=batch_size, **options)


register_backend("imagebind", create_backend, unavailable_reason)

__all__ = ["EMOTIONS", "create_backend", "parse_prompt", "unavailable_reason"]
