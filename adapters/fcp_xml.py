"""Final Cut Pro 7 XML interchange format (``.xml``), through the ``otio-fcp-adapter`` package.

Specification: https://developer.apple.com/library/archive/documentation/AppleApplications/Reference/FinalCutPro_XML/
FCP XML names media by ``file://`` URL (``pathurl``), so bare paths are converted on the way out
and back on the way in.
"""
from __future__ import annotations

from ..core.fileio import write_atomic
from ._files import path_to_url, url_to_path


def write_to_string(timeline, *, root: str = "") -> str:
    """``timeline`` as FCP7 XML text, media paths as ``file://`` URLs."""
    import opentimelineio as otio

    copy = timeline.deepcopy()
    for clip in copy.find_clips():
        for reference in clip.media_references().values():
            url = getattr(reference, "target_url", None)
            if url and "://" not in url:
                reference.target_url = path_to_url(url)
    return otio.adapters.write_to_string(copy, adapter_name="fcp_xml")


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
