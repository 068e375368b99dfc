"""Plain-language reasons for each chosen shot, from the backends' cues."""
from __future__ import annotations

import numpy as np

from .features.affect import quantiles


def _pct(q: float) -> str:
    return f"{int(round(100 * q))}th pct"


def _level(q: float, low: str, mid: str, high: str) -> str:
    return high if q >= 0.67 else (low if q < 0.33 else mid)


def explain_clips(plan, movie, music) -> None:
    """Prefix each clip's reason in ``plan`` with what its shot and its segment have in common."""
    shot_cues, seg_cues = movie.shot_cues, music.segment_cues
    motion_q = quantiles(shot_cues["motion"]) if "motion" in shot_cues else None
    bright_q = quantiles(shot_cues["brightness"]) if "brightness" in shot_cues else None
    loud_q = quantiles(seg_cues["loudness_db"]) if "loudness_db" in seg_cues else None
    for clip in plan.clips:
        parts = []
        if loud_q is not None and motion_q is not None:
            j, i = clip.segment, clip.shot
            parts.append(f"{_level(loud_q[j], 'quiet', 'moderate', 'loud')} music "
                         f"(loudness {_pct(loud_q[j])}) -> "
                         f"{_level(motion_q[i], 'calm', 'moving', 'high-motion')} shot "
                         f"(motion {_pct(motion_q[i])})")
        if bright_q is not None:
            parts.append(_level(bright_q[clip.shot], "dark image", "mid-tone image",
                                "bright image"))
        if "skin" in shot_cues and shot_cues["skin"][clip.shot] > 0.08:
            parts.append("skin tones (people or faces)")
        if "emotion" in shot_cues:
            clip.tags["shot_emotion"] = str(np.asarray(shot_cues["emotion"])[clip.shot])
            parts.append(f"mood: {clip.tags['shot_emotion']}")
        if "emotion" in seg_cues:
            clip.tags["music_emotion"] = str(np.asarray(seg_cues["emotion"])[clip.segment])
            parts.append(f"music mood: {clip.tags['music_emotion']}")
        parts.append(f"score {clip.score:.2f}")
        clip.reason = "; ".join(parts) + ". " + clip.reason
