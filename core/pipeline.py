"""The whole job: movie + music -> cut plan + OTIO timeline. Front ends (CLI, panel) call this.

Each stage reads from and writes to the content-keyed cache, so a re-run with another music track
never decodes the movie again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional

import numpy as np

from .model import Assignment, CutPlan, MusicAnalysis, ShotList, VideoInfo
from .progress import Reporter


@dataclass
class SuggestOptions:
    """What an editor can choose. ``pace`` > 1 cuts faster, < 1 slower."""

    generator: str = "ot"
    backend: str = "affect"
    spoiler_guard: float = 0.9
    seed: int = 0
    pace: float = 1.0
    detector: str = "auto"
    backend_options: Dict = field(default_factory=dict)
    generator_options: Dict = field(default_factory=dict)
    cache_dir: Optional[str] = None


@dataclass
class MovieAnalysis:
    """A movie's shots and per-shot features (from the cache or one decode pass)."""

    info: VideoInfo
    shots: ShotList
    shot_features: np.ndarray
    shot_quality: np.ndarray
    shot_cues: Dict[str, np.ndarray]


@dataclass
class MusicResult:
    """A track's analysis, per-segment features, and a waveform envelope for drawing."""

    analysis: MusicAnalysis
    segment_features: np.ndarray
    segment_cues: Dict[str, np.ndarray]
    waveform: np.ndarray  # (bins, 2) min/max envelope over the whole track


@dataclass
class SuggestResult:
    """Everything a front end shows or writes after one run."""

    movie: MovieAnalysis
    music: MusicResult
    assignment: Assignment
    plan: CutPlan
    timeline: object  # opentimelineio.schema.Timeline
