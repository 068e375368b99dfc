"""The one factory for hand-made cut plans: movie shots placed back to back from timeline
frame 0."""
from __future__ import annotations

from fractions import Fraction
from typing import Callable, Optional, Sequence, Tuple, Union

from trailersmith.core.model import CutPlan, PlacedClip, VideoInfo

PerClip = Union[float, str, Sequence, Callable[[int], object], None]


def video_info(*, path: str = "/media/films/feature.mov", fps=Fraction(24), frame_count: int = 5000,
               width: int = 1920, height: int = 1080, start_frame: int = 0,
               start_timecode: Optional[str] = None, duration_s: Optional[float] = None,
               **extra) -> VideoInfo:
    """A movie that need not exist: ``duration_s`` follows ``frame_count`` and ``fps``."""
    fps = Fraction(fps)
    if duration_s is None:
        duration_s = frame_count / float(fps)
    return VideoInfo(path=str(path), fps=fps, frame_count=frame_count, width=width, height=height,
                     duration_s=duration_s, start_frame=start_frame,
                     start_timecode=start_timecode, **extra)


def _each(value: PerClip, j: int, default):
    if value is None:
        return default
    if callable(value):
        return value(j)
    if isinstance(value, (str, int, float)):
        return value
    return value[j]


def plan_from_sources(movie: VideoInfo, sources: Sequence[Tuple[int, int]], *,
                      music_path="/media/music/track.ogg",
                      music_duration_s: Optional[float] = None,
                      sections: Optional[Sequence[tuple]] = None,
                      shots: PerClip = None, scenes: PerClip = None, scores: PerClip = 0.5,
                      reasons: PerClip = "test", extended_with: PerClip = None,
                      fps: Optional[Fraction] = None, frame_times=None) -> CutPlan:
    """Clip ``j`` shows source frames ``sources[j] = (first, end)`` right after clip ``j - 1``.

    ``shots``, ``scenes``, ``scores``, ``reasons`` and ``extended_with`` are one value for every
    clip, a sequence indexed by clip, or a function of the clip index; shots and scenes default to
    the clip index. The music lasts as long as the clips unless ``music_duration_s`` says
    otherwise; ``sections`` default to one section over the whole plan.
    """
    fps = Fraction(fps if fps is not None else movie.fps)
    clips, position = [], 0
    for j, (first, end) in enumerate(sources):
        first, end = int(first), int(end)
        clips.append(PlacedClip(segment=j, shot=int(_each(shots, j, j)),
                                scene=int(_each(scenes, j, j)), source_start=first,
                                source_end=end, record_start=position,
                                record_end=position + end - first,
                                score=float(_each(scores, j, 0.5)),
                                reason=str(_each(reasons, j, "test")),
                                extended_with=list(_each(extended_with, j, []))))
        position += end - first
    if music_duration_s is None:
        music_duration_s = position / float(fps)
    if sections is None:
        sections = [(0, position, "all")]
    return CutPlan(movie=movie, music_path=str(music_path), music_duration_s=music_duration_s,
                   fps=fps, duration_frames=position, clips=clips, sections=list(sections),
                   frame_times_s=frame_times)
