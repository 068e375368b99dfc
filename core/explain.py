"""Plain-language reasons for each chosen shot, from the backends' cues.

A reason names only what a detector measured on that shot: motion and brightness from the frame
statistics, faces only when the face detector found some ("two faces, close-up"), dialogue only
when the voice-activity detector heard speech in the shot ("dialogue 2.1 s"), text only when
the text-overlay cue read it. Nothing is inferred from colour alone (a skin-tone share is not a
face).
"""
from __future__ import annotations

import numpy as np

from .features.affect import quantiles
from .features.faces import framing
from .features.speech import lines_in, spans_from_state

_NUMBERS = ("no", "one", "two", "three", "four", "five")
#: Share of a shot's sampled frames read as text from which the reason mentions it.
TEXT_SHARE = 0.5
#: Seconds of speech in a shot from which the reason mentions dialogue.
DIALOGUE_S = 0.3


def faces_phrase(count: float, height_share: float) -> str:
    """``"two faces, close-up"``; empty when no face was found."""
    n = int(count)
    if n <= 0:
        return ""
    word = _NUMBERS[n] if n < len(_NUMBERS) else str(n)
    return f"{word} face{'s' if n > 1 else ''}, {framing(height_share)}"


def detected_phrases(shot_cues: dict, i: int) -> list:
    """What the detectors found on shot ``i``: faces, dialogue, on-screen text (maybe none)."""
    out = []
    if "face_count" in shot_cues:
        phrase = faces_phrase(shot_cues["face_count"][i], shot_cues["face_share"][i])
        if phrase:
            out.append(phrase)
    if "speech_s" in shot_cues and shot_cues["speech_s"][i] >= DIALOGUE_S:
        out.append(f"dialogue {shot_cues['speech_s'][i]:.1f} s")
    if "text_fraction" in shot_cues and shot_cues["text_fraction"][i] >= TEXT_SHARE:
        out.append("title text")
    return out


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
    spans = spans_from_state(getattr(movie, "frame_state", None) or {})
    times = movie.shots.frame_times_s
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
        parts.extend(detected_phrases(shot_cues, clip.shot))
        if spans and times is not None:
            end = times[clip.source_end] if clip.source_end < len(times) else times[-1] + 1.0
            lines = lines_in(spans, float(times[clip.source_start]), float(end))
            if lines:
                clip.tags["lines"] = "; ".join(f"{a:.1f}-{b:.1f} s" for a, b in lines)
                parts.append(f"lines at {clip.tags['lines']} (movie time)")
        if "emotion" in shot_cues:
            clip.tags["shot_emotion"] = str(np.asarray(shot_cues["emotion"])[clip.shot])
            parts.append(f"mood: {clip.tags['shot_emotion']}")
        if "emotion" in seg_cues:
            clip.tags["music_emotion"] = str(np.asarray(seg_cues["emotion"])[clip.segment])
            parts.append(f"music mood: {clip.tags['music_emotion']}")
        parts.append(f"score {clip.score:.2f}")
        clip.reason = "; ".join(parts) + ". " + clip.reason
