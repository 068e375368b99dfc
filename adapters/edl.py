"""CMX 3600 edit decision list (``.edl``), through the ``otio-cmx3600-adapter`` package.

Specification: CMX 3600 EDL, as documented by the adapter
(https://github.com/OpenTimelineIO/otio-cmx3600-adapter) and at https://xmil.biz/EDL-X/CMX3600.pdf.
The EDL holds the video track's events (the adapter writes one track). Record timecodes start at
the timeline's ``global_start_time`` (01:00:00:00 for ours), as editors' own EDLs do. An EDL carries
no frame rate; the reader needs it.
"""
from __future__ import annotations

import re

from ..core.fileio import write_atomic
from ..core.timebase import as_rate, timecode_to_frames

_EVENT = re.compile(r"^\d{3,}\s+\S+\s+\S+\s+\S+\s+(?:\d+\s+)?(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$")


def write_to_string(timeline, *, root: str = "") -> str:
    """The video track of ``timeline`` as CMX 3600 EDL text."""
    import opentimelineio as otio

    copy = timeline.deepcopy()
    start = timeline.global_start_time
    if start is not None and start.value > 0:
        # The adapter counts record time from 0; a leading gap moves it to the timeline's start.
        for track in copy.tracks:
            track.insert(0, otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=start)))
    return otio.adapters.write_to_string(copy, adapter_name="cmx_3600")


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
