"""detect_shots on clips made here with ffmpeg lavfi: known hard cuts, one fade, a VFR file."""
from __future__ import annotations

import shutil
import subprocess
import threading

import numpy as np
import pytest

from trailersmith.core.errors import Cancelled, ParameterError
from trailersmith.core.progress import CancelToken, Reporter
from trailersmith.core.shots import detect_shots
from trailersmith.core.shots.detect import available_detectors

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")

SIZE = "320x180"
CUTS = [50, 100, 150]  # hard cuts (25 fps)
FADE_OUT, BLACK, FADE_IN = (185, 199), (200, 209), (210, 224)
FRAMES = 260


def _skip_unless_available(detector: str) -> None:
    """Skip with the detector's own reason (torch or its weights missing) where it cannot run."""
    reason = available_detectors()[detector]
    if reason:
        pytest.skip(reason)

def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """Five 2 s shots with hard cuts at 50, 100, 150, then fade-out, 10 black frames, fade-in."""
    out = tmp_path_factory.mktemp("shots") / "cuts_and_fade.mp4"
    sources = [
        f"testsrc2=size={SIZE}:rate=25:duration=2",
        f"smptebars=size={SIZE}:rate=25:duration=2",
        f"mandelbrot=size={SIZE}:rate=25,trim=duration=2",
        f"life=size={SIZE}:rate=25:mold=10:ratio=0.3:death_color=#203040:"
        "life_color=#e0c020,trim=duration=2",
        f"color=c=black:size={SIZE}:rate=25:duration=0.4",
        f"gradients=size={SIZE}:rate=25:speed=0.05,trim=duration=2",
    ]
    args = [a for s in sources for a in ("-f", "lavfi", "-i", s)]
    graph = ("[3]fade=t=out:st=1.4:d=0.6[d];[5]fade=t=in:st=0:d=0.6[e];"
             "[0][1][2][d][4][e]concat=n=6:v=1:a=0,format=yuv420p")
    _ffmpeg(*args, "-filter_complex", graph, "-c:v", "libx264", "-preset", "veryfast",
            "-crf", "18", str(out))
    return str(out)


@pytest.fixture(scope="module")
def vfr_clip(tmp_path_factory):
    """30 fps source with every third frame dropped (VFR); hard cut at source frame 90."""
    out = tmp_path_factory.mktemp("shots") / "vfr.mp4"
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=30:duration=3",
            "-f", "lavfi", "-i", f"mandelbrot=size={SIZE}:rate=30,trim=duration=3",
            "-filter_complex", "[0][1]concat=n=2:v=1:a=0,select='not(eq(mod(n\\,3)\\,2))',"
            "format=yuv420p", "-fps_mode", "passthrough", "-c:v", "libx264",
            "-preset", "veryfast", "-crf", "18", str(out))
    return str(out)


def _check_structure(shots, n):
    s = shots.shots
    assert s[0, 0] == 0 and s[-1, 1] == n == shots.frame_count
    assert (s[1:, 0] == s[:-1, 1]).all() and (s[:, 1] > s[:, 0]).all()
    assert len(shots.kinds) == len(s) == len(shots.scenes)
    assert shots.kinds[0] == "start" and set(shots.kinds[1:]) <= {"cut", "gradual"}
    assert len(shots.frame_times_s) == n


def _check_clip(shots):
    _check_structure(shots, FRAMES)
    hard = [c for c, k in zip(shots.cuts, shots.kinds[1:]) if k == "cut"]
    assert hard == CUTS
    gradual = [c for c, k in zip(shots.cuts, shots.kinds[1:]) if k == "gradual"]
    assert len(gradual) == 1 and BLACK[0] <= gradual[0] <= BLACK[1] + 1
    (first, last), = shots.transitions.tolist()
    assert first <= FADE_OUT[0] + 2 and last >= FADE_IN[1] - 2 and first <= gradual[0] <= last
    assert len(set(shots.scenes.tolist())) == 5  # five different-looking shots


def test_histogram_detector_finds_cuts_and_fade(clip):
    shots, decoded = detect_shots(clip, detector="histogram")
    assert decoded.info.frame_count == FRAMES
    _check_clip(shots)
    assert shots.fps == 25
    assert np.allclose(np.diff(shots.frame_times_s), 1 / 25)


def test_transnetv2_finds_cuts_and_fade(clip):
    _skip_unless_available("transnetv2")
    evidence = {}
    shots, _ = detect_shots(clip, detector="transnetv2", evidence=evidence)
    _check_clip(shots)
    assert len(evidence["single"]) == FRAMES
    # The network itself fires on every hard cut (at the outgoing shot's last frame).
    assert all(evidence["single"][c - 1] > 0.5 for c in CUTS)


def test_vfr_cut_is_a_decoded_frame_index(vfr_clip):
    shots, decoded = detect_shots(vfr_clip, detector="histogram")
    assert decoded.info.variable_frame_rate and decoded.info.frame_count == 120
    _check_structure(shots, 120)
    assert shots.cuts == [60]  # source frame 90 is the 61st kept frame
    assert shots.frame_times_s[60] == pytest.approx(3.0, abs=1e-3)
    steps = np.round(np.diff(shots.frame_times_s), 4)
    assert set(steps.tolist()) == {0.0333, 0.0667}
    assert shots.durations_s()[0] == pytest.approx(3.0, abs=1e-3)


class _Recorder:
    def __init__(self, size, stride, cancel_at=None, token=None):
        self.size, self.stride = size, stride
        self.indices, self.finished = [], None
        self.cancel_at, self.token = cancel_at, token

    def consume(self, index, time_s, rgb):
        assert rgb.shape == (self.size[1], self.size[0], 3) and rgb.dtype == np.uint8
        self.indices.append(index)
        if index == self.cancel_at:
            self.token.cancel()

    def finish(self, frame_count):
        self.finished = frame_count


def test_extra_consumers_ride_along_in_the_same_pass(clip):
    rec = _Recorder((64, 36), 5)
    seen = []
    detect_shots(clip, detector="histogram", extra_consumers=[rec],
                 reporter=Reporter(callback=seen.append))
    assert rec.indices == list(range(0, FRAMES, 5)) and rec.finished == FRAMES
    assert any(p.stage == "Finding shots" for p in seen)


def test_cancel_stops_the_inference_worker(clip):
    _skip_unless_available("transnetv2")
    token = CancelToken()
    rec = _Recorder((48, 27), 1, cancel_at=120, token=token)
    with pytest.raises(Cancelled):
        detect_shots(clip, detector="transnetv2", extra_consumers=[rec],
                     reporter=Reporter(cancel=token))
    assert rec.finished is None
    assert not [t for t in threading.enumerate() if t.name.startswith("transnet")]


def test_unknown_detector_is_a_parameter_error(clip):
    with pytest.raises(ParameterError, match="histogram"):
        detect_shots(clip, detector="magic")


@pytest.fixture(scope="module")
def dissolve_clip(tmp_path_factory):
    """Two still test patterns with a 1 s cross-dissolve (frames 50-74 at 25 fps), 100 frames."""
    out = tmp_path_factory.mktemp("shots") / "dissolve.mp4"
    _ffmpeg("-f", "lavfi", "-i", f"smptebars=size={SIZE}:rate=25:duration=3",
            "-f", "lavfi", "-i", f"rgbtestsrc=size={SIZE}:rate=25:duration=2",
            "-filter_complex", "[0][1]xfade=transition=fade:duration=1:offset=2,format=yuv420p",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", str(out))
    return str(out)


def test_fused_finds_a_dissolve_without_running_the_network(dissolve_clip):
    _skip_unless_available("fused")
    evidence = {}
    shots, _ = detect_shots(dissolve_clip, detector="fused", evidence=evidence)
    _check_structure(shots, 100)  # 3 s + 2 s, overlapping by the 1 s dissolve
    assert shots.kinds[1:] == ["gradual"] and 50 <= shots.cuts[0] <= 75
    (first, last), = shots.transitions.tolist()
    assert 48 <= first <= last <= 77
    assert evidence["windows_run"] == 0  # the blend test decided: TransNetV2 never ran
    histogram, _ = detect_shots(dissolve_clip, detector="histogram")
    assert histogram.cuts == []  # what the fused detector adds over colour-difference peaks
