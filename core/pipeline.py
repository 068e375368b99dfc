"""The whole job: movie + music -> cut plan + OTIO timeline. Front ends (CLI, panel) call this.

Each stage reads from and writes to the content-keyed cache, so a re-run with another music track
never decodes the movie again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional

import numpy as np

from .model import Assignment, CutPlan, MusicAnalysis, ShotList, VideoInfo
from .options import SuggestOptions
from .options import validate as _validate
from .progress import Reporter


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
    waveform: np.ndarray  # (bins, 2) min/max envelope over the whole track


@dataclass
class SuggestResult:
    """Everything a front end shows or writes after one run."""

    movie: MovieAnalysis
    music: MusicResult
    assignment: Assignment
    plan: CutPlan
    timeline: object  # opentimelineio.schema.Timeline


def _cache(options: SuggestOptions):
    from .cache import StageCache
    return StageCache(options.cache_dir)


def analyze_movie(path: str, options: Optional[SuggestOptions] = None,
                  reporter: Optional[Reporter] = None) -> MovieAnalysis:
    """Shots and per-shot features of ``path``: from the cache, or from one decode pass.

    The built-in ``affect`` consumers always ride along (their cues explain choices and rate
    frames); the chosen backend's consumers join them in the same pass.
    """
    from . import movie_cache
    from .features import get_backend
    from .media import probe_video
    from .progress import ensure_reporter

    options = options or SuggestOptions()
    reporter = ensure_reporter(reporter)
    info = probe_video(path)
    backend = get_backend(options.backend, **options.backend_options)
    info, shots, state = movie_cache.load_or_analyze(info, backend, options.detector,
                                                     _cache(options), reporter)
    from .features.affect import AffectBackend
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


def analyze_music_track(path: str, options: Optional[SuggestOptions] = None,
                        reporter: Optional[Reporter] = None) -> MusicResult:
    """Beats, sections, planned cuts and per-segment features of a music track (cached)."""
    from . import music_cache
    from .features import get_backend
    from .progress import ensure_reporter

    options = options or SuggestOptions()
    reporter = ensure_reporter(reporter)
    backend = get_backend(options.backend, **options.backend_options)
    return music_cache.load_or_analyze(path, backend, options.pace, _cache(options), reporter,
                                       segmentation=options.segmentation)


def suggest(movie_path: str, music_path: str, options: Optional[SuggestOptions] = None,
            reporter: Optional[Reporter] = None) -> SuggestResult:
    """Suggest a trailer: analyse (or reuse) both inputs, choose shots, assemble, make a timeline.

    Raises MediaError / ParameterError / ModelUnavailableError with a message that says what to
    do, and Cancelled when the reporter's token is cancelled. Writes nothing but cache entries.
    """
    import os

    from . import selection
    from .assemble import assemble
    from .explain import explain_clips
    from .generators import get_generator
    from .progress import ensure_reporter
    from .timeline import build_timeline

    options = options or SuggestOptions()
    _validate(options)
    reporter = ensure_reporter(reporter)
    generator = get_generator(options.generator)
    # Cheap checks of both inputs before minutes of analysis.
    from .media import check_file, probe_video
    probe_video(movie_path)
    check_file(music_path, "Music")
    music = analyze_music_track(music_path, options, reporter)
    movie = analyze_movie(movie_path, options, reporter)
    reporter.report("Choosing shots", 0, 1)
    problem, usable_end = selection.build_problem(movie, music, options.spoiler_guard)
    assignment = generator(problem, rng=np.random.default_rng(options.seed),
                           **options.generator_options)
    reporter.report("Assembling", 0, 1)
    plan = assemble(assignment, movie.shots, music.analysis, movie.info, usable_end=usable_end,
                    quality=movie.shot_quality, eligible=problem.eligible,
                    frame_value=selection.frame_values(movie, usable_end))
    explain_clips(plan, movie, music)
    name = (f"Trailer - {os.path.splitext(os.path.basename(movie_path))[0]} x "
            f"{os.path.splitext(os.path.basename(music_path))[0]}")
    timeline = build_timeline(plan, name=name)
    reporter.report("Done", 1, 1)
    return SuggestResult(movie=movie, music=music, assignment=assignment, plan=plan,
                         timeline=timeline)
