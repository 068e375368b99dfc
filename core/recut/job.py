"""``recut``: an edited Trailersmith timeline + a new music track -> a new timeline and a report."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import ParameterError
from ..model import CutPlan
from ..progress import Reporter, ensure_reporter
from .edited import read_edited_clips, timeline_movie_path
from .fill import fill, segment_of
from .retime import RecutReport, retime

#: Shortest clip a re-cut makes, in seconds (the music planner's shortest shot).
MIN_CLIP_S = 0.5


@dataclass
class RecutResult:
    """The new plan and timeline, the analyses it used, and what happened to each edited clip."""

    plan: CutPlan
    timeline: object
    report: RecutReport
    movie: object
    music: object


def _stages():
    from .. import stages
    return stages


def recut(edited_timeline, music_path: str, options=None, reporter: Optional[Reporter] = None,
          *, movie_path: Optional[str] = None) -> RecutResult:
    """Re-time the editor's clips of ``edited_timeline`` to ``music_path``; fill the rest.

    The editor's clips come back in the editor's order, each on one segment of the new track;
    kept ones (a ``keep`` marker) with their exact source in-point and length. Segments the
    editor's clips do not reach get new shots that avoid every frame already used. Nothing after
    the spoiler guard is used. Writes nothing but cache entries.
    """
    from ..assemble import plan_length, segment_frames
    from ..explain import explain_clips
    from ..generators import get_generator
    from ..options import SuggestOptions, validate
    from ..pipeline import plan_timeline, title_start
    from ..problem import build_problem, frame_values, shots_music

    stages = _stages()
    explicit_movie = movie_path is not None
    options = validate(options or SuggestOptions())
    reporter = ensure_reporter(reporter)
    movie_path = movie_path or timeline_movie_path(edited_timeline)
    if not movie_path or not os.path.isfile(movie_path):
        raise ParameterError(f"The movie of the edited timeline ({movie_path!r}) is not found; "
                             "pass --movie PATH.")
    generator = get_generator(options.generator)
    music = stages.analyze_music_track(music_path, options, reporter)
    title_s = title_start(music, options)  # --title-card: the shots stop at the last hit
    filled = shots_music(music, title_s)
    movie = stages.analyze_movie(movie_path, options, reporter)
    reporter.report("Re-cutting", 0, 1)
    shots, info = movie.shots, movie.info
    fps = shots.fps
    edited, skipped = read_edited_clips(edited_timeline, movie_path=movie_path, fps=fps,
                                        start_frame=info.start_frame,
                                        frame_times_s=shots.frame_times_s
                                        if info.variable_frame_rate else None,
                                        unnamed_are_movie=explicit_movie)
    problem, usable_end = build_problem(movie, filled, options.spoiler_guard)
    planned = segment_frames(filled.analysis, fps)
    beats = np.round(np.asarray(filled.analysis.beats_s, float) * float(fps)).astype(np.int64)
    usable = np.zeros(shots.frame_count, bool)
    usable[:usable_end] = True
    min_len = max(1, int(round(MIN_CLIP_S * float(fps))))
    placed, rest, report = retime(edited, planned_edges=planned, beats=beats, usable=usable,
                                  min_len=min_len)
    report.skipped = skipped
    if len(rest) >= 2:
        from ..features.speech import cut_costs

        placed += fill(problem, rest, planned, free=usable, movie=movie, music=filled,
                       usable_end=usable_end, generator=generator,
                       rng=np.random.default_rng(options.seed),
                       frame_value=frame_values(movie, usable_end),
                       cut_cost=cut_costs(movie.frame_state, shots.frame_times_s, float(fps)))
        report.filled = [(int(a), int(b)) for a, b in zip(rest[:-1], rest[1:])]
    placed.sort(key=lambda c: c.record_start)
    owner = np.searchsorted(shots.shots[:, 0], [c.source_start for c in placed], side="right") - 1
    segments = segment_of(np.array([(c.record_start + c.record_end) // 2 for c in placed]),
                          planned)
    for clip, shot, segment in zip(placed, owner, segments):
        if clip.shot < 0:
            clip.shot = int(shot)
        clip.scene = int(shots.scenes[clip.shot])
        clip.segment = int(segment)
    sections = [(int(round(a * fps)), int(round(b * fps)), f"Section {k + 1}")
                for k, (a, b) in enumerate(np.asarray(music.analysis.sections_s).reshape(-1, 2))]
    end, title = plan_length(int(planned[-1]), music.analysis, fps, titled=title_s is not None)
    plan = CutPlan(movie=info, music_path=music.analysis.path,
                   music_duration_s=music.analysis.duration_s, fps=fps,
                   duration_frames=end, clips=placed, sections=sections,
                   frame_times_s=shots.frame_times_s if info.variable_frame_rate else None,
                   title_start_frame=title)
    explain_clips(plan, movie, music)
    timeline = plan_timeline(plan, music, options, title="Re-cut", movie_path=movie_path,
                             music_path=music_path)
    reporter.report("Done", 1, 1)
    return RecutResult(plan=plan, timeline=timeline, report=report, movie=movie, music=music)
