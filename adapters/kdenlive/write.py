"""Kdenlive project writer: an OTIO timeline as a ``.kdenlive`` document (MLT XML).

Format: MLT XML (https://www.mltframework.org/docs/mltxml/, DTD at
https://github.com/mltframework/mlt/blob/master/src/modules/xml/mlt-xml.dtd) plus Kdenlive's
project properties, described in Kdenlive's ``dev-docs/fileformat.md``
(https://invent.kde.org/multimedia/kdenlive/-/blob/master/dev-docs/fileformat.md). We write
document version 1.00 ("generation 4", the oldest Kdenlive 20.08 reads). Kdenlive 22.12 (Debian 12,
whose own documents are 1.04) opens it without a dialog; on the first save it says it upgraded the
document and keeps a ``*_backup0.kdenlive`` copy. Newer Kdenlive upgrades it too.

Layout: media producers, the ``main_bin`` playlist (the first playlist: Kdenlive reads the
document version from it) with the document properties and guides, the black background track,
one tractor of two playlists per timeline track, and a last tractor holding the tracks and the
internal mixing transitions, which is what ``melt`` renders.

MLT ``in``/``out`` are frame positions in the file at the profile rate (0 = the file's first
frame), not timecode, so each clip's OTIO source start is taken relative to its reference's
``available_range`` start.

A title card's placeholder is a colour clip (MLT's ``color`` producer, black) named TITLE on
the second video track, its marker on the bin clip.

With the shots' own sound on "Audio 2", each picture and its sound form one "AVSplit" group
(``kdenlive:docproperties.groups``), which Kdenlive 22.12 keeps when it re-saves (tested).

What it can carry: any rational frame rate (``frame_rate_num``/``frame_rate_den``) and any
timecode; names are escaped onto one line, but a media path with a control character other
than tab and newline cannot be written into XML 1.0 at all, so it is refused.
"""
from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from fractions import Fraction
from math import gcd

from ...core.errors import ParameterError, one_line
from ...core.fileio import write_atomic
from ...core.timebase import as_rate, otio_frames
from ...core.timeline import is_title_card
from .._files import one_line_copy, url_to_path
from .mlt import START_FRAME_PROPERTY, marker_type

DOCUMENT_VERSION = "1.00"
FIRST_BIN_ID = 2  # bin clip ids ("kdenlive:id"); Kdenlive 22.12 keeps them when it re-saves


def carry_problem(fps, *, media_paths=(), source_frames=None):
    """Why a Kdenlive project cannot name one of ``media_paths``; None when it can."""
    for path in media_paths:
        if any(ord(c) < 32 and c not in "\t\n\r" for c in str(path)):
            return (f"a Kdenlive project (XML) cannot name {one_line(path)}, which has a control "
                    "character; rename the file, or write .otio or .edl instead")
    return None


def write_to_file(timeline, path: str) -> None:
    """Write ``timeline`` as a Kdenlive 22.12-compatible project to ``path`` (checked, atomic)."""
    write_atomic(path, write_to_string(timeline, root=os.path.dirname(os.path.abspath(path))))


def write_to_string(timeline, *, root: str = "") -> str:
    """The project document as text; ``root`` is the folder Kdenlive resolves relative paths in.

    Raises :class:`ParameterError` for an empty timeline or a media path XML cannot hold.
    """
    timeline = one_line_copy(timeline)
    fps = timeline_fps(timeline)
    width, height = _frame_size(timeline)
    mlt = ET.Element("mlt", {"LC_NUMERIC": "C", "version": "7.12.0", "title": timeline.name,
                             "root": root})
    ET.SubElement(mlt, "profile", _profile(width, height, fps))

    media = _collect_media(timeline, fps)
    for item in media.values():
        mlt.append(_producer(item))
    duration = otio_frames(timeline.tracks.duration(), fps)
    if duration <= 0:
        raise ParameterError(f"Timeline '{timeline.name}' is empty; nothing to write.")
    # Kdenlive stacks tracks bottom-up: the last audio track first, "A1" next to "V1", then video.
    audio_tracks = [t for t in timeline.tracks if t.kind == "Audio"]
    ordered = audio_tracks[::-1] + [t for t in timeline.tracks if t.kind != "Audio"]
    mlt.append(_main_bin(timeline, media, fps, duration, _groups(ordered, fps)))
    mlt.append(_black_track(duration))

    track_ids = []
    for number, track in enumerate(ordered):
        audio = track.kind == "Audio"
        tractor_id = f"tractor{number}"
        main = _track_playlist(f"playlist{2 * number}", track, media, fps)
        spare = ET.Element("playlist", {"id": f"playlist{2 * number + 1}"})
        mlt.extend([main, spare])
        mlt.append(_track_tractor(tractor_id, track.name, audio, [main, spare], duration))
        track_ids.append((tractor_id, audio))
    mlt.append(_main_tractor(track_ids, duration))
    ET.indent(mlt, space=" ")
    return "<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(mlt, encoding="unicode") + "\n"


def timeline_fps(timeline) -> Fraction:
    """Exact frame rate: the one ``build_timeline`` recorded, else the rate of the tracks."""
    recorded = timeline.metadata.get("trailersmith", {}).get("fps")
    if recorded:
        return as_rate(str(recorded))
    return as_rate(timeline.tracks.duration().rate or 24.0)



def _frame_size(timeline) -> tuple:
    meta = timeline.metadata.get("trailersmith", {})
    if meta.get("width") and meta.get("height"):
        return int(meta["width"]), int(meta["height"])
    from ...core.media import probe_video

    for clip in timeline.find_clips():
        url = getattr(clip.media_reference, "target_url", None)
        if url and clip.parent() is not None and clip.parent().kind == "Video":
            info = probe_video(url)
            return info.width, info.height
    return 1920, 1080


def _profile(width: int, height: int, fps: Fraction) -> dict:
    div = gcd(width, height)
    return {"description": f"{width}x{height} {float(fps):.3f} fps", "width": str(width),
            "height": str(height), "progressive": "1", "sample_aspect_num": "1",
            "sample_aspect_den": "1", "display_aspect_num": str(width // div),
            "display_aspect_den": str(height // div), "frame_rate_num": str(fps.numerator),
            "frame_rate_den": str(fps.denominator), "colorspace": "709" if height >= 720 else "601"}


def _property(parent, name: str, value) -> None:
    ET.SubElement(parent, "property", {"name": name}).text = str(value)


def _collect_media(timeline, fps: Fraction) -> dict:
    """One producer per media file, keyed by path, with its length and clip markers."""
    media = {}
    for clip in timeline.find_clips():
        ref = clip.media_reference
        path = _media_key(clip)
        if is_title_card(clip):
            if path not in media:
                media[path] = {"path": path, "bin_id": FIRST_BIN_ID + len(media),
                               "producer": f"producer{len(media)}", "fps": fps, "start": None,
                               "length": 0, "markers": [], "colour": _colour(ref),
                               "name": clip.name}
        elif path not in media:
            problem = carry_problem(None, media_paths=[path])
            if problem:
                raise ParameterError(f"Cannot write this timeline as a Kdenlive project: "
                                     f"{problem}.")
            avail = ref.available_range
            media[path] = {
                "path": path, "bin_id": FIRST_BIN_ID + len(media),
                "producer": f"producer{len(media)}", "fps": fps,
                "start": avail.start_time if avail else None,
                "length": otio_frames(avail.duration, fps) if avail else 0, "markers": [],
            }
        item = media[path]
        start, end = _mlt_in_out(clip, item, fps)
        item["length"] = max(item["length"], end + 1)
        for marker in clip.markers:
            offset = marker.marked_range.start_time - clip.source_range.start_time
            pos = start + otio_frames(offset, fps)
            item["markers"].append({"comment": _marker_text(marker), "pos": pos,
                                    "type": marker_type(marker.color)})
    return media


def _media_key(clip) -> str:
    """The producer a clip plays: its media file's path, or ``color:NAME`` for a title card."""
    if is_title_card(clip):
        return f"color:{clip.name}"
    url = getattr(clip.media_reference, "target_url", None)
    if not url:
        raise ParameterError(f"Clip '{clip.name}' has no media file; Kdenlive needs one.")
    return url_to_path(url)


def _colour(reference) -> str:
    """MLT's ``0xRRGGBBAA`` of a solid-colour generator (black when it names none)."""
    rgba = list((getattr(reference, "parameters", None) or {}).get("color") or [0, 0, 0, 1])
    rgba = (rgba + [1.0] * 4)[:4]
    return "0x" + "".join(f"{int(round(255 * min(max(float(c), 0.0), 1.0))):02x}" for c in rgba)


def _mlt_in_out(clip, item: dict, fps: Fraction) -> tuple:
    """First and last (inclusive) frame of the clip as positions in the file."""
    source = clip.source_range
    offset = source.start_time - item["start"] if item["start"] is not None else source.start_time
    first = otio_frames(offset, fps)
    if first < 0:
        raise ParameterError(f"Clip '{clip.name}' starts before its media; fix the timeline.")
    return first, first + otio_frames(source.duration, fps) - 1


def _marker_text(marker) -> str:
    comment = getattr(marker, "comment", "") or ""
    return f"{marker.name}: {comment}" if comment else marker.name


def _producer(item: dict) -> ET.Element:
    producer = ET.Element("producer", {"id": item["producer"], "in": "0",
                                       "out": str(item["length"] - 1)})
    _property(producer, "length", item["length"])
    _property(producer, "eof", "pause")
    if "colour" in item:  # a title card: Kdenlive's colour clip
        _property(producer, "resource", item["colour"])
        _property(producer, "aspect_ratio", 1)
        _property(producer, "mlt_service", "color")
        _property(producer, "kdenlive:clipname", item["name"])
    else:
        _property(producer, "resource", item["path"])
        _property(producer, "mlt_service", "avformat-novalidate")
        _property(producer, "seekable", 1)
        _property(producer, "kdenlive:clipname", os.path.basename(item["path"]))
    _property(producer, "kdenlive:folderid", -1)
    _property(producer, "kdenlive:id", item["bin_id"])
    if item["markers"]:
        _property(producer, "kdenlive:markers", json.dumps(item["markers"], indent=1))
    if item["start"] is not None:
        _property(producer, START_FRAME_PROPERTY, otio_frames(item["start"], item["fps"]))
    return producer


def _groups(ordered_tracks, fps: Fraction) -> list:
    """Kdenlive's clip groups: each shot's picture and its own sound as one "AVSplit" group.

    A leaf is ``"track position:record frame"``, the track position counting Kdenlive's tracks
    from the bottom (0 = the first track after the black background), as Kdenlive saves them.
    """
    linked = {}
    for position, track in enumerate(ordered_tracks):
        for clip in track.find_clips():
            link = clip.metadata.get("trailersmith", {}).get("link")
            if link is not None:
                start = otio_frames(track.range_of_child(clip).start_time, fps)
                linked.setdefault(link, []).append(f"{position}:{start}")
    return [{"children": [{"data": leaf, "leaf": "clip", "type": "Leaf"} for leaf in leaves],
             "type": "AVSplit"} for _link, leaves in sorted(linked.items()) if len(leaves) == 2]


def _main_bin(timeline, media: dict, fps: Fraction, duration: int,
              groups: list = ()) -> ET.Element:
    bin_playlist = ET.Element("playlist", {"id": "main_bin"})
    guides = [{"comment": _marker_text(m), "pos": otio_frames(m.marked_range.start_time, fps),
               "type": marker_type(m.color)}
              for m in timeline.tracks.markers]
    digest = hashlib.sha1(json.dumps([timeline.name, sorted(media)]).encode()).hexdigest()
    properties = {
        "version": DOCUMENT_VERSION, "decimalPoint": ".", "documentid": int(digest[:12], 16),
        "audioChannels": 2, "enableproxy": 0, "generateproxy": 0, "position": 0,
        "zonein": 0, "zoneout": duration, "groups": json.dumps(list(groups), indent=1),
        "guides": json.dumps(guides, indent=1),
    }
    for name, value in properties.items():
        _property(bin_playlist, f"kdenlive:docproperties.{name}", value)
    _property(bin_playlist, "kdenlive:documentnotes", "")
    _property(bin_playlist, "xml_retain", 1)
    for item in media.values():
        ET.SubElement(bin_playlist, "entry", {"producer": item["producer"], "in": "0",
                                              "out": str(item["length"] - 1)})
    return bin_playlist


def _black_track(duration: int) -> ET.Element:
    black = ET.Element("producer", {"id": "black_track", "in": "0", "out": str(duration - 1)})
    for name, value in (("length", 2147483647), ("eof", "continue"), ("resource", "black"),
                        ("aspect_ratio", 1), ("mlt_service", "color"),
                        ("kdenlive:playlistid", "black_track"), ("mlt_image_format", "rgba"),
                        ("set.test_audio", 0)):
        _property(black, name, value)
    return black


def _track_playlist(playlist_id: str, track, media: dict, fps: Fraction) -> ET.Element:
    playlist = ET.Element("playlist", {"id": playlist_id})
    for item in track:
        length = otio_frames(item.duration(), fps)
        if item.schema_name() == "Clip":
            entry_media = media[_media_key(item)]
            first, last = _mlt_in_out(item, entry_media, fps)
            entry = ET.SubElement(playlist, "entry", {"producer": entry_media["producer"],
                                                      "in": str(first), "out": str(last)})
            _property(entry, "kdenlive:id", entry_media["bin_id"])
        elif length > 0:
            ET.SubElement(playlist, "blank", {"length": str(length)})
    return playlist


def _track_tractor(tractor_id: str, name: str, audio: bool, playlists, duration: int):
    tractor = ET.Element("tractor", {"id": tractor_id, "in": "0", "out": str(duration - 1)})
    if audio:
        _property(tractor, "kdenlive:audio_track", 1)
    _property(tractor, "kdenlive:track_name", name)
    _property(tractor, "kdenlive:trackheight", 69)
    _property(tractor, "kdenlive:timeline_active", 1)
    _property(tractor, "kdenlive:collapsed", 0)
    for playlist in playlists:
        ET.SubElement(tractor, "track", {"hide": "video" if audio else "audio",
                                         "producer": playlist.get("id")})
    return tractor


def _main_tractor(track_ids: list, duration: int) -> ET.Element:
    tractor = ET.Element("tractor", {"id": "maintractor", "global_feed": "1", "in": "0",
                                     "out": str(duration - 1)})
    ET.SubElement(tractor, "track", {"producer": "black_track"})
    for tractor_id, _audio in track_ids:
        ET.SubElement(tractor, "track", {"producer": tractor_id})
    number = 0
    for index, (_id, audio) in enumerate(track_ids, start=1):
        # As Kdenlive does: audio tracks are summed, video tracks composited (sound hidden).
        for service in ["mix"] if audio else ["qtblend"]:
            transition = ET.SubElement(tractor, "transition", {"id": f"transition{number}"})
            number += 1
            for name, value in (("a_track", 0), ("b_track", index), ("mlt_service", service),
                                ("kdenlive_id", service), ("internal_added", 237),
                                ("always_active", 1)):
                _property(transition, name, value)
            if service == "mix":
                _property(transition, "sum", 1)
                _property(transition, "accepts_blanks", 1)
            else:
                _property(transition, "compositing", 0)
                _property(transition, "distort", 0)
    return tractor
