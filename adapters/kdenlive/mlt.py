"""What the Kdenlive writer and reader share: our custom MLT properties and Kdenlive's marker types.

MLT and Kdenlive keep unknown producer properties as they are, so ours survive a re-save.
"""
from __future__ import annotations

#: The producer's first frame in the media's own timecode (MLT positions count from 0).
START_FRAME_PROPERTY = "trailersmith:start_frame"
#: Kdenlive's marker "type" numbers are indices into this list of OTIO marker colours.
MARKER_COLOURS = ("PURPLE", "CYAN", "BLUE", "GREEN", "YELLOW", "ORANGE", "RED", "PINK",
                  "MAGENTA")


def marker_type(colour) -> int:
    """Kdenlive's marker type for an OTIO marker colour (0 for colours it lacks)."""
    name = str(colour).upper()
    return MARKER_COLOURS.index(name) if name in MARKER_COLOURS else 0


def marker_colour(kind) -> str:
    """The OTIO marker colour for a Kdenlive marker type."""
    kind = int(kind)
    return MARKER_COLOURS[kind] if 0 <= kind < len(MARKER_COLOURS) else MARKER_COLOURS[0]


def properties(element) -> dict:
    """``<property name=...>`` children of ``element`` as a dict of strings."""
    return {p.get("name"): (p.text or "") for p in element.findall("property")}
