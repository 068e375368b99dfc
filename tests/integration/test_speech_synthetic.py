"""Dialogue on a clip the test makes: espeak-ng lines over real music at known times.

The clip is 20 s of a plain picture with Wesnoth's "frantic" (orchestral, from ../shared/media)
under it, and two lines spoken by espeak-ng placed at 3.0 s and 11.0 s. The truth of each line is
its placement plus the voiced extent of espeak's own output (samples above 2% of full scale).
The movie's soundtrack is decoded in the same pass as its pictures and read by the VAD.
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from trailersmith.core.features import speech
from trailersmith.core.features.affect import AffectBackend
from trailersmith.core.media import load_audio, probe_video
from trailersmith.core.shots import detect_shots

LINES = ((3.0, "Nobody leaves this island alive tonight."),
         (11.0, "Then we had better start running, captain."))
MUSIC = "music/wesnoth/frantic.ogg"
DURATION_S = 20.0


@pytest.fixture
def spoken_clip(tmp_path, media_path):
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("espeak-ng and ffmpeg are needed (scripts/setup_test_env.sh installs them)")
    if speech.unavailable_reason():
        pytest.skip(speech.unavailable_reason())
    sr = 16000
    mix = 0.35 * load_audio(str(media_path(MUSIC)), sr)[:int(DURATION_S * sr)]
    truth = []
    for k, (at, text) in enumerate(LINES):
        wav = tmp_path / f"line{k}.wav"
        subprocess.run(["espeak-ng", "-w", str(wav), text], check=True)
        voice = load_audio(str(wav), sr, role="Speech")
        voiced = np.flatnonzero(np.abs(voice) > 0.02)
        start = int(at * sr)
        mix[start:start + len(voice)] += voice
        truth.append((at + voiced[0] / sr, at + voiced[-1] / sr))
    raw = tmp_path / "mix.f32"
    np.clip(mix, -1, 1).astype("<f4").tofile(raw)
    movie = tmp_path / "spoken.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=320x180:rate=24:duration={DURATION_S}", "-f", "f32le",
                    "-ar", str(sr), "-ac", "1", "-i", str(raw), "-c:v", "libx264", "-pix_fmt",
                    "yuv420p", "-c:a", "aac", "-shortest", str(movie)], check=True)
    return movie, truth


def test_spoken_spans_are_found_within_a_fifth_of_a_second(spoken_clip):
    movie, truth = spoken_clip
    backend = AffectBackend()
    consumers = backend.frame_consumers(probe_video(str(movie)))
    shots, _ = detect_shots(str(movie), detector="histogram", extra_consumers=consumers)
    state = backend.frame_state()
    spans = speech.spans_from_state(state)
    assert len(spans) == len(truth), spans
    for (a, b), (ta, tb) in zip(spans, truth):
        assert abs(a - ta) <= 0.2 and abs(b - tb) <= 0.2, ((a, b), (ta, tb))
    # Per shot: the seconds of speech add up to the lines' length.
    cues = speech.shot_speech(state, shots)
    assert cues["speech_s"].sum() == pytest.approx(sum(b - a for a, b in spans), abs=0.05)
