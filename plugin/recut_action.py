"""The panel's **Re-cut to another track (keep my edits)**: pick the edit, pick the track, run.

The edited timeline comes from a file (``.otio``, ``.kdenlive``, ``.xml``, ``.edl``) or, inside
Resolve, from the current timeline, exported read-only through the scripting API; the result is a
new timeline, shown like a suggestion (Export, Send to Resolve...).
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QFileDialog

from trailersmith.core.errors import TrailersmithError

from .jobs import recut_job

RECUT_TIP = ("Pick a trailer you edited (or, in Resolve, the current timeline) and a new track: "
             "your shots, order and 'keep' markers stay; the rest is filled in.")
EDITED_FILTER = "Edited timelines (*.otio *.kdenlive *.xml *.edl)"


def pick_edited(panel) -> Optional[str]:
    """The edited timeline: Resolve's current timeline inside Resolve, else a file dialog."""
    if panel.host is not None:
        return panel.host.export_current_timeline()
    path, _ = QFileDialog.getOpenFileName(panel, "Edited trailer timeline",
                                          panel.settings.last_dir or "", EDITED_FILTER)
    return path or None


def start_recut(panel, edited_path: Optional[str] = None,
                music_path: Optional[str] = None) -> bool:
    """Start a re-cut on ``panel``; False (and a message) when something is missing."""
    if panel.runner.running:
        return False
    try:
        edited_path = edited_path or pick_edited(panel)
        if not edited_path:
            return False
        music_path = music_path or panel.music_input.browse()
        if not music_path:
            return False
        options = panel._options()
    except TrailersmithError as exc:
        panel.set_message(str(exc), "error")
        return False
    movie = panel.movie_input.path or None
    job = recut_job(edited_path, music_path, options, movie_path=movie,
                    thumbnail_width=panel.settings.thumbnail_width)
    panel.begin_job(job, "Re-cutting your edit; click Cancel to stop.")
    return True
