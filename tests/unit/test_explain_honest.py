"""Explanations name only what a detector found: faces, dialogue, on-screen text."""
from types import SimpleNamespace

import numpy as np

from trailersmith.core.explain import explain_clips, faces_phrase
from trailersmith.core.model import PlacedClip


def _clip(shot):
    return PlacedClip(segment=0, shot=shot, scene=0, source_start=shot * 10,
                      source_end=shot * 10 + 10, record_start=0, record_end=10, score=0.5,
                      reason="chosen")


def _explain(cues, state=None):
    n = len(next(iter(cues.values())))
    base = {"motion": np.linspace(0, 1, n), "brightness": np.linspace(0, 1, n)}
    shots = SimpleNamespace(frame_times_s=np.arange(10 * n) / 24.0)
    movie = SimpleNamespace(shot_cues={**base, **cues}, frame_state=state or {}, shots=shots)
    music = SimpleNamespace(segment_cues={"loudness_db": np.array([-10.0])})
    plan = SimpleNamespace(clips=[_clip(i) for i in range(n)])
    explain_clips(plan, movie, music)
    return [c.reason for c in plan.clips]


def test_skin_tones_alone_never_read_as_faces():
    reasons = _explain({"skin": np.array([0.4, 0.5, 0.0])})  # grass and an apple
    assert not any("face" in r or "skin" in r or "people" in r for r in reasons)


def test_faces_dialogue_and_text_are_named_only_where_detected():
    reasons = _explain({"skin": np.array([0.5, 0.0, 0.0]),
                        "face_count": np.array([0.0, 2.0, 1.0]),
                        "face_share": np.array([0.0, 0.6, 0.25]),
                        "speech_s": np.array([2.1, 0.0, 0.1]),
                        "text_fraction": np.array([0.0, 0.0, 0.9])})
    assert "face" not in reasons[0] and "dialogue 2.1 s" in reasons[0]
    assert "two faces, close-up" in reasons[1] and "dialogue" not in reasons[1]
    assert "one face, medium" in reasons[2] and "title text" in reasons[2]
    assert "dialogue" not in reasons[2]  # 0.1 s is a breath, not a line


def test_faces_phrase():
    assert faces_phrase(0, 0.0) == ""
    assert faces_phrase(3, 0.1) == "three faces, wide"
