"""Probe and decode: rational rates, timecode, stream-copied excerpts, truncation, cancel."""
import shutil
import subprocess
from fractions import Fraction

import pytest

from trailersmith.core import synthetic
from trailersmith.core.errors import Cancelled, MediaError
from trailersmith.core.media import decode_video, probe_video
from trailersmith.core.progress import CancelToken, Reporter


class Counter:
    size = (32, 18)
    stride = 1

    def __init__(self):
        self.indices = []

    def consume(self, index, time_s, rgb):
        assert rgb.shape == (18, 32, 3)
        self.indices.append(index)

    def finish(self, frame_count):
        self.frames = frame_count


@pytest.fixture(scope="module")
def movie(tmp_path_factory):
    path = tmp_path_factory.mktemp("media") / "m.mp4"
    return synthetic.make_movie(str(path), shot_lengths=[60] * 10, fps=Fraction(24000, 1001),
                                size=(160, 90), timecode="01:00:00:00")


def test_probe_keeps_the_exact_rate_and_the_start_timecode(movie):
    info = probe_video(movie.path)
    assert info.fps == Fraction(24000, 1001)
    assert info.start_timecode == "01:00:00:00" and info.start_frame == 86400
    assert info.frame_count == 600


def test_every_frame_once_in_order(movie):
    c = Counter()
    result = decode_video(movie.path, [c])
    assert c.indices == list(range(600)) and c.frames == 600
    assert result.frame_times_s[1] == pytest.approx(1001 / 24000, abs=1e-4)


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg not installed")
def test_stream_copied_excerpt_is_not_mistaken_for_a_truncated_file(movie, tmp_path):
    # -c copy keeps pre-roll frames that the edit list hides: the container over-counts frames.
    out = tmp_path / "excerpt.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-ss", "7", "-i", movie.path, "-t", "10", "-c",
                    "copy", str(out)], check=True)
    result = decode_video(str(out), [Counter()])
    assert 200 < result.info.frame_count <= 260


def test_cancel_stops_the_decode(movie):
    token = CancelToken()

    class Cancelling(Counter):
        def consume(self, index, time_s, rgb):
            if index == 5:
                token.cancel()

    with pytest.raises(Cancelled):
        decode_video(movie.path, [Cancelling()], reporter=Reporter(cancel=token))


def test_audio_only_file_is_refused(tmp_path):
    music = tmp_path / "a.wav"
    synthetic.make_music(str(music), duration_s=3.0)
    with pytest.raises(MediaError, match="no video stream"):
        probe_video(str(music))
