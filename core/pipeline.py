"""The whole job: movie + music -> cut plan + OTIO timeline. Front ends (CLI, panel) call this.

The analysis stages (:mod:`trailersmith.core.stages`) read from and write to the content-keyed
cache, so a re-run with another music track never decodes the movie again; then the problem
(:mod:`trailersmith.core.problem`), a generator, assembly and the timeline.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from .model import Assignment, CutPlan
from .options import SuggestOptions
from .options import validate as _validate
from .progress import Reporter

# Re-exported: callers (the CLI's analyze/music commands) still import the stages from here.
from .stages import MovieAnalysis, MusicResult, analyze_movie, analyze_music_track  # noqa: F401


@dataclass
class SuggestResult:
    """Everything a front end shows or writes after one run."""

    movie: MovieAnalysis
    music: MusicResult
    assignment: Assignment
    plan: CutPlan
    timeline: object  # opentimelineio.schema.Timeline


def suggest(movie_path: str, music_path: str, options: Optional[SuggestOptions] = None,
            reporter: Optional[Reporter] = None) -> SuggestResult:
    """Suggest a trailer: analyse (or reuse) both inputs, choose shots, assemble, make a timeline.

    Raises MediaError / ParameterError / ModelUnavailableError with a message that says what to
    do, and Cancelled when the reporter's token is cancelled. Writes nothing but cache entries.
    """

    from . import problem as problems
    from .assemble import assemble
    from .explain import explain_clips
    from .generators import get_generator
    from .progress import ensure_reporter

    options = options or SuggestOptions()
    _validate(options)
    reporter = ensure_reporter(reporter)
    generator = get_generator(options.generator)
    # Cheap checks of both inputs before minutes of analysis.
    from .media import check_file, probe_video
    probe_video(movie_path)
    check_file(music_path, "Music")
    music = analyze_music_track(music_path, options, reporter)
    title_s = title_start(music, options)  # a title too long for the music fails before the movie
    movie = analyze_movie(movie_path, options, reporter)
    reporter.report("Choosing shots", 0, 1)
    filled = problems.shots_music(music, title_s)  # with a title card: the music before it
    # More segments than usable shots: long shots offer several non-overlapping windows.
    windows, parent = problems.windowed_movie(movie, filled, options.spoiler_guard)
    problem, usable_end = problems.build_problem(windows, filled, options.spoiler_guard)
    assignment = generator(problem, rng=np.random.default_rng(options.seed),
                           **options.generator_options)
    reporter.report("Assembling", 0, 1)
    from .features.speech import cut_costs
    plan = assemble(assignment, windows.shots, music.analysis, movie.info, usable_end=usable_end,
                    quality=windows.shot_quality, eligible=problem.eligible,
                    frame_value=problems.frame_values(movie, usable_end),
                    cut_cost=cut_costs(movie.frame_state, movie.shots.frame_times_s,
                                       float(movie.shots.fps)),
                    filled=None if title_s is None else filled.analysis)
    for clip in plan.clips:  # windows back to the movie's own shots
        clip.shot = int(parent[clip.shot])
        grown = [int(parent[s]) for s in clip.extended_with]
        clip.extended_with = [s for k, s in enumerate(grown) if s != clip.shot
                              and s not in grown[:k]]
    assignment.shots = parent[np.asarray(assignment.shots, np.int64)]
    plan.music_edits = music.edits
    explain_clips(plan, movie, music)
    timeline = plan_timeline(plan, music, options, title="Trailer", movie_path=movie_path,
                             music_path=music_path)
    reporter.report("Done", 1, 1)
    return SuggestResult(movie=movie, music=music, assignment=assignment, plan=plan,
                         timeline=timeline)


def title_start(music, options) -> Optional[float]:
    """Where the title card starts on the (edited) music, or None without ``--title-card``."""
    if not options.title_card:
        return None
    from .music.title import title_start_s
    return title_start_s(music.analysis, music.waveform, float(options.title_card))


def plan_timeline(plan, music, options, *, title: str, movie_path: str, music_path: str):
    """The OTIO timeline of ``plan``, named "TITLE - movie x music", with the options' tracks
    and markers (the movie's own sound, beat markers on the music)."""
    import os

    from .timeline import build_timeline

    def stem(path: str) -> str:
        return os.path.splitext(os.path.basename(path))[0]

    return build_timeline(plan, name=f"{title} - {stem(movie_path)} x {stem(music_path)}",
                          source_audio=options.source_audio == "on",
                          beat_markers=options.beat_markers, beats_s=music.analysis.beats_s,
                          downbeats_s=music.analysis.downbeats_s)
