"""The re-cut contract, checked the same way for every edited-timeline format."""
from __future__ import annotations

import numpy as np


def check_recut_plan(result, frame_count: int, spoiler_guard: float) -> None:
    """Clips back to back from frame 0 to the new music's end; every cut on a beat of the new
    track; no source frame twice; nothing after the guard.

    A kept clip starts on a beat, but its exact length may end it between beats: no further from
    one than a start among the nearby beats allows (+1 frame), since the retimer looks
    ``ALIGN_SEARCH_BEATS`` beats around the planned cut.
    """
    from trailersmith.core.recut.retime import ALIGN_SEARCH_BEATS

    plan = result.plan
    assert plan.duration_frames == round(result.music.analysis.duration_s * plan.fps)
    assert plan.clips[0].record_start == 0 and plan.clips[-1].record_end == plan.duration_frames
    for a, b in zip(plan.clips, plan.clips[1:]):
        assert a.record_end == b.record_start
    beats = np.round(np.asarray(result.music.analysis.beats_s) * float(plan.fps)).astype(int)
    for prev, clip in zip(plan.clips, plan.clips[1:]):
        offset = np.min(np.abs(beats - clip.record_start))
        if prev.tags.get("recut") == "kept":
            k = int(np.searchsorted(beats, prev.record_start))
            assert prev.record_start == 0 or beats[k] == prev.record_start
            nearby = beats[max(k - ALIGN_SEARCH_BEATS, 0):k + ALIGN_SEARCH_BEATS + 1]
            best = min(np.min(np.abs(beats - (b + prev.length))) for b in nearby)
            assert offset <= best + 1, (offset, best, prev.record_start, prev.length)
        else:
            assert offset == 0
    used = np.zeros(frame_count, int)
    for c in plan.clips:
        used[c.source_start:c.source_end] += 1
    assert used.max() == 1
    assert not used[int(frame_count * spoiler_guard):].any()
