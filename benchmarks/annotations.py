"""Moved: the annotation reader is :mod:`trailersmith.core.shots.truth` (kept for old imports)."""
from trailersmith.core.shots.truth import ShotTruth, read_hard_negatives, read_shot_truth

__all__ = ["ShotTruth", "read_hard_negatives", "read_shot_truth"]
