"""On Big Buck Bunny, no explanation mentions faces unless the face detector fired on that shot.

BBB's characters are cartoon animals: dlib's human-face detector fires on few of its frames, and
the colour-based skin share (high on grass, apples, the bunny's fur) must never read as faces.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from trailersmith.core.features import faces
from trailersmith.core.pipeline import SuggestOptions, suggest

BBB = "video/bbb/bbb_full_720p24.mp4"
MUSIC = "music/wesnoth/love_theme.ogg"
FACE_WORDS = re.compile(r"\bfaces?\b|skin|people", re.I)


@pytest.mark.slow
def test_bbb_reasons_mention_faces_only_where_detected(media_path):
    result = suggest(str(media_path(BBB)), str(media_path(MUSIC)), SuggestOptions())
    cues = result.movie.shot_cues
    mentions = [c for c in result.plan.clips if FACE_WORDS.search(c.reason)]
    for clip in mentions:
        assert cues["face_count"][clip.shot] > 0, clip.reason
    if faces.unavailable_reason() is None:
        assert "face_count" in cues
        # Shots the detector did not fire on say nothing of faces, whatever their skin share.
        silent = [c for c in result.plan.clips if cues["face_count"][c.shot] == 0]
        assert silent and not any(FACE_WORDS.search(c.reason) for c in silent)
        print(f"BBB: {int(np.sum(cues['face_count'] > 0))} of {len(cues['face_count'])} shots "
              f"with a detected face; {len(mentions)} of {len(result.plan.clips)} clips say so")
    else:
        assert not mentions
