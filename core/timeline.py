"""Turn an assembled :class:`~trailersmith.core.model.CutPlan` into an OpenTimelineIO timeline.

The timeline is shaped like DaVinci Resolve's own OTIO export, because Resolve silently rejects
anything else: tracks "Video 1" and "Audio 1", clip source ranges in the media's own timecode (a
file starting at 01:00:00:00 at 24 fps begins at frame 86400), each clip's reference under the
``DEFAULT_MEDIA`` key with an ``available_range``, bare absolute paths, and ``global_start_time``
at 01:00:00:00. Every time is a whole frame at the plan's rate.
"""
from __future__ import annotations

import os
from fractions import Fraction
from typing import Optional, Sequence

from .errors import ParameterError
from .model import CutPlan, PlacedClip
from .timebase import (
    as_rate,
    frames_to_seconds,
    rate_text,
    rational_time,
    seconds_to_frames,
    time_range,
    timecode_to_frames,
)

# Resolve's timeline shape, written once (adapters/resolve/otio_shape.py checks against these).
TIMELINE_START_TIMECODE = "01:00:00:00"  # where a new Resolve timeline starts
MEDIA_KEY = "DEFAULT_MEDIA"  # the media-reference key Resolve's own exports use
METADATA_KEY = "trailersmith"


def track_name(kind: str, number: int) -> str:
    """Resolve's track names: ``"Video 1"``, ``"Audio 2"`` (kind is "Video" or "Audio")."""
    return f"{kind} {number}"


VIDEO_TRACK_NAME = track_name("Video", 1)
AUDIO_TRACK_NAME = track_name("Audio", 1)
SOURCE_AUDIO_TRACK_NAME = track_name("Audio", 2)  # the shots' own sound
TITLE_TRACK_NAME = track_name("Video", 2)  # the title card's placeholder, over the shots
TITLE_CLIP_NAME = "TITLE"
#: The placeholder's media: OTIO's generator of a solid colour (no file), black.
TITLE_GENERATOR = "SolidColor"
BEAT_MARKER_CHOICES = ("none", "downbeats", "beats")


def build_timeline(plan: CutPlan, *, name: str, section_labels: Optional[Sequence[str]] = None,
                   source_audio: bool = False, beat_markers: str = "none",
                   beats_s: Sequence[float] = (), downbeats_s: Sequence[float] = ()):
    """Build the trailer timeline: shots on "Video 1", the music on "Audio 1", markers.

    With a title card (``plan.title_start_frame``), "Video 1" ends in a gap from the title's
    start to the music's end, and a last track "Video 2" holds a gap up to it, then one
    placeholder clip named TITLE (:func:`is_title_card`) to the end, with a marker saying so.

    Parameters
    ----------
    plan : CutPlan
        Clips back to back from frame 0 to ``plan.shots_end_frame`` at ``plan.fps``.
    name : str
        Timeline name, as the editor will show it.
    section_labels : sequence of str, optional
        One label per entry of ``plan.sections``, replacing the plan's own labels.
    source_audio : bool
        Also put each shot's own sound on "Audio 2": the same source range as its picture, the
        pair sharing ``metadata["trailersmith"]["link"]`` (writers and the Resolve host link
        them where the format can). Off by default.
    beat_markers : {"none", "downbeats", "beats"}
        Markers on the music clip at the music's downbeats, or at every beat (downbeats named
        so), from ``beats_s`` / ``downbeats_s`` (seconds from the music's start).

    Returns
    -------
    opentimelineio.schema.Timeline
        Frame-exact timeline; per-clip choices under ``metadata["trailersmith"]``.

    Raises
    ------
    ParameterError
        If the plan has gaps or overlaps, does not end where the music ends, uses frames outside
        the movie, ``section_labels`` does not match the sections, ``source_audio`` is asked of a
        movie without sound, or ``beat_markers`` is not one of its choices.
    """
    import opentimelineio as otio

    _check_plan(plan)
    if beat_markers not in BEAT_MARKER_CHOICES:
        raise ParameterError(f"beat_markers must be one of {', '.join(BEAT_MARKER_CHOICES)}, "
                             f"not {beat_markers!r}.")
    if source_audio and not getattr(plan.movie, "has_audio", True):
        raise ParameterError("The movie has no sound of its own; leave --source-audio off.")
    fps = as_rate(plan.fps)
    start = rational_time(timecode_to_frames(TIMELINE_START_TIMECODE, fps), fps)
    timeline = otio.schema.Timeline(name=name, global_start_time=start)
    timeline.metadata[METADATA_KEY] = {
        "fps": rate_text(fps),
        "width": int(plan.movie.width), "height": int(plan.movie.height),
        "movie": os.path.abspath(plan.movie.path), "music": os.path.abspath(plan.music_path),
        "movie_start_frame": int(plan.movie.start_frame),
        "movie_frame_count": int(plan.movie.frame_count),
        "music_duration_s": float(plan.music_duration_s),
        "duration_frames": int(plan.duration_frames), "source_audio": bool(source_audio),
    }
    if plan.title_start_frame is not None:
        timeline.metadata[METADATA_KEY]["title_start_frame"] = int(plan.title_start_frame)

    video = otio.schema.Track(name=VIDEO_TRACK_NAME, kind=otio.schema.TrackKind.Video)
    for placed in plan.clips:
        video.append(_video_clip(plan, placed, fps))
    title = plan.title_start_frame
    if title is not None:
        video.append(otio.schema.Gap(source_range=time_range(0, plan.duration_frames - title, fps)))
    audio = otio.schema.Track(name=AUDIO_TRACK_NAME, kind=otio.schema.TrackKind.Audio)
    if plan.music_edits:  # a spot length: one clip per edit range, markers in each
        for clip, shift, window in _music_edit_clips(plan, fps):
            _add_beat_markers(clip, plan, fps, beat_markers, beats_s, downbeats_s,
                              window=window, shift=shift)
            audio.append(clip)
    else:
        music = _music_clip(plan, fps)
        _add_beat_markers(music, plan, fps, beat_markers, beats_s, downbeats_s)
        audio.append(music)
    timeline.tracks.append(video)
    timeline.tracks.append(audio)
    if source_audio:
        timeline.tracks.append(_source_audio_track(video))
    if title is not None:
        timeline.tracks.append(_title_track(title, int(plan.duration_frames), fps))

    labels = _labels(plan, section_labels)
    for number, ((first, end, _label), label) in enumerate(zip(plan.sections, labels), start=1):
        seconds = float(frames_to_seconds(int(end) - int(first), fps))
        timeline.tracks.markers.append(otio.schema.Marker(
            name=label, color=otio.schema.MarkerColor.BLUE,
            marked_range=time_range(int(first), 1, fps),
            comment=f"music section {number} of {len(labels)}, {seconds:.1f} s"))
    return timeline


def source_start_frame(plan: CutPlan, decoded_index: int) -> int:
    """Timecode frame (at the nominal rate) of decoded frame ``decoded_index`` of the movie.

    For variable-frame-rate movies the frame's own timestamp decides, converted to the nominal rate.
    """
    times = plan.frame_times_s
    if times is not None and len(times) > decoded_index:
        offset = seconds_to_frames(float(times[decoded_index]), plan.fps)
    else:
        offset = int(decoded_index)
    return int(plan.movie.start_frame) + offset


def movie_length_frames(plan: CutPlan) -> int:
    """The movie's length in frames at the nominal rate (a VFR file's dropped frames count)."""
    times = plan.frame_times_s
    length = int(plan.movie.frame_count)
    if times is not None and len(times):
        length = max(length, seconds_to_frames(float(times[-1]), plan.fps) + 1)
    return length


def _reference(path: str, start: int, duration: int, fps: Fraction):
    import opentimelineio as otio

    return otio.schema.ExternalReference(target_url=os.path.abspath(path),
                                         available_range=time_range(start, duration, fps))


def _video_clip(plan: CutPlan, placed: PlacedClip, fps: Fraction):
    import opentimelineio as otio

    movie = plan.movie
    first = source_start_frame(plan, placed.source_start)
    clip = otio.schema.Clip(name=os.path.basename(movie.path),
                            source_range=time_range(first, placed.length, fps))
    reference = _reference(movie.path, int(movie.start_frame), movie_length_frames(plan), fps)
    clip.set_media_references({MEDIA_KEY: reference}, MEDIA_KEY)
    why = str(placed.reason)
    clip.metadata[METADATA_KEY] = {
        "shot": int(placed.shot), "scene": int(placed.scene), "segment": int(placed.segment),
        "score": float(placed.score), "why": why,
        "extended_with": [int(s) for s in placed.extended_with],
        "source_frames": [int(placed.source_start), int(placed.source_end)],
        **{str(k): v for k, v in placed.tags.items()},
    }
    clip.markers.append(otio.schema.Marker(
        name=f"Shot {placed.shot} (scene {placed.scene}) for segment {placed.segment}",
        color=otio.schema.MarkerColor.GREEN, marked_range=time_range(first, 1, fps),
        comment=f"{why} (score {placed.score:.2f})"))
    return clip


def is_source_audio_track(track) -> bool:
    """True for the track of the shots' own sound (its clips marked ``source_audio``)."""
    return any((c.metadata.get(METADATA_KEY) or {}).get("source_audio")
               for c in track.find_clips())


def is_title_card(item) -> bool:
    """True for the title card's placeholder clip (not movie material: readers skip it): ours
    by its metadata, or, read back from a format that drops metadata, a clip named TITLE whose
    media is no file (a generator, a colour, an EDL's black)."""
    import opentimelineio as otio

    meta = (getattr(item, "metadata", None) or {}).get(METADATA_KEY) or {}
    if meta.get("title_card"):
        return True
    return (isinstance(item, otio.schema.Clip) and item.name == TITLE_CLIP_NAME
            and not isinstance(item.media_reference, otio.schema.ExternalReference))


def _title_track(start: int, end: int, fps: Fraction):
    """"Video 2": a gap to ``start``, then the TITLE placeholder (a black solid) to ``end``."""
    import opentimelineio as otio

    length = end - start
    track = otio.schema.Track(name=TITLE_TRACK_NAME, kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Gap(source_range=time_range(0, start, fps)))
    clip = otio.schema.Clip(name=TITLE_CLIP_NAME, source_range=time_range(0, length, fps))
    reference = otio.schema.GeneratorReference(
        name=TITLE_CLIP_NAME, generator_kind=TITLE_GENERATOR,
        parameters={"color": [0.0, 0.0, 0.0, 1.0]}, available_range=time_range(0, length, fps))
    clip.set_media_references({MEDIA_KEY: reference}, MEDIA_KEY)
    seconds = float(frames_to_seconds(length, fps))
    clip.metadata[METADATA_KEY] = {"title_card": True, "seconds": seconds}
    clip.markers.append(otio.schema.Marker(
        name=TITLE_CLIP_NAME, color=otio.schema.MarkerColor.PURPLE,
        marked_range=time_range(0, 1, fps),
        comment=f"Title card: put the title here, {seconds:.1f} s from the last hit"))
    track.append(clip)
    return track


def _music_edit_clips(plan: CutPlan, fps: Fraction) -> list:
    """The music as edited to a spot length: one clip per source range, back to back, so the
    editor can move a splice; together exactly ``duration_frames`` long. Returns
    ``[(clip, source frame minus timeline frame, (first, end) timeline frames)]``."""
    import opentimelineio as otio

    ranges = [(float(a), float(b)) for a, b in plan.music_edits]
    offsets = [0.0]
    for a, b in ranges:
        offsets.append(offsets[-1] + b - a)
    edges = [seconds_to_frames(t, fps) for t in offsets[:-1]] + [int(plan.duration_frames)]
    available = seconds_to_frames(ranges[-1][1], fps)  # the track's end is always kept
    clips = []
    for k, (a, _) in enumerate(ranges):
        clip = otio.schema.Clip(
            name=f"{os.path.basename(plan.music_path)} ({k + 1}/{len(ranges)})",
            source_range=time_range(seconds_to_frames(a, fps), edges[k + 1] - edges[k], fps))
        clip.set_media_references({MEDIA_KEY: _reference(plan.music_path, 0, available, fps)},
                                  MEDIA_KEY)
        clip.metadata[METADATA_KEY] = {"music_edit": k, "source_s": [a, ranges[k][1]]}
        clips.append((clip, seconds_to_frames(a, fps) - edges[k], (edges[k], edges[k + 1])))
    return clips


def _music_clip(plan: CutPlan, fps: Fraction):
    import opentimelineio as otio

    length = max(int(plan.duration_frames), seconds_to_frames(plan.music_duration_s, fps))
    clip = otio.schema.Clip(name=os.path.basename(plan.music_path),
                            source_range=time_range(0, int(plan.duration_frames), fps))
    clip.set_media_references({MEDIA_KEY: _reference(plan.music_path, 0, length, fps)},
                              MEDIA_KEY)
    return clip


def _source_audio_track(video):
    """Each shot's own sound, the same source range and media as its picture, linked by index."""
    import opentimelineio as otio

    track = otio.schema.Track(name=SOURCE_AUDIO_TRACK_NAME, kind=otio.schema.TrackKind.Audio)
    for link, picture in enumerate(video):
        picture.metadata[METADATA_KEY]["link"] = link
        ref = picture.media_reference
        sound = otio.schema.Clip(name=picture.name, source_range=picture.source_range)
        sound.set_media_references({MEDIA_KEY: otio.schema.ExternalReference(
            target_url=ref.target_url, available_range=ref.available_range)}, MEDIA_KEY)
        sound.metadata[METADATA_KEY] = {"link": link, "source_audio": True,
                                        "shot": picture.metadata[METADATA_KEY]["shot"]}
        track.append(sound)
    return track


def _add_beat_markers(clip, plan: CutPlan, fps: Fraction, which: str, beats_s, downbeats_s,
                      window=None, shift: int = 0):
    """Beat markers on ``clip`` for the timeline frames in ``window`` (default: all), placed
    ``shift`` frames later in the clip's own (source) time."""
    import opentimelineio as otio

    if which == "none":
        return
    lo, hi = window or (0, plan.duration_frames)
    down = {seconds_to_frames(t, fps) for t in downbeats_s}
    frames = sorted(down) if which == "downbeats" else sorted(
        {seconds_to_frames(t, fps) for t in beats_s} | down)
    for frame in (f for f in frames if lo <= f < hi):
        strong = frame in down
        clip.markers.append(otio.schema.Marker(
            name="Downbeat" if strong else "Beat", marked_range=time_range(frame + shift, 1, fps),
            color=otio.schema.MarkerColor.RED if strong else otio.schema.MarkerColor.YELLOW))


def _labels(plan: CutPlan, section_labels: Optional[Sequence[str]]) -> list:
    if section_labels is None:
        return [str(label) for _s, _e, label in plan.sections]
    labels = [str(label) for label in section_labels]
    if len(labels) != len(plan.sections):
        raise ParameterError(f"Got {len(labels)} section labels for {len(plan.sections)} "
                             "sections; pass one label per section or none.")
    return labels


def _check_plan(plan: CutPlan) -> None:
    fps = Fraction(plan.fps)
    if fps <= 0:
        raise ParameterError(f"Cut plan frame rate {fps} is not positive; rebuild the plan.")
    if not plan.clips:
        raise ParameterError("Cut plan has no clips; nothing to put on a timeline.")
    position = 0
    for placed in plan.clips:
        if placed.record_start != position:
            raise ParameterError(f"Cut plan clip for segment {placed.segment} starts at frame "
                                 f"{placed.record_start}, expected {position} (no gaps or "
                                 "overlaps allowed); rebuild the plan.")
        length = placed.record_end - placed.record_start
        if length <= 0 or placed.source_end - placed.source_start != length:
            raise ParameterError(f"Cut plan clip for segment {placed.segment} has source length "
                                 f"{placed.source_end - placed.source_start} and record length "
                                 f"{length}; they must be equal and positive.")
        if placed.source_start < 0 or placed.source_end > plan.movie.frame_count:
            raise ParameterError(f"Cut plan clip for segment {placed.segment} uses frames "
                                 f"{placed.source_start}-{placed.source_end} outside the movie's "
                                 f"{plan.movie.frame_count} frames; rebuild the plan.")
        position = placed.record_end
    title = plan.title_start_frame
    if title is not None and not 0 < title < plan.duration_frames:
        raise ParameterError(f"Cut plan's title card starts at frame {title}, outside the "
                             f"music's {plan.duration_frames} frames; rebuild the plan.")
    if position != plan.shots_end_frame:
        what = ("the title card starts at" if title is not None else "the music lasts")
        raise ParameterError(f"Cut plan clips end at frame {position} but {what} "
                             f"{plan.shots_end_frame} frames; rebuild the plan.")
