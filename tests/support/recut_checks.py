"""The re-cut contract, checked the same way for every edited-timeline format."""
from __future__ import annotations

import numpy as np


def check_recut_plan(result, frame_count: int, spoiler_guard: float) -> None:
    """Every cut on a beat of the new track (a kept clip's exact length may end it between beats,
    but no further from one than the track's best beat-to-beat span allows, +1 frame); no source
    frame twice; nothing after the spoiler guard."""
    plan = result.plan
    beats = np.round(np.asarray(result.music.analysis.beats_s) * float(plan.fps)).astype(int)
    spans = (beats[None, :] - beats[:, None]).ravel()
    for prev, clip in zip(plan.clips, plan.clips[1:]):
        offset = np.min(np.abs(beats - clip.record_start))
        if prev.tags.get("recut") == "kept":
            assert offset <= np.min(np.abs(spans - prev.length)) + 1
        else:
            assert offset == 0
    used = np.zeros(frame_count, int)
    for c in plan.clips:
        used[c.source_start:c.source_end] += 1
    assert used.max() == 1
    assert not used[int(frame_count * spoiler_guard):].any()
