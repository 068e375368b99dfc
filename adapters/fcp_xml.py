"""Final Cut Pro 7 XML interchange format (``.xml``), through the ``otio-fcp-adapter`` package.

Specification: https://developer.apple.com/library/archive/documentation/AppleApplications/Reference/FinalCutPro_XML/
FCP XML names media by ``file://`` URL (``pathurl``), so bare paths are converted on the way out
and back on the way in.

What it can carry: a ``<rate>`` is an integer ``timebase`` with an ``ntsc`` flag, and the adapter
writes SMPTE timecode, so only 24, 25, 30, 48, 50, 60 fps and their /1.001 rates. XML 1.0 cannot
hold control characters: names are escaped, paths are percent-encoded in their URLs. With the
shots' own sound on "Audio 2", each shot's picture and sound clip items are joined by ``<link>``
elements (the adapter writes none), so an editor moves them together. A title card's
placeholder is FCP's own placeholder, a Slug generator (``<generatoritem>``) named TITLE.
"""
from __future__ import annotations

from ..core.errors import ParameterError
from ..core.fileio import write_atomic
from ..core.timebase import is_smpte_rate, rate_label
from ..core.timeline import is_source_audio_track, is_title_card
from ._files import one_line_copy, path_to_url, url_to_path


def carry_problem(fps, *, media_paths=(), source_frames=None):
    """Why FCP7 XML cannot hold a timeline at ``fps``; None when it can."""
    if not is_smpte_rate(fps):
        return (f"FCP7 XML carries only 24, 25, 30, 48, 50, 60 fps and their /1.001 rates, not "
                f"{rate_label(fps)}; write .otio or .kdenlive instead")
    return None


def write_to_string(timeline, *, root: str = "") -> str:
    """``timeline`` as FCP7 XML text, media paths as ``file://`` URLs.

    Raises :class:`ParameterError` at a rate FCP7 XML cannot carry.
    """
    import opentimelineio as otio

    rate = timeline.duration().rate
    problem = carry_problem(rate)
    if problem:
        raise ParameterError(f"Cannot write this timeline as FCP7 XML: {problem}.")
    copy = one_line_copy(timeline)
    for clip in copy.find_clips():
        if is_title_card(clip):
            clip.media_reference = _slug(clip)
            for marker in clip.markers:  # FCP's <marker><comment>, which the adapter leaves out
                marker.metadata["fcp_xml"] = {"comment": marker.comment}
            continue
        for reference in clip.media_references().values():
            url = getattr(reference, "target_url", None)
            if url and "://" not in url:
                reference.target_url = path_to_url(url)
    text = otio.adapters.write_to_string(copy, adapter_name="fcp_xml")
    return _linked(text, timeline) if _source_audio_index(timeline) is not None else text


def _slug(clip):
    """FCP 7's placeholder generator (Slug, a black matte) for the title card."""
    import opentimelineio as otio

    return otio.schema.GeneratorReference(
        name="Slug", generator_kind="Slug",
        available_range=clip.media_reference.available_range,
        metadata={"fcp_xml": {"effectcategory": "Matte", "effecttype": "generator",
                              "mediatype": "video"}})


def _source_audio_index(timeline):
    """Index among the audio tracks of the shots' own sound, or None without one."""
    audio = [t for t in timeline.tracks if t.kind == "Audio"]
    for index, track in enumerate(audio):
        if is_source_audio_track(track):
            return index
    return None


def _linked(text: str, timeline) -> str:
    """``text`` with each shot's video and source-audio clip items linked to each other."""
    import xml.etree.ElementTree as ET

    head, sep, _body = text.partition("<xmeml")
    root = ET.fromstring(text[len(head):])
    media = root.find(".//sequence/media")
    video = media.find("video").findall("track")[0].findall("clipitem")
    index = _source_audio_index(timeline)
    sound = media.find("audio").findall("track")[index].findall("clipitem")
    for number, pair in enumerate(zip(video, sound), start=1):
        for item in pair:
            for kind, track, other in (("video", 1, pair[0]), ("audio", index + 1, pair[1])):
                link = ET.SubElement(item, "link")
                for tag, value in (("linkclipref", other.get("id")), ("mediatype", kind),
                                   ("trackindex", track), ("clipindex", number)):
                    ET.SubElement(link, tag).text = str(value)
                if kind == "audio":
                    ET.SubElement(link, "groupindex").text = "1"
    return head + ET.tostring(root, encoding="unicode") + "\n"


def write_to_file(timeline, path: str) -> None:
    """Write ``timeline`` as FCP7 XML to ``path`` (checked and atomic)."""
    write_atomic(path, write_to_string(timeline))


def read_from_file(path: str):
    """Read FCP7 XML; ``file://`` URLs come back as bare absolute paths."""
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(path, adapter_name="fcp_xml")
    for clip in timeline.find_clips():
        for reference in clip.media_references().values():
            url = getattr(reference, "target_url", None)
            if url and url.lower().startswith("file:"):
                reference.target_url = url_to_path(url)
    return timeline
