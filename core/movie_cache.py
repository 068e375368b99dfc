"""The movie stage: one decode pass (shots + feature consumers), stored in the stage cache."""
from __future__ import annotations

from fractions import Fraction
from typing import Dict, Tuple

import numpy as np

from .cache import ArraySpec, StageCache
from .features.base import FeatureBackend
from .model import ShotList, VideoInfo
from .progress import Reporter

_KINDS = ("start", "cut", "gradual")
#: Bump when the stored per-frame state changes (2: text-overlay scores, ``affect_text``).
ANALYSIS_VERSION = "2"
#: What a cached movie entry must hold to be used (anything else is discarded and recomputed).
REQUIRED = {"shots": ArraySpec("iu", 2, width=2), "scenes": ArraySpec("iu"),
            "transitions": ArraySpec("iu", None), "kinds": ArraySpec("iu"),
            "frame_times_s": ArraySpec("f")}


def _backends(backend: FeatureBackend) -> list:
    from .features.affect import AffectBackend
    if isinstance(backend, AffectBackend):
        return [backend]
    return [AffectBackend(), backend]


def load_or_analyze(info: VideoInfo, backend: FeatureBackend, detector: str, cache: StageCache,
                    reporter: Reporter) -> Tuple[VideoInfo, ShotList, Dict[str, np.ndarray]]:
    """Return ``(info, shots, per-frame state)`` for the movie, decoding it only on a cache miss."""
    from .shots import DETECTOR_VERSIONS, resolve_detector

    detector = resolve_detector(detector)
    backends = _backends(backend)
    params = {"detector": (detector, DETECTOR_VERSIONS[detector]),
              "backends": [(b.name, b.version) for b in backends]}
    reporter.report("Checking the analysis cache", 0, 1)
    key = cache.key("movie", files=[info.path], params=params, version=ANALYSIS_VERSION)
    hit = cache.load("movie", key, required=REQUIRED, validate=check_entry)
    if hit is not None:
        arrays, meta = hit
        return _unpack(info, arrays, meta)
    from .shots import detect_shots

    consumers = [c for b in backends for c in b.frame_consumers(info)]
    shots, decoded = detect_shots(info.path, detector=detector, extra_consumers=consumers,
                                  reporter=reporter)
    state: Dict[str, np.ndarray] = {}
    for b in backends:
        state.update(b.frame_state())
    arrays = {
        "shots": shots.shots, "scenes": shots.scenes, "transitions": shots.transitions,
        "kinds": np.array([_KINDS.index(k) for k in shots.kinds], np.int8),
        "frame_times_s": decoded.frame_times_s,
        **{f"state_{k}": v for k, v in state.items()},
    }
    meta = {"fps": f"{shots.fps.numerator}/{shots.fps.denominator}",
            "frame_count": decoded.info.frame_count, "duration_s": decoded.info.duration_s,
            "detector": detector}
    reporter.check()  # a cancel here must not leave an entry behind
    cache.save("movie", key, arrays, meta)
    return _unpack(info, arrays, meta)


def check_entry(arrays, meta) -> None:
    """Raise ValueError unless a cached entry describes a usable shot list."""
    fps, n = Fraction(meta["fps"]), meta["frame_count"]
    if fps <= 0 or not isinstance(n, int) or n < 1 or not np.isfinite(meta["duration_s"]) \
            or not float(meta["duration_s"]) > 0:
        raise ValueError("bad fps, frame count or duration")
    shots, kinds = arrays["shots"], arrays["kinds"]
    if len(shots) < 1 or shots[0, 0] != 0 or shots[-1, 1] != n \
            or (shots[1:, 0] != shots[:-1, 1]).any() or (shots[:, 1] <= shots[:, 0]).any():
        raise ValueError("shots do not cover the movie")
    if len(kinds) != len(shots) or len(arrays["scenes"]) != len(shots) \
            or ((kinds < 0) | (kinds >= len(_KINDS))).any() or arrays["transitions"].size % 2:
        raise ValueError("kinds, scenes or transitions do not fit the shots")
    for name, a in arrays.items():
        if name.startswith("state_") and (a.dtype.kind not in "iufb" or (
                a.dtype.kind == "f" and np.isnan(a).any())):
            raise ValueError(f"{name} is not numeric or holds NaN")


def _unpack(info: VideoInfo, arrays, meta) -> Tuple[VideoInfo, ShotList, Dict[str, np.ndarray]]:
    fps = Fraction(meta["fps"])
    info = VideoInfo(**{**info.__dict__, "frame_count": int(meta["frame_count"]),
                        "duration_s": float(meta["duration_s"])})
    shots = ShotList(fps=fps, frame_count=info.frame_count, shots=arrays["shots"].astype(np.int64),
                     kinds=[_KINDS[k] for k in arrays["kinds"]],
                     scenes=arrays["scenes"].astype(np.int64),
                     transitions=arrays["transitions"].astype(np.int64).reshape(-1, 2),
                     frame_times_s=arrays["frame_times_s"])
    state = {k[len("state_"):]: v for k, v in arrays.items() if k.startswith("state_")}
    return info, shots, state
