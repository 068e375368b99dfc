"""The editor's video clips, read out of an edited timeline (OTIO, as the adapters give it).

A clip is the editor's when it shows the movie the timeline was made from (the timeline's
``trailersmith`` metadata names it; otherwise the file most clips show). Its source in-point is
turned back into a decoded-frame index of the movie (the movie's start timecode removed; a VFR
movie's frame times looked up). A clip is *kept* when a marker on it is named ``keep`` (any case)
or when its track is locked in the editor (Kdenlive records that; OTIO carries it in metadata).
A title card's placeholder (TITLE) and other generated clips (an EDL's black) are no movie
material: they are skipped with a note.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import List, Optional, Tuple

import numpy as np

from ..errors import ParameterError
from ..timeline import is_title_card

KEEP_MARKER = "keep"


@dataclass(frozen=True)
class EditedClip:
    """One of the editor's clips: decoded movie frames ``[source_start, source_start + length)``.

    ``position`` is its index among the editor's movie clips (the editor's order); ``record_start``
    where it sat on the edited timeline, in frames at the movie's rate.
    """

    position: int
    source_start: int
    length: int
    keep: bool
    record_start: int
    name: str = ""

    @property
    def source_end(self) -> int:
        return self.source_start + self.length


def _path_of(clip) -> Optional[str]:
    reference = clip.media_reference
    url = getattr(reference, "target_url", None)
    if not url:
        return None
    if url.startswith("file://"):
        from urllib.parse import unquote, urlparse
        url = unquote(urlparse(url).path)
    return os.path.normpath(url)


def _video_track(timeline):
    import opentimelineio as otio

    tracks = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    if not tracks:
        raise ParameterError("The edited timeline has no video track; re-cut needs the "
                             "editor's video clips.")
    named = [t for t in tracks if t.name == "Video 1"]
    return (named or tracks)[0]


def _is_locked(track) -> bool:
    meta = track.metadata or {}
    return bool(meta.get("locked") or (meta.get("kdenlive") or {}).get("locked"))


def timeline_movie_path(timeline) -> Optional[str]:
    """The movie a Trailersmith timeline was made from, or the file most video clips show."""
    meta = (timeline.metadata or {}).get("trailersmith") or {}
    if meta.get("movie"):
        return os.path.normpath(str(meta["movie"]))
    paths = [_path_of(c) for c in _video_track(timeline).find_clips()]
    paths = [p for p in paths if p]
    return max(set(paths), key=paths.count) if paths else None


def _decoded_index(offset: int, fps: Fraction, frame_times_s: Optional[np.ndarray]) -> int:
    """Decoded frame shown at nominal-rate frame ``offset`` (identity for constant-rate media)."""
    if frame_times_s is None or not len(frame_times_s):
        return int(offset)
    nominal = np.round(np.asarray(frame_times_s, float) * float(fps)).astype(np.int64)
    return int(min(np.searchsorted(nominal, offset, side="left"), len(nominal) - 1))


def read_edited_clips(timeline, *, movie_path: str, fps: Fraction, start_frame: int = 0,
                      frame_times_s: Optional[np.ndarray] = None, unnamed_are_movie: bool = False
                      ) -> Tuple[List[EditedClip], List[str]]:
    """The editor's clips of ``movie_path`` in timeline order, and notes on what was skipped.

    Parameters
    ----------
    timeline : opentimelineio.schema.Timeline
        The edited timeline, as read from ``.otio``, ``.kdenlive``, ``.xml`` or ``.edl``.
    movie_path : str
        The movie; clips showing other files (titles, other footage) are skipped with a note.
    fps, start_frame, frame_times_s
        The movie's exact nominal rate, its start timecode in frames, and (VFR) its frame times.
    """
    track = _video_track(timeline)
    locked = _is_locked(track)
    movie = os.path.normpath(os.path.abspath(movie_path))
    clips: List[EditedClip] = []
    skipped: List[str] = []
    position_s = Fraction(0)
    import opentimelineio as otio

    for item in track:
        duration = item.duration()
        length_s = Fraction(duration.to_seconds()).limit_denominator(1_000_000)
        record = int(round(position_s * fps))
        position_s += length_s
        if not isinstance(item, otio.schema.Clip):
            continue
        if is_title_card(item) or isinstance(item.media_reference, otio.schema.GeneratorReference):
            # a title card's placeholder or another generator (an EDL's black): no movie frames
            skipped.append(f"clip {item.name!r} at frame {record}: a title card or generator, "
                           "not movie material")
            continue
        path = _path_of(item)
        if path is None and unnamed_are_movie:
            path = movie
        if path is None or os.path.normpath(os.path.abspath(path)) != movie:
            skipped.append(f"clip {item.name!r} at frame {record}: not from the movie")
            continue
        source = item.source_range or item.available_range()
        first = int(round(Fraction(source.start_time.to_seconds()).limit_denominator(1_000_000)
                          * fps)) - int(start_frame)
        length = int(round(length_s * fps))
        if first < 0 or length <= 0:
            skipped.append(f"clip {item.name!r} at frame {record}: source range outside the movie")
            continue
        keep = locked or any(m.name.strip().lower() == KEEP_MARKER for m in item.markers)
        clips.append(EditedClip(position=len(clips), source_start=_decoded_index(first, fps,
                                                                                frame_times_s),
                                length=length, keep=keep, record_start=record, name=item.name))
    if not clips:
        raise ParameterError(f"The edited timeline has no clips of {movie}; re-cut needs a "
                             "timeline made from that movie.")
    return clips, skipped
