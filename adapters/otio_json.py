"""OpenTimelineIO's native JSON (``.otio``), the format Resolve 18.5+ and Kdenlive 25.04+ import.

Specification: https://opentimelineio.readthedocs.io/en/latest/tutorials/otio-file-format-specification.html
"""
from __future__ import annotations


def write_to_file(timeline, path: str) -> None:
    """Write ``timeline`` as OTIO JSON to ``path``."""
    import opentimelineio as otio

    otio.adapters.write_to_file(timeline, path, adapter_name="otio_json")


def read_from_file(path: str):
    """Read an ``.otio`` file into a timeline."""
    import opentimelineio as otio

    return otio.adapters.read_from_file(path, adapter_name="otio_json")
