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
