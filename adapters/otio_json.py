"""OpenTimelineIO's native JSON (``.otio``), the format Resolve 18.5+ and Kdenlive 25.04+ import.

Specification: https://opentimelineio.readthedocs.io/en/latest/tutorials/otio-file-format-specification.html
Carries any rational frame rate.
"""
from __future__ import annotations

from ..core.fileio import write_atomic


def carry_problem(fps, *, media_paths=(), source_frames=None):
    """Always None: OTIO holds any rational rate, any timecode and any name."""
    return None


def write_to_string(timeline, *, root: str = "") -> str:
    """``timeline`` as OTIO JSON text (``root``, the output's folder, is not needed here)."""
    import opentimelineio as otio

    return otio.adapters.write_to_string(timeline, adapter_name="otio_json")


def write_to_file(timeline, path: str) -> None:
    """Write ``timeline`` as OTIO JSON to ``path`` (checked and atomic)."""
    write_atomic(path, write_to_string(timeline))


def read_from_file(path: str):
    """Read an ``.otio`` file into a timeline."""
    import opentimelineio as otio

    return otio.adapters.read_from_file(path, adapter_name="otio_json")


# KDENLIVE_26_OTIO_IMPORT (measured with Kdenlive 26.08.2, tests/integration/test_kdenlive26.py):
# Kdenlive's File > OpenTimelineIO Import places every clip of our .otio right except the last
# clip of each track, whose source in-point is saved (and played) as 0. Kdenlive causes it, not
# this file: its OtioImport::importClip (src/otio/otioimport.cpp) inserts each clip whole, trims
# it with requestItemResize, then moves it to its in-point with requestClipSlip. Its log shows the
# right slip for the last clip too ("SLIP CLIP ... inPoint 400 outPoint 453 ... fulllength 480"),
# but ClipModel::requestSlip (src/timeline2/model/clipmodel.cpp) only updates the clip's producer
# (setInOut), while resizes go through the track's playlist (TrackModel::requestClipResize_lambda).
# The next clip's insertion into the same track brings every earlier slip into the playlist; the
# last clip has no next one. Measured: reordering the clips moves the defect to whichever clip
# is last; appending a clip fixes the old last one and breaks the new one; a trailing gap, no
# audio track, no clip markers, no available_range, or a transition do not change it. So there
# is nothing to fix in the .otio; the only workaround found adds material (a 1-frame clip at the
# movie's first frame after the music's end makes every planned clip exact), so it is not done.
# For Kdenlive, open our .kdenlive instead, which Kdenlive 22.12 and 26.08 place clip for clip.
