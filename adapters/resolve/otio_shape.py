"""Give an OTIO timeline the shape DaVinci Resolve's own OTIO export has, and check that shape.

Resolve (18.5+) imports ``.otio`` but silently rejects one that does not look like its own
export: clip source ranges in the media's own timecode, media references keyed ``DEFAULT_MEDIA``
with an ``available_range``, bare absolute paths (not ``file://`` URLs), ``global_start_time``
set, and tracks named "Video 1", "Audio 1". Format: https://opentimelineio.readthedocs.io/ and the
``Resolve_OTIO`` metadata keys Resolve writes into its exports.

No Resolve handle here: this module works on files and OTIO objects only.
"""
from __future__ import annotations

import os
from typing import Callable, List, Optional

from ...core.errors import MediaError, ParameterError, one_line
from ...core.timebase import rescale_frames, seconds_to_frames, timecode_to_frames

# The shape is written once, where the timeline is built (core may not import adapters).
from ...core.timeline import MEDIA_KEY, TIMELINE_START_TIMECODE, is_title_card, track_name
from .._files import url_to_path

DEFAULT_KEY = MEDIA_KEY

# (path, rate) -> (start_frame, frame_count) of the media at ``rate``; swapped out by tests.
MediaRange = Callable[[str, float], tuple]


def bare_path(url: str) -> str:
    """``file:///a/b%20c.mp4`` or a relative path -> the absolute path Resolve expects."""
    return url_to_path(url)


def probe_media_range(path: str, rate: float) -> tuple:
    """``(start_frame, frame_count)`` of a media file at ``rate`` (timecode-aware for video).

    Raises :class:`MediaError` when the file cannot be read.
    """
    import av

    from ...core.media import probe_video

    try:
        with av.open(path) as container:
            has_video = bool(container.streams.video)
            duration = (container.duration or 0) / 1_000_000
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"Cannot read {one_line(path)} ({exc.__class__.__name__}); is the "
                         "file still there and complete?") from None
    if has_video:
        info = probe_video(path)
        return (rescale_frames(info.start_frame, info.fps, rate),
                rescale_frames(info.frame_count, info.fps, rate))
    return 0, seconds_to_frames(duration, rate)


def to_resolve_shape(timeline, *, media_range: Optional[MediaRange] = None):
    """Return a copy of ``timeline`` shaped like Resolve's own OTIO export.

    Source ranges are kept as they are (they must already be in the media's timecode; a range
    outside the media is reported by :func:`resolve_shape_problems`). Timeline-level markers are
    dropped from the copy: the Resolve host adds section markers through the API instead, so
    they are not doubled. A title card's placeholder becomes a gap: Resolve's OTIO import needs
    a media file behind every clip, so the host marks the title's place instead
    (:func:`title_card_range`).
    """
    import opentimelineio as otio

    media_range = media_range or probe_media_range
    shaped = timeline.deepcopy()
    rate = _timeline_rate(shaped)
    if shaped.global_start_time is None:
        shaped.global_start_time = otio.opentime.RationalTime(
            timecode_to_frames(TIMELINE_START_TIMECODE, rate), rate)
    meta = dict(shaped.metadata.get("Resolve_OTIO", {}))
    meta.setdefault("Resolve OTIO Meta Version", "1.0")
    shaped.metadata["Resolve_OTIO"] = meta
    del shaped.tracks.markers[:]
    counts = {}
    for track in shaped.tracks:
        kind = "Video" if track.kind == otio.schema.TrackKind.Video else "Audio"
        counts[kind] = counts.get(kind, 0) + 1
        track.name = track_name(kind, counts[kind])
        track.metadata["Resolve_OTIO"] = {"Locked": False, **track.metadata.get("Resolve_OTIO", {})}
        del track.markers[:]
        for clip in track.find_clips():
            if is_title_card(clip):
                index = track.index(clip)
                track[index] = otio.schema.Gap(source_range=otio.opentime.TimeRange(
                    duration=clip.duration()))
                continue
            _shape_reference(clip, rate, media_range)
    return shaped


def title_card_range(timeline) -> Optional[tuple]:
    """``(start_frame, length, note)`` of the title card's placeholder, frames from the
    timeline's start; None without one."""
    rate = _timeline_rate(timeline)
    for track in timeline.tracks:
        for clip in track.find_clips():
            if is_title_card(clip):
                where = track.range_of_child(clip)
                note = next((m.comment for m in clip.markers if m.comment), clip.name)
                return (int(round(where.start_time.rescaled_to(rate).value)),
                        int(round(where.duration.rescaled_to(rate).value)), note)
    return None


def _timeline_rate(timeline) -> float:
    if timeline.global_start_time is not None:
        return timeline.global_start_time.rate
    for clip in timeline.find_clips():
        if clip.source_range is not None:
            return clip.source_range.duration.rate
    raise ParameterError("The timeline has no clips; suggest a trailer before sending it.")


def _shape_reference(clip, rate: float, media_range: MediaRange) -> None:
    import opentimelineio as otio

    ref = clip.media_reference
    if not isinstance(ref, otio.schema.ExternalReference):
        raise ParameterError(f"Clip {clip.name!r} has no linked media file; Resolve needs one.")
    path = bare_path(ref.target_url)
    available = ref.available_range
    if available is None:
        start, count = media_range(path, rate)
        available = otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate),
                                            otio.opentime.RationalTime(count, rate))
    shaped = otio.schema.ExternalReference(target_url=path, available_range=available)
    shaped.name = ref.name or os.path.basename(path)
    shaped.metadata.update(ref.metadata)
    clip.set_media_references({DEFAULT_KEY: shaped}, DEFAULT_KEY)


def resolve_shape_problems(timeline) -> List[str]:
    """Every way ``timeline`` differs from the shape Resolve imports; empty when it is fine."""
    import opentimelineio as otio

    problems = []
    if timeline.global_start_time is None:
        problems.append("global_start_time is not set")
    counts = {}
    for track in timeline.tracks:
        kind = "Video" if track.kind == otio.schema.TrackKind.Video else "Audio"
        counts[kind] = counts.get(kind, 0) + 1
        if track.name != track_name(kind, counts[kind]):
            problems.append(f"track {track.name!r} should be named "
                            f"'{track_name(kind, counts[kind])}'")
        for clip in track.find_clips():
            problems.extend(_clip_problems(clip))
    for kind in ("Video", "Audio"):
        if not counts.get(kind):
            problems.append(f"no '{track_name(kind, 1)}' track")
    return problems


def _clip_problems(clip) -> List[str]:
    import opentimelineio as otio

    where = f"clip {clip.name!r}"
    if clip.active_media_reference_key != DEFAULT_KEY or DEFAULT_KEY not in clip.media_references():
        return [f"{where}: media reference is not keyed {DEFAULT_KEY}"]
    ref = clip.media_references()[DEFAULT_KEY]
    if not isinstance(ref, otio.schema.ExternalReference):
        return [f"{where}: media reference is not an ExternalReference"]
    problems = []
    url = ref.target_url or ""
    if "://" in url or not os.path.isabs(url):
        problems.append(f"{where}: path {url!r} is not a bare absolute path")
    available = ref.available_range
    if available is None:
        problems.append(f"{where}: media reference has no available_range")
    elif clip.source_range is not None:
        src = clip.source_range
        start = src.start_time.rescaled_to(available.start_time.rate).value
        end = src.end_time_exclusive().rescaled_to(available.start_time.rate).value
        lo = available.start_time.value
        hi = lo + available.duration.value
        if start < lo - 1e-6 or end > hi + 1e-6:
            problems.append(f"{where}: source range {start:g}-{end:g} lies outside the media's "
                            f"timecode range {lo:g}-{hi:g}")
    if clip.source_range is None:
        problems.append(f"{where}: no source_range")
    return problems
