"""The music room: from a track (or an array) to beats, bars, sections and planned cut points.

``analyze`` orchestrates the walk ``spectral -> beats / beat_dp -> bars -> sections -> cuts``;
each sibling imports only ``spectral`` (the one STFT pass and its frame-level features), except
``edit`` (spot lengths: an analysed track edited to a length), which works on the finished
analysis. The sample rate every stage decodes at and the analysis version caches key on live
here, once.
Importing this package is cheap: ``analyze_music`` and friends load on first use.
"""
from __future__ import annotations

import importlib

#: The one sample rate music is decoded and analysed at (Hz).
SAMPLE_RATE = 22050
#: Bump when the analysis changes its results, so caches keyed on it are refreshed.
ANALYSIS_VERSION = "4"

_LAZY = {
    "analyze_music": "analyze", "waveform_envelope": "analyze", "SEGMENTATIONS": "analyze",
    "tempo_from_beats": "beats",
}

__all__ = ["SAMPLE_RATE", "ANALYSIS_VERSION", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
