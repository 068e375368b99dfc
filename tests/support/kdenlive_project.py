"""What a saved ``.kdenlive`` project puts on its timeline, as plain numbers, for any Kdenlive.

Kdenlive re-writes our producers as its own (``<chain>`` elements, no trailersmith properties), so
the tests compare in the file's own 0-based frame numbers: for each timeline clip its media file,
its in and out frames (out inclusive) and its record position. Uses the project's Kdenlive reader
for the MLT basics (time values, properties); it also works on Kdenlive 23.04+'s nested
sequences.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import List, Tuple

try:  # the adapters room moves the reader into a package; either layout works
    from trailersmith.adapters.kdenlive.read import parse_time, properties
except ImportError:
    from trailersmith.adapters.kdenlive_reader import parse_time, properties

Cut = Tuple[str, int, int, int]  # (media path, in, out inclusive, record position)


@dataclass
class TrackCuts:
    """One Kdenlive track: its name, whether it is audio, and its clips as :data:`Cut`."""
    name: str
    audio: bool
    cuts: List[Cut] = field(default_factory=list)


def project_fps(path: Path) -> Fraction:
    """The project profile's frame rate."""
    profile = ET.parse(path).getroot().find("profile")
    return Fraction(int(profile.get("frame_rate_num")), int(profile.get("frame_rate_den")))


def timeline_tracks(path: Path) -> List[TrackCuts]:
    """The tracks of the project's open sequence, top of the file first (Kdenlive writes audio
    tracks before video tracks), without the black background track."""
    root = ET.parse(path).getroot()
    fps = project_fps(path)
    folder = root.get("root") or os.path.dirname(os.path.abspath(path))
    by_id = {e.get("id"): e for e in root if e.get("id")}
    main = root.findall("tractor")[-1]
    if properties(main).get("kdenlive:projectTractor"):
        main = by_id[main.find("track").get("producer")]
    tracks = []
    for ref in main.findall("track"):
        element = by_id.get(ref.get("producer"))
        if element is None or ref.get("producer") == "black_track":
            continue
        props = properties(element)
        # A Kdenlive track is a tractor of two playlists (the second holds clips that mix into
        # the first); a plain playlist is a track on its own.
        playlists = [element]
        if element.tag == "tractor":
            playlists = [by_id[t.get("producer")] for t in element.findall("track")]
        track = TrackCuts(name=props.get("kdenlive:track_name", element.get("id")),
                          audio=props.get("kdenlive:audio_track") == "1")
        for playlist in playlists:
            track.cuts.extend(_cuts(playlist, by_id, fps, folder))
        track.cuts.sort(key=lambda cut: cut[3])
        tracks.append(track)
    return tracks


def _cuts(playlist, by_id: dict, fps: Fraction, folder: str) -> List[Cut]:
    cuts, position = [], 0
    for item in playlist:
        if item.tag == "blank":
            position += parse_time(item.get("length"), fps)
        elif item.tag == "entry":
            first = parse_time(item.get("in", "0"), fps)
            last = parse_time(item.get("out"), fps)
            resource = properties(by_id[item.get("producer")]).get("resource", "")
            if not os.path.isabs(resource):
                resource = os.path.normpath(os.path.join(folder, resource))
            cuts.append((resource, first, last, position))
            position += last - first + 1
    return cuts
