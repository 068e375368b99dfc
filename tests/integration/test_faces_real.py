"""Face counts on real frames against a hand count (skipped without dlib or the media).

GoldenEye (goldeneye-vfr-drop3.mp4, 160 decoded frames), counted by eye on PNGs extracted with
``ffmpeg -vf select=eq(n\\,N)``: frames 0-139 show a computer screen whose only face is a small
drawn caricature in a message window (no person: hand count 0); frames 140-159 show Boris and
Natalya side by side, both faces towards the camera (hand count 2; a blurred head at the far
left is seen from behind and not counted).
"""
from __future__ import annotations

import pytest

from trailersmith.core.features import faces
from trailersmith.core.media import decode_video, probe_video

GOLDENEYE = "video/pyscenedetect/goldeneye-vfr-drop3.mp4"
HAND_COUNT = {**{f: 0 for f in range(0, 140, 5)}, **{f: 2 for f in range(140, 160, 5)}}


@pytest.fixture
def detector_installed():
    if faces.unavailable_reason():
        pytest.skip(faces.unavailable_reason())


def test_goldeneye_face_counts_match_the_hand_count(media_path, detector_installed):
    path = str(media_path(GOLDENEYE))
    consumer = faces.FaceConsumer(probe_video(path))
    consumer.stride = 5  # every 5th frame, not one a second: the hand count covers them all
    decode_video(path, [consumer])
    state = consumer.state()
    found = {int(f): int(n) for f, n, _ in state}
    assert found == HAND_COUNT
    # Head and shoulders of two people: a medium shot, the larger face box ~40% of the height.
    shares = state[state[:, 1] > 0, 2]
    assert {faces.framing(s) for s in shares} == {"medium"}
