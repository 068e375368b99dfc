"""The analysis stages: a movie's shots and features, a track's rhythm and features, cached.

``analyze_movie`` and ``analyze_music_track`` are what ``suggest``, ``analyze``/``music``, the
panel and the dataset builder all call, so every consumer sees the same features. Each reads
its result from the content-keyed :class:`~trailersmith.core.cache.StageCache` or computes and
stores it; a re-run with another track never decodes the movie again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .model import MusicAnalysis, ShotList, VideoInfo
from .progress import Reporter
from .stage_entries import (
    MOVIE_REQUIRED,
    MUSIC_REQUIRED,
    SHOT_KINDS,
    check_movie_entry,
    check_music_entry,
)

#: Bump when the stored per-frame state changes (2: text-overlay scores, ``affect_text``).
MOVIE_ANALYSIS_VERSION = "2"
_WAVEFORM_BINS = 2000


@dataclass
class MovieAnalysis:
    """A movie's shots and per-shot features (from the cache or one decode pass)."""

    info: VideoInfo
    shots: ShotList
    shot_features: np.ndarray
    shot_quality: np.ndarray
    shot_cues: Dict[str, np.ndarray]
    frame_state: Dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class MusicResult:
    """A track's analysis, per-segment features, and a waveform envelope for drawing."""

    analysis: MusicAnalysis
    segment_features: np.ndarray
    segment_cues: Dict[str, np.ndarray]
    waveform: np.ndarray  # (bins, 2) min/max envelope over the whole track (as edited)
    #: With a spot length: the edit's source ranges ``[(start_s, end_s), ...]`` played back to
    #: back; ``analysis`` is then on the edited time line. None: the whole track.
    edits: Optional[list] = None


def _options(options):
    if options is not None:
        return options
    from .options import SuggestOptions
    return SuggestOptions()


def _cache(options):
    from .cache import StageCache
    return StageCache(options.cache_dir)


def analyze_movie(path: str, options=None, reporter: Optional[Reporter] = None, *,
                  extra_consumers: Sequence = ()) -> MovieAnalysis:
    """Shots and per-shot features of ``path``: from the cache, or from one decode pass.

    Parameters
    ----------
    path : str
        The movie file.
    options : SuggestOptions, optional
        ``detector``, ``backend``, ``backend_options`` and ``cache_dir`` are read.
    reporter : Reporter, optional
        Progress and cancellation.
    extra_consumers : sequence, optional
        More frame consumers for the same decode pass (the dataset builder's frame matcher);
        given any, the movie is decoded even on a cache hit, and the entry is refreshed.

    The built-in ``affect`` consumers always ride along (their cues explain choices and rate
    frames); the chosen backend's consumers join them in the same pass.
    """
    from .features import get_backend
    from .features.affect import AffectBackend
    from .media import probe_video
    from .progress import ensure_reporter

    options = _options(options)
    reporter = ensure_reporter(reporter)
    info = probe_video(path)
    backend = get_backend(options.backend, **options.backend_options)
    info, shots, state = _load_or_decode_movie(info, backend, options.detector, _cache(options),
                                               reporter, list(extra_consumers))
    affect = backend if isinstance(backend, AffectBackend) else AffectBackend()
    affect_features, quality, cues = affect.shot_features(state, shots)
    cues["watchable"] = quality  # eligibility: black, blank and credit shots never qualify
    features = affect_features
    if backend is not affect:
        features, backend_quality, backend_cues = backend.shot_features(state, shots)
        quality = quality * backend_quality  # e.g. prompt matches raise or lower a shot's worth
        cues = {**cues, **backend_cues}
    return MovieAnalysis(info=info, shots=shots, shot_features=features, shot_quality=quality,
                         shot_cues=cues, frame_state=state)


def _backends(backend) -> list:
    from .features.affect import AffectBackend
    if isinstance(backend, AffectBackend):
        return [backend]
    return [AffectBackend(), backend]


def _load_or_decode_movie(info: VideoInfo, backend, detector: str, cache, reporter: Reporter,
                          extra: list) -> Tuple[VideoInfo, ShotList, Dict[str, np.ndarray]]:
    """``(info, shots, per-frame state)`` for the movie, decoding it only when needed."""
    from .shots import DETECTOR_VERSIONS, resolve_detector

    detector = resolve_detector(detector)
    backends = _backends(backend)
    params = {"detector": (detector, DETECTOR_VERSIONS[detector]),
              "backends": [(b.name, b.version) for b in backends]}
    reporter.report("Checking the analysis cache", 0, 1)
    key = cache.key("movie", files=[info.path], params=params, version=MOVIE_ANALYSIS_VERSION)
    hit = None if extra else cache.load("movie", key, required=MOVIE_REQUIRED,
                                          validate=check_movie_entry)
    if hit is not None:
        arrays, meta = hit
        return _unpack_movie(info, arrays, meta)
    from .shots import detect_shots

    consumers = [c for b in backends for c in b.frame_consumers(info)] + extra
    shots, decoded = detect_shots(info.path, detector=detector, extra_consumers=consumers,
                                  reporter=reporter)
    state: Dict[str, np.ndarray] = {}
    for b in backends:
        state.update(b.frame_state())
    arrays = {
        "shots": shots.shots, "scenes": shots.scenes, "transitions": shots.transitions,
        "kinds": np.array([SHOT_KINDS.index(k) for k in shots.kinds], np.int8),
        "frame_times_s": decoded.frame_times_s,
        **{f"state_{k}": v for k, v in state.items()},
    }
    meta = {"fps": f"{shots.fps.numerator}/{shots.fps.denominator}",
            "frame_count": decoded.info.frame_count, "duration_s": decoded.info.duration_s,
            "detector": detector}
    reporter.check()  # a cancel here must not leave an entry behind
    cache.save("movie", key, arrays, meta)
    return _unpack_movie(info, arrays, meta)


def _unpack_movie(info: VideoInfo, arrays, meta
                  ) -> Tuple[VideoInfo, ShotList, Dict[str, np.ndarray]]:
    fps = Fraction(meta["fps"])
    info = VideoInfo(**{**info.__dict__, "frame_count": int(meta["frame_count"]),
                        "duration_s": float(meta["duration_s"])})
    shots = ShotList(fps=fps, frame_count=info.frame_count, shots=arrays["shots"].astype(np.int64),
                     kinds=[SHOT_KINDS[k] for k in arrays["kinds"]],
                     scenes=arrays["scenes"].astype(np.int64),
                     transitions=arrays["transitions"].astype(np.int64).reshape(-1, 2),
                     frame_times_s=arrays["frame_times_s"])
    state = {k[len("state_"):]: v for k, v in arrays.items() if k.startswith("state_")}
    return info, shots, state


def analyze_music_track(path: str, options=None, reporter: Optional[Reporter] = None, *,
                        length: Optional[float] = None) -> MusicResult:
    """Beats, sections, planned cuts and per-segment features of a music track (cached).

    ``options`` (a SuggestOptions) supplies ``backend``, ``backend_options``, ``pace``,
    ``segmentation``, ``length`` and ``cache_dir``; ``length`` (seconds) given here wins. With a
    length the track is first edited to about that long (:mod:`trailersmith.core.music.edit`):
    the result's analysis, features and waveform are those of the edited music, and ``edits``
    holds its source ranges. Raises :class:`MediaError` for a missing or unreadable file and
    :class:`ParameterError` for bad options.
    """
    import os

    from .features import get_backend
    from .media import check_file
    from .progress import ensure_reporter

    options = _options(options)
    if length is None:
        length = getattr(options, "length", None)
    reporter = ensure_reporter(reporter)
    backend = get_backend(options.backend, **options.backend_options)
    cache = _cache(options)
    path = os.path.abspath(path)
    reporter.report("Analysing the music", 0, 1)
    check_file(path, "Music")
    params = {"pace": options.pace, "segmentation": options.segmentation,
              "backend": (backend.name, backend.version)}
    whole = _music_entry(path, params, None, backend, cache, reporter)
    if length is None:
        return whole
    return _music_entry(path, params, float(length), backend, cache, reporter, whole)


def _music_entry(path, params, length, backend, cache, reporter, whole=None) -> MusicResult:
    """One cached music result: the whole track, or (``length``) its edit to that length."""
    from .media import load_audio
    from .music import ANALYSIS_VERSION, SAMPLE_RATE
    from .music import edit as editing
    from .music.analyze import analyze_music, waveform_envelope

    extra = {} if length is None else {"length": length, "edit": editing.EDIT_VERSION}
    key = cache.key("music", files=[path], version=ANALYSIS_VERSION,
                    params={**params, "sr": SAMPLE_RATE, **extra})
    hit = cache.load("music", key, required=MUSIC_REQUIRED, validate=check_music_entry)
    if hit is not None:
        arrays, meta = hit
        return _unpack_music(path, arrays, meta)
    y = load_audio(path, SAMPLE_RATE)
    ranges = None
    if length is None:
        analysis = analyze_music(y=y, sr=SAMPLE_RATE, pace=params["pace"],
                                 segmentation=params["segmentation"], reporter=reporter)
        analysis.path = path
    else:
        source = whole.analysis
        plan = editing.plan_edit(source, length, editing.bar_loudness_db(y, SAMPLE_RATE, source))
        analysis = editing.edited_analysis(source, plan)
        y = editing.render(y, SAMPLE_RATE, plan)
        ranges = plan.ranges_s
    features, cues = backend.music_features(y, SAMPLE_RATE, analysis)
    arrays = {
        "beats_s": analysis.beats_s, "downbeats_s": analysis.downbeats_s,
        "sections_s": np.asarray(analysis.sections_s, float).reshape(-1, 2),
        "cuts_s": analysis.cuts_s,
        "energy": analysis.energy if analysis.energy is not None else np.zeros(0),
        "segment_features": features, "waveform": waveform_envelope(y, bins=_WAVEFORM_BINS),
        **{f"cue_{k}": np.asarray(v) for k, v in cues.items()},
    }
    if ranges is not None:
        arrays["edit_ranges_s"] = np.asarray(ranges, float).reshape(-1, 2)
    meta = {"duration_s": analysis.duration_s, "sample_rate": analysis.sample_rate,
            "tempo_bpm": analysis.tempo_bpm}
    reporter.check()
    cache.save("music", key, arrays, meta)
    reporter.report("Analysing the music", 1, 1)
    return _unpack_music(path, arrays, meta)


def _unpack_music(path: str, arrays, meta) -> MusicResult:
    energy = arrays["energy"]
    analysis = MusicAnalysis(
        path=path, duration_s=float(meta["duration_s"]), sample_rate=int(meta["sample_rate"]),
        tempo_bpm=float(meta["tempo_bpm"]), beats_s=arrays["beats_s"],
        downbeats_s=arrays["downbeats_s"], sections_s=arrays["sections_s"],
        cuts_s=arrays["cuts_s"], energy=energy if len(energy) else None)
    cues = {k[len("cue_"):]: v for k, v in arrays.items() if k.startswith("cue_")}
    edits = None
    if "edit_ranges_s" in arrays:
        edits = [(float(a), float(b)) for a, b in np.asarray(arrays["edit_ranges_s"])]
    return MusicResult(analysis=analysis, segment_features=arrays["segment_features"],
                       segment_cues=cues, waveform=arrays["waveform"], edits=edits)
