"""Shot boundary detection (TransNetV2, or a built-in detector with no weights) and scenes.

``detect_shots(path, ...)`` runs one streaming decode pass and returns the movie's
:class:`~trailersmith.core.model.ShotList` with the decode result. torch is imported only when
TransNetV2 runs.
"""
from .detect import (
                     DETECTOR_VERSIONS,
                     DETECTORS,
                     available_detectors,
                     detect_shots,
                     detector_choices,
                     detector_names,
                     detector_version,
                     resolve_detector,
)
from .metrics import CutScore, cuts_near, match_cuts

__all__ = ["detect_shots", "resolve_detector", "available_detectors", "DETECTOR_VERSIONS",
           "DETECTORS", "detector_choices", "detector_names", "detector_version",
           "match_cuts", "cuts_near", "CutScore"]
