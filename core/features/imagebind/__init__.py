"""ImageBind feature backend: movie shots, music and text in one embedding space.

Importing this package (the registry's ``imagebind`` entry) imports no torch; the model
(``model.py``), weights loading (``weights.py``) and preprocessing (``preprocess.py``) load
when the backend is created. Weights: ``imagebind_huge.pth`` (CC-BY-NC 4.0), never downloaded.
"""
from __future__ import annotations

from .paths import unavailable_reason
from .text import EMOTIONS, parse_prompt

#: Keyword options of :func:`create_backend` (those of :class:`backend.ImageBindBackend`).
OPTIONS = ("weights", "prompts", "device", "batch_size", "sample_interval_s", "frames_per_shot",
           "bpe", "precision")


def create_backend(weights=None, prompts=(), device=None, batch_size=None, **options):
    """The ``imagebind`` backend; see :class:`backend.ImageBindBackend`."""
    from .backend import ImageBindBackend

    return ImageBindBackend(weights=weights, prompts=prompts, device=device,
                            batch_size=batch_size, **options)


__all__ = ["EMOTIONS", "OPTIONS", "create_backend", "parse_prompt", "unavailable_reason"]
