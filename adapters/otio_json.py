"""OpenTimelineIO's native JSON (``.otio``), the format Resolve 18.5+ and Kdenlive 25.04+ import.

Specification: https://opentimelineio.readthedocs.io/en/latest/tutorials/otio-file-format-specification.html
Carries any rational frame rate.
"""
from __future__ import annotations

from ..core.fileio import write_atomic


def carry_problem(fps, *, media_paths=(), source_frames=None):
    """Always None: OTIO holds any rational rate, any timecode and any name."""
    return None


TAIL_ROLE = "kdenlive_import_tail"


def write_to_string(timeline, *, root: str = "", kdenlive_tail: bool = True) -> str:
    """``timeline`` as OTIO JSON text (``root``, the output's folder, is not needed here).

    With ``kdenlive_tail`` (a file any editor may open), each track whose last clip does not start
    at its media's first frame gets a disabled 1-frame tail clip (KDENLIVE_26_OTIO_IMPORT below);
    :func:`read_from_file` drops it again. A file only Resolve reads goes without."""
    import opentimelineio as otio

    if kdenlive_tail:
        timeline = _with_tails(timeline)
    return otio.adapters.write_to_string(timeline, adapter_name="otio_json")


def _with_tails(timeline):
    """A copy of ``timeline`` with the Kdenlive 26 import tail on every track that needs one."""
    import opentimelineio as otio

    timeline = timeline.deepcopy()
    for track in timeline.tracks:
        clips = [item for item in track if isinstance(item, otio.schema.Clip)]
        last = clips[-1] if clips else None
        if last is None or track[-1] is not last:
            continue
        reference = last.media_reference
        available = getattr(reference, "available_range", None)
        if not isinstance(reference, otio.schema.ExternalReference) or available is None \
                or last.source_range is None \
                or last.source_range.start_time == available.start_time:
            continue
        rate = last.source_range.duration.rate
        tail = otio.schema.Clip(
            name="Kdenlive import tail (disabled)", media_reference=reference.deepcopy(),
            source_range=otio.opentime.TimeRange(available.start_time,
                                                 otio.opentime.RationalTime(1, rate)),
            metadata={"trailersmith": {"role": TAIL_ROLE}})
        tail.enabled = False
        track.append(tail)
    return timeline


def is_tail(item) -> bool:
    """True for the Kdenlive import tail :func:`write_to_string` adds."""
    meta = (getattr(item, "metadata", None) or {}).get("trailersmith") or {}
    return meta.get("role") == TAIL_ROLE


def write_to_file(timeline, path: str) -> None:
    """Write ``timeline`` as OTIO JSON to ``path`` (checked and atomic)."""
    write_atomic(path, write_to_string(timeline))


def read_from_file(path: str):
    """Read an ``.otio`` file into a timeline."""
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(path, adapter_name="otio_json")
    for track in timeline.tracks:
        while len(track) and is_tail(track[-1]):
            del track[-1]
    return timeline


# KDENLIVE_26_OTIO_IMPORT: a WORKAROUND for a defect in Kdenlive (26.08.2), not a fix: our .otio is
# right. Kdenlive's File > OpenTimelineIO Import places every clip right except the last clip of
# each track, whose source in-point is saved (and played) as 0. Its OtioImport::importClip
# (src/otio/otioimport.cpp) inserts each clip whole, trims it with requestItemResize, then moves
# it to its in-point with requestClipSlip; ClipModel::requestSlip only changes the clip's producer
# (setInOut), and the track's MLT playlist picks that up at its next change, which for the last
# clip never comes (measured: reordering moves the defect to whichever clip is last; appending a
# clip fixes the old last one and breaks the new one; a trailing gap, no audio track, no clip
# markers, no available_range, a transition change nothing).
# The workaround: one more clip after the track's last one, 1 frame long, at its media's first
# frame (so it needs no slip itself), disabled. Measured in Kdenlive 26.08.2
# (tests/integration/test_kdenlive26.py and the variants in the kden26b report):
# - media = the movie (ExternalReference): imported; every planned clip exact. Kdenlive's importer
#   ignores ``enabled``, so Kdenlive shows that one frame after the music ends (timeline 1 frame
#   longer than the music); OTIO-honouring editors skip it as disabled.
# - media = a 1-frame transparent PNG: also exact, but needs a file beside the .otio that must
#   exist wherever the .otio goes (and inside Kdenlive's sandbox), so not used.
# - GeneratorReference / MissingReference: skipped by importClip (no bin clip), defect stays.
# Only tracks whose last clip needs a slip get it (a full-track music clip starting at 0 does not).
# read_from_file drops it, so our own readers (recut, round trips) never see it.
