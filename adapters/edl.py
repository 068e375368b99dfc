"""CMX 3600 edit decision list (``.edl``), through the ``otio-cmx3600-adapter`` package.

Specification: CMX 3600 EDL, as documented by the adapter
(https://github.com/OpenTimelineIO/otio-cmx3600-adapter) and at https://xmil.biz/EDL-X/CMX3600.pdf.
The EDL holds the video track's events (the adapter writes one track), then the music's ("Audio
1") as audio events, one per music clip, on channel ``A`` (``A2`` when ``B`` events carry the
shots' own sound on A1), each named in ``* FROM CLIP NAME:`` / ``* FROM CLIP:`` comments.
Record timecodes start at the timeline's ``global_start_time`` (01:00:00:00 for ours), as
editors' own EDLs do. An EDL carries no frame rate; the reader needs it.

What it can carry: SMPTE timecode only, so only 24, 25, 30, 48, 50, 60 fps and their /1.001
rates, and no time past 24:00:00:00 (a movie whose timecode runs through midnight cannot be cut
from it). One line per field: names and paths with control characters are escaped. With the
shots' own sound on (``source_audio``), each event is channel ``B``: picture and sound linked.
An EDL has one picture track, so a title card's placeholder ("Video 2" in the timeline) becomes
a black event (reel ``BL``) after the last shot, its clip name TITLE and its marker a comment.
"""
from __future__ import annotations

import re

from ..core.errors import ParameterError
from ..core.fileio import write_atomic
from ..core.timebase import (
    as_rate,
    frames_per_day,
    frames_to_timecode,
    is_smpte_rate,
    otio_frames,
    rate_label,
    timecode_to_frames,
)
from ..core.timeline import TITLE_CLIP_NAME, is_source_audio_track, is_title_card
from ._files import one_line_copy

_CHANNEL = re.compile(r"^(\d{3,}\s+\S+\s+)V(\s)")
_NUMBERED = re.compile(r"^(\d{3,})(\s.*)$")
_AUDIO = re.compile(r"^(\d{3,}\s+\S+\s+)(A\s{4})(\s)")
_EVENT = re.compile(r"^\d{3,}\s+\S+\s+\S+\s+\S+\s+(?:\d+\s+)?(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$")


def carry_problem(fps, *, media_paths=(), source_frames=None):
    """Why an EDL cannot hold a cut of a movie at ``fps`` whose timecode spans ``source_frames``
    (first, end); None when it can."""
    if not is_smpte_rate(fps):
        return (f"an EDL (CMX 3600) carries only SMPTE timecode rates (24, 25, 30, 48, 50, 60 fps "
                f"and their /1.001), not {rate_label(fps)}; write .otio, .kdenlive or another "
                "format instead")
    if source_frames is not None and source_frames[1] > frames_per_day(fps):
        return (f"the movie's timecode runs from {frames_to_timecode(source_frames[0], fps)} past "
                "midnight, which an EDL cannot express; write .otio, .xml or .kdenlive instead")
    return None


def _check(timeline) -> None:
    rate = as_rate(timeline.global_start_time.rate if timeline.global_start_time is not None
                   else timeline.duration().rate)
    problem = carry_problem(rate)
    for clip in ([] if problem else timeline.find_clips()):
        first = otio_frames(clip.source_range.start_time, rate)
        problem = carry_problem(rate, source_frames=(
            first, first + otio_frames(clip.source_range.duration, rate)))
        if problem:
            break
    if problem:
        raise ParameterError(f"Cannot write this timeline as EDL: {problem}.")


def write_to_string(timeline, *, root: str = "") -> str:
    """The video track and the music of ``timeline`` as CMX 3600 EDL text.

    Raises :class:`ParameterError` when the timeline is beyond what an EDL carries (see
    :func:`carry_problem`).
    """
    import opentimelineio as otio

    _check(timeline)
    copy = _title_as_black(one_line_copy(timeline, paths=True))
    start = timeline.global_start_time
    if start is not None and start.value > 0:
        # The adapter counts record time from 0; a leading gap moves it to the timeline's start.
        for track in copy.tracks:
            track.insert(0, otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=start)))
    music = _music_track_index(copy)
    text = otio.adapters.write_to_string(_without(copy, music), adapter_name="cmx_3600")
    linked = bool(timeline.metadata.get("trailersmith", {}).get("source_audio"))
    if linked:
        # The shots' own sound has the picture's source range: channel B (picture and sound
        # together) is how CMX 3600 says so, one linked event per shot.
        text = "\n".join(_CHANNEL.sub(r"\1B\2", line) for line in text.split("\n"))
    if music is not None:
        text = text.rstrip("\n") + "\n" + _music_events(copy, music, text, "A2" if linked else "A")
    return text


def _music_track_index(timeline):
    """Index of the music's track ("Audio 1", not the shots' own sound), or None."""
    for index, track in enumerate(timeline.tracks):
        if track.kind == "Audio" and track.find_clips() and not is_source_audio_track(track):
            return index
    return None


def _without(timeline, index):
    """``timeline`` without track ``index`` (the adapter then writes only the picture)."""
    if index is not None:
        timeline = timeline.deepcopy()
        del timeline.tracks[index]
    return timeline


def _music_events(timeline, index: int, video_text: str, channel: str) -> str:
    """The music track's events (one per music clip: a --length edit has one per piece),
    numbered after the picture's, on audio ``channel`` (``A``, or ``A2`` when ``B`` events
    already carry the shots' own sound on A1); the adapter's own event and comment lines."""
    import opentimelineio as otio

    cmx = otio.adapters.from_name("cmx_3600").module()
    tracks = timeline.deepcopy().tracks
    for clip in tracks[index].find_clips():
        del clip.markers[:]  # beat markers stay in the formats that hold clip markers
    writer = cmx.EDLWriter(tracks=tracks, rate=tracks[0].duration().rate, style="avid")
    events = writer.get_content_for_track_at_index(index, title=None)
    first = 1 + sum(1 for line in video_text.split("\n") if _EVENT.match(line.strip()))
    out = []
    for line in events.split("\n"):
        match = _NUMBERED.match(line)
        if match and _EVENT.match(line.strip()):
            number = int(match.group(1)) + first - 1
            line = _AUDIO.sub(rf"\g<1>{channel:<5}\3", f"{number:03d}{match.group(2)}")
        out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def _title_as_black(timeline):
    """``timeline`` with its title card moved from its own track onto the picture track as a
    black (``BL``) event named TITLE, so the one video track an EDL holds says where it goes."""
    import opentimelineio as otio

    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    for track in video[1:]:
        titles = [c for c in track.find_clips() if is_title_card(c)]
        if len(titles) != len(list(track.find_clips())):
            continue  # not a title track: the adapter's one-track check says so
        index = timeline.tracks.index(track)
        del timeline.tracks[index]
        picture = video[0]
        for title in titles:
            at = track.range_of_child(title)
            while len(picture) and isinstance(picture[-1], otio.schema.Gap):
                del picture[-1]
            shortfall = at.start_time - picture.duration()
            if shortfall.value > 0:
                picture.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                    duration=shortfall)))
            black = otio.schema.Clip(
                name=TITLE_CLIP_NAME, source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(0, at.duration.rate), at.duration),
                media_reference=otio.schema.GeneratorReference(generator_kind="black"),
                metadata={"cmx_3600": {"reel": "BL"}})
            for marker in title.markers:
                black.markers.append(marker.deepcopy())
            picture.append(black)
    return timeline


def write_to_file(timeline, path: str) -> None:
    """Write the video track of ``timeline`` as a CMX 3600 EDL to ``path`` (checked, atomic)."""
    write_atomic(path, write_to_string(timeline))


def read_from_file(path: str, rate: float = 24.0):
    """Read an EDL whose timecodes count frames at ``rate``; the first record timecode becomes
    the timeline's ``global_start_time``."""
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(path, adapter_name="cmx_3600", rate=float(rate))
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = _EVENT.match(line.strip())
            if match:
                timeline.global_start_time = otio.opentime.RationalTime(
                    timecode_to_frames(match.group(3), rate), float(as_rate(rate)))
                break
    return timeline
