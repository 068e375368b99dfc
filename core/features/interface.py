"""The feature-backend interface: what every backend module's ``create_backend`` returns."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Dict, Tuple

import numpy as np

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
