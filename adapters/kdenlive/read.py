"""Read a ``.kdenlive`` project (MLT XML) back into an OTIO timeline.

Enough of the format for round trips of the projects :mod:`.write` writes, including after
Kdenlive 22.12 has re-saved them (clock-time in/out values, relative paths, extra properties).
Format references: https://www.mltframework.org/docs/mltxml/ and Kdenlive's
``dev-docs/fileformat.md``. The timeline is the last ``<tractor>``; each of its tracks but the black
background is a Kdenlive track (a tractor of two playlists) whose first playlist holds the clips.
"""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from fractions import Fraction

from ...core.errors import ParameterError, one_line
from ...core.timebase import rate_text, seconds_to_frames, time_range, timecode_to_frames
from .mlt import START_FRAME_PROPERTY, marker_colour, properties


def read_from_file(path: str):
    """Parse the project at ``path``; raises :class:`ParameterError` if it is not MLT XML."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise ParameterError(f"Cannot read Kdenlive project {one_line(path)} ({exc}); "
                             "is it a complete .kdenlive file?") from None
    if root.tag != "mlt":
        raise ParameterError(f"{one_line(path)} is not an MLT/Kdenlive project "
                             f"(root <{root.tag}>).")
    folder = root.get("root") or os.path.dirname(os.path.abspath(path))
    return _Reader(root, folder, os.path.splitext(os.path.basename(path))[0]).timeline()


def parse_time(value, fps: Fraction) -> int:
    """An MLT time (frames ``"120"``, clock ``"00:00:05.000"`` or timecode ``"00:00:05:00"``)."""
    text = str(value).strip()
    if ":" not in text:
        return int(round(float(text)))
    parts = text.split(":")
    if len(parts) == 4:  # SMPTE timecode
        return timecode_to_frames(text, fps)
    seconds = Fraction(0)
    for part in parts:
        seconds = seconds * 60 + Fraction(part)
    return seconds_to_frames(seconds, fps)


class _Reader:
    def __init__(self, root, folder: str, fallback_name: str):
        self.root = root
        self.folder = folder
        self.name = root.get("title") or fallback_name
        profile = root.find("profile")
        if profile is None:
            raise ParameterError("Kdenlive project has no <profile>; cannot tell its frame rate.")
        self.fps = Fraction(int(profile.get("frame_rate_num")), int(profile.get("frame_rate_den")))
        self.by_id = {e.get("id"): e for e in root if e.get("id")}

    def timeline(self):
        import opentimelineio as otio

        tractors = self.root.findall("tractor")
        if not tractors:
            raise ParameterError("Kdenlive project has no timeline (<tractor>).")
        main = tractors[-1]
        if properties(main).get("kdenlive:projectTractor"):
            # Kdenlive 23.04+ wraps the open sequence in a last "project tractor".
            inner = main.find("track")
            main = self.by_id.get(inner.get("producer")) if inner is not None else None
            if main is None or main.tag != "tractor":
                raise ParameterError("Kdenlive project's sequence cannot be found.")
        video, audio = [], []
        for track_ref in main.findall("track"):
            element = self.by_id.get(track_ref.get("producer"))
            if element is None or track_ref.get("producer") == "black_track":
                continue
            if element.tag not in ("tractor", "playlist"):
                continue  # Kdenlive 26 lists a bare bin <producer> among a sequence's tracks
            track = self._track(element)
            (audio if track.kind == otio.schema.TrackKind.Audio else video).append(track)
        timeline = otio.schema.Timeline(name=self.name)
        for track in video + audio[::-1]:
            timeline.tracks.append(track)
        timeline.metadata["trailersmith"] = {"fps": rate_text(self.fps)}
        bin_props = properties(self.by_id["main_bin"]) if "main_bin" in self.by_id else {}
        for guide in json.loads(bin_props.get("kdenlive:docproperties.guides") or "[]"):
            timeline.tracks.markers.append(self._marker(guide, int(guide["pos"]), 0))
        return timeline

    def _track(self, element):
        import opentimelineio as otio

        props = properties(element)
        playlist = element
        if element.tag == "tractor":
            first = element.find("track")
            playlist = self.by_id.get(first.get("producer")) if first is not None else None
        is_audio = props.get("kdenlive:audio_track") == "1"
        track = otio.schema.Track(
            name=props.get("kdenlive:track_name", element.get("id")),
            kind=otio.schema.TrackKind.Audio if is_audio else otio.schema.TrackKind.Video)
        for item in (playlist if playlist is not None else []):
            if item.tag == "blank":
                length = parse_time(item.get("length"), self.fps)
                track.append(otio.schema.Gap(source_range=self._range(0, length)))
            elif item.tag == "entry":
                track.append(self._clip(item))
        return track

    def _clip(self, entry):
        import opentimelineio as otio

        producer = self.by_id.get(entry.get("producer"))
        if producer is None:
            raise ParameterError(f"Kdenlive project entry uses unknown producer "
                                 f"{entry.get('producer')}.")
        props = properties(producer)
        first = parse_time(entry.get("in", "0"), self.fps)
        last = parse_time(entry.get("out"), self.fps)
        start = int(props.get(START_FRAME_PROPERTY) or 0)
        length = int(props.get("length") or last + 1)
        resource = props.get("resource", "")
        path = resource if os.path.isabs(resource) else os.path.join(self.folder, resource)
        clip = otio.schema.Clip(name=props.get("kdenlive:clipname") or os.path.basename(path),
                                source_range=self._range(start + first, last - first + 1))
        if props.get("mlt_service") in ("color", "colour"):  # a colour clip (a title card's)
            reference = otio.schema.GeneratorReference(
                name=clip.name, generator_kind="SolidColor", parameters={"color": resource},
                available_range=self._range(start, length))
        else:
            reference = otio.schema.ExternalReference(target_url=os.path.normpath(path),
                                                      available_range=self._range(start, length))
        clip.set_media_references({"DEFAULT_MEDIA": reference}, "DEFAULT_MEDIA")
        for marker in json.loads(props.get("kdenlive:markers") or "[]"):
            if first <= int(marker["pos"]) <= last:
                clip.markers.append(self._marker(marker, start + int(marker["pos"]), 0))
        return clip

    def _range(self, start: int, duration: int):
        return time_range(start, duration, self.fps)

    def _marker(self, data: dict, position: int, duration: int):
        import opentimelineio as otio

        colour = marker_colour(data.get("type", 0))
        name, _sep, comment = str(data.get("comment", "")).partition(": ")
        return otio.schema.Marker(name=name, color=colour, comment=comment,
                                  marked_range=self._range(position, duration))
