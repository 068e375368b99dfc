"""What the panel runs in the background: the pipeline, then thumbnails of the chosen shots.

Plain functions of a reporter, no Qt: :class:`~trailersmith.plugin.worker.JobRunner` runs them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional

import numpy as np
from trailersmith.core.progress import Reporter

from .thumbnails import frame_time, grab_thumbnails


@dataclass
class PanelRun:
    """One finished "Suggest trailer": the pipeline's result plus what the panel draws."""

    movie_path: str
    music_path: str
    options: object  # SuggestOptions
    result: object  # SuggestResult
    thumbnails: List[np.ndarray] = field(default_factory=list)
    elapsed_s: float = 0.0


def default_suggest():
    """The pipeline's ``suggest`` (imported late: it pulls in numpy-heavy modules)."""
    from trailersmith.core.pipeline import suggest

    return suggest


def suggest_job(movie_path: str, music_path: str, options, *, thumbnail_width: int = 112,
                suggest: Optional[Callable] = None) -> Callable[[Reporter], PanelRun]:
    """A job for the worker: run ``suggest`` and grab one thumbnail per placed clip."""

    def job(reporter: Reporter) -> PanelRun:
        started = time.monotonic()
        run_suggest = suggest or default_suggest()
        result = run_suggest(movie_path, music_path, options=options, reporter=reporter)
        plan = result.plan
        times = [frame_time((c.source_start + c.source_end - 1) // 2, plan.fps,
                            plan.frame_times_s) for c in plan.clips]
        pictures = grab_thumbnails(plan.movie.path, times, width=thumbnail_width,
                                   reporter=reporter)
        return PanelRun(movie_path=movie_path, music_path=music_path, options=options,
                        result=result, thumbnails=pictures,
                        elapsed_s=time.monotonic() - started)

    return job


def recut_job(edited_path: str, music_path: str, options, *, movie_path: Optional[str] = None,
              thumbnail_width: int = 112) -> Callable[[Reporter], PanelRun]:
    """A job for the worker: re-cut the edited timeline at ``edited_path`` to ``music_path``."""

    def job(reporter: Reporter) -> PanelRun:
        from trailersmith.adapters.formats import read_timeline
        from trailersmith.core.recut import recut

        started = time.monotonic()
        edited = read_timeline(edited_path)
        result = recut(edited, music_path, options, reporter, movie_path=movie_path)
        plan = result.plan
        times = [frame_time((c.source_start + c.source_end - 1) // 2, plan.fps,
                            plan.frame_times_s) for c in plan.clips]
        pictures = grab_thumbnails(plan.movie.path, times, width=thumbnail_width,
                                   reporter=reporter)
        return PanelRun(movie_path=plan.movie.path, music_path=music_path, options=options,
                        result=result, thumbnails=pictures,
                        elapsed_s=time.monotonic() - started)

    return job


def recut_summary(report) -> str:
    """One sentence on what a re-cut did with the editor's clips."""
    n = report.counts()
    return (f"Re-cut keeping your edits: {n['kept']} kept exactly, {n['moved']} moved, "
            f"{n['retimed']} re-timed, {n['dropped']} dropped, {n['filled']} new shots filled in.")


def describe_clip(clip, plan) -> str:
    """The sentence shown when an editor clicks a shot: where it comes from and why."""
    from trailersmith.core.timebase import frames_to_timecode, is_drop_frame_timecode
    from trailersmith.core.timeline import source_start_frame

    first = source_start_frame(plan, clip.source_start)  # timecode-aware, VFR-aware
    # Drop-frame when the movie's own timecode is (29.97/59.94 with ';'), as the editor shows it.
    drop = is_drop_frame_timecode(getattr(plan.movie, "start_timecode", None))
    tc_in = frames_to_timecode(first, plan.fps, drop_frame=drop)
    tc_out = frames_to_timecode(first + clip.length, plan.fps, drop_frame=drop)
    at = frames_to_timecode(clip.record_start, plan.fps, drop_frame=drop)
    # Shot, scene and segment numbers as the timeline's own markers and reasons give them.
    text = (f"Shot {clip.shot} (scene {clip.scene}), source {tc_in} - {tc_out} "
            f"({clip.length} frames), placed at {at} under music segment {clip.segment}. "
            f"Why: {clip.reason or f'best match for this segment, score {clip.score:.2f}'}")
    if clip.extended_with and "extended" not in (clip.reason or "").lower():
        text += f" Extended with shot(s) {', '.join(str(s) for s in clip.extended_with)}."
    return text
