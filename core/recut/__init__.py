"""Re-cut an edited trailer to another music track while keeping the editor's choices.

The room has three steps, one module each: :mod:`.edited` reads the editor's video clips out of a
timeline (any format the adapters read into OTIO), :mod:`.retime` lays them on the new track's cut
points (kept clips exact, the plan bending around them), and :mod:`.fill` chooses new shots for
the segments the editor's clips do not cover, avoiding material already used. :func:`recut` in
:mod:`.job` runs the three on cached analyses.
"""
from .edited import EditedClip, KEEP_MARKER, read_edited_clips
from .retime import ClipOutcome, RecutReport
from .job import RecutResult, recut

__all__ = ["EditedClip", "KEEP_MARKER", "read_edited_clips", "ClipOutcome", "RecutReport",
           "RecutResult", "recut"]
