"""Shot thumbnails are taken at the asked times (seeking with PyAV), in any order."""
import subprocess

import numpy as np
import pytest

from trailersmith.core.errors import Cancelled, MediaError
from trailersmith.core.progress import CancelToken, Reporter
from trailersmith.core.timebase import frames_to_timecode
from trailersmith.plugin.jobs import describe_clip
from trailersmith.plugin.thumbnails import frame_time, grab_thumbnails

COLORS = {"red": (255, 0, 0), "lime": (0, 255, 0), "blue": (0, 0, 255), "white": (255, 255, 255)}


@pytest.fixture(scope="module")
def color_movie(tmp_path_factory):
    """8 s at 24 fps, keyframes every 2 s: red, lime, blue, white, 2 s each."""
    path = tmp_path_factory.mktemp("thumbs") / "colors.mp4"
    inputs = []
    for name in COLORS:
        inputs += ["-f", "lavfi", "-i", f"color=c={name}:s=160x90:r=24:d=2"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex",
                    "concat=n=4:v=1:a=0", "-c:v", "libx264", "-g", "48", "-pix_fmt", "yuv420p",
                    str(path)], check=True)
    return str(path)


def _color(picture):
    mean = picture.reshape(-1, 3).mean(axis=0)
    return min(COLORS, key=lambda n: np.abs(np.array(COLORS[n]) - mean).sum())


def test_each_thumbnail_shows_the_frame_at_its_time(color_movie):
    times = [7.0, 0.5, 3.9, 2.05, 5.0, 1.9, 99.0]  # unsorted, one past the end
    pictures = grab_thumbnails(color_movie, times, width=64)
    assert [p.shape for p in pictures] == [(36, 64, 3)] * len(times)
    assert [_color(p) for p in pictures] == ["white", "red", "lime", "lime", "blue", "red",
                                             "white"]


def test_thumbnails_are_cancellable_and_report_missing_files(color_movie, tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        grab_thumbnails(color_movie, [1.0], reporter=Reporter(cancel=token))
    with pytest.raises(MediaError):
        grab_thumbnails(str(tmp_path / "missing.mp4"), [1.0])


def test_frame_time_uses_decoded_timestamps_when_known():
    assert frame_time(48, 24) == 2.0
    assert frame_time(2, 24, np.array([0.0, 0.1, 0.35])) == 0.35


def test_timecode_and_description_of_a_clip():
    from fractions import Fraction

    from trailersmith.core.model import CutPlan, PlacedClip, VideoInfo

    assert frames_to_timecode(86400 + 24 * 61 + 5, 24) == "01:01:01:05"
    assert frames_to_timecode(30, Fraction(24000, 1001)) == "00:00:01:06"
    info = VideoInfo(path="/m.mp4", fps=Fraction(24), frame_count=5000, width=10, height=10,
                     duration_s=208.3, start_frame=86400)
    clip = PlacedClip(segment=4, shot=11, scene=2, source_start=240, source_end=288,
                      record_start=96, record_end=144, score=0.81, reason="loud and fast",
                      extended_with=[12])
    plan = CutPlan(movie=info, music_path="/x.wav", music_duration_s=10, fps=Fraction(24),
                   duration_frames=240, clips=[clip], sections=[])
    text = describe_clip(clip, plan)
    assert "01:00:10:00 - 01:00:12:00" in text
    assert text.startswith("Shot 11 (scene 2)")  # numbered as the timeline's markers are
    assert "segment 4" in text and "loud and fast" in text
    assert "00:00:04:00" in text and "shot(s) 12" in text
    clip.reason = "extended into neighbouring shots 12"
    assert "Extended with" not in describe_clip(clip, plan)
