"""``melt`` renders our .kdenlive projects: right source frames at the right cuts, the music as
sound.

The synthetic movie shows its own frame number as 12 black/white stripes, so every rendered frame
says which source frame it came from. Its soundtrack is a loud sine that must not leak into the
render.
"""
from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest

from tests.support.plans import plan_from_sources
from trailersmith.adapters import write_timeline
from trailersmith.core.media import decode_video, probe_video
from trailersmith.core.timeline import build_timeline

pytestmark = pytest.mark.skipif(shutil.which("melt") is None or shutil.which("ffmpeg") is None,
                                reason="melt and ffmpeg are needed (apt-get install melt ffmpeg)")

BITS = 12
STRIPES = (f"format=gray,geq=lum='if(lt(Y,H/2),255*mod(floor(N/pow(2,floor(X*{BITS}/W))),2),128)'")


def make_movie(path, rate: str, seconds: float, *, timecode=None, drop_every_third=False):
    video = f"color=c=gray:s=320x180:r={rate}:d={seconds},{STRIPES}"
    if drop_every_third:
        video += r",select='mod(n\,3)-2'"
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", video, "-f", "lavfi",
           "-i", f"sine=f=300:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
           "-crf", "10", "-g", "12", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    if drop_every_third:
        cmd += ["-fps_mode", "passthrough"]
    if timecode:
        cmd += ["-timecode", timecode]
    subprocess.run(cmd + [str(path)], check=True)


def make_music(path, seconds: float):
    noise = f"anoisesrc=d={seconds}:c=pink:seed=7:a=0.3,lowpass=f=3000"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", noise, "-ar", "44100",
                    "-ac", "2", str(path)], check=True)


def frame_codes(path) -> np.ndarray:
    """The frame number each frame of ``path`` shows."""
    import av

    codes = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            gray = frame.to_ndarray(format="gray")
            h, w = gray.shape
            xs = ((np.arange(BITS) + 0.5) * w / BITS).astype(int)
            codes.append(int(((gray[h // 4, xs] > 128) * (2 ** np.arange(BITS))).sum()))
    return np.array(codes)


def mono_pcm(path, rate=16000) -> np.ndarray:
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate),
                          "-f", "f32le", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(out, np.float32).astype(np.float64)


def render(project, out):
    subprocess.run(["melt", "-quiet", str(project), "-consumer", f"avformat:{out}",
                    "vcodec=ffv1", "acodec=pcm_s16le", "ar=48000", "channels=2"],
                   check=True, timeout=300, capture_output=True)


def make_plan(info, music, sources, frame_times=None):
    return plan_from_sources(info, sources, music_path=music, frame_times=frame_times)


@pytest.mark.parametrize("rate", ["24", "24000/1001"])
def test_melt_render_has_the_planned_cuts_and_the_music(tmp_path, rate):
    movie, music = tmp_path / "movie.mp4", tmp_path / "music.wav"
    make_movie(movie, rate, 20, timecode="01:00:00:00")
    info = probe_video(str(movie))
    assert info.start_frame == 86400 and info.fps == Fraction(rate)
    sources = [(100, 148), (10, 58), (300, 372), (200, 259), (400, 461), (60, 73)]
    plan = make_plan(info, music, sources)
    make_music(music, plan.duration_frames / float(info.fps))

    project = write_timeline(build_timeline(plan, name="melt"), tmp_path / "trailer.kdenlive")
    rendered = tmp_path / "render.mkv"
    render(project, rendered)

    codes = frame_codes(rendered)
    assert len(codes) == plan.duration_frames
    expected = np.concatenate([np.arange(c.source_start, c.source_end) for c in plan.clips])
    assert np.mean(codes == expected) >= 0.98
    detected = [k for k in range(1, len(codes)) if codes[k] != codes[k - 1] + 1]
    planned = [c.record_start for c in plan.clips[1:]]
    assert len(detected) == len(planned)
    assert all(abs(d - p) <= 1 for d, p in zip(detected, planned)), (detected, planned)

    sound, reference = mono_pcm(rendered), mono_pcm(music)
    frame_samples = int(16000 / float(info.fps))
    assert abs(len(sound) - len(reference)) <= frame_samples
    n = min(len(sound), len(reference))
    sound, reference = sound[:n], reference[:n]
    lags = range(-frame_samples, frame_samples + 1, 1)
    best = max(np.dot(sound[max(0, k):n + min(0, k)], reference[max(0, -k):n - max(0, k)])
               for k in lags) / np.sqrt(np.dot(sound, sound) * np.dot(reference, reference))
    assert best >= 0.95, f"rendered sound correlates {best:.3f} with the music"


def test_melt_render_of_a_vfr_movie_starts_each_clip_on_the_planned_frame(tmp_path):
    movie, music = tmp_path / "vfr.mp4", tmp_path / "music.wav"
    make_movie(movie, "24", 20, drop_every_third=True)
    decoded = decode_video(str(movie), [])
    shown = frame_codes(movie)  # nominal frame number of each decoded frame
    assert decoded.info.frame_count == len(shown) and shown[2] == 3  # frame 2 was dropped
    sources = [(60, 84), (10, 34), (120, 150), (200, 230)]
    plan = make_plan(decoded.info, music, sources, frame_times=decoded.frame_times_s)
    make_music(music, plan.duration_frames / 24)

    project = write_timeline(build_timeline(plan, name="vfr"), tmp_path / "vfr.kdenlive")
    rendered = tmp_path / "vfr.mkv"
    render(project, rendered)
    codes = frame_codes(rendered)
    assert len(codes) == plan.duration_frames
    for clip in plan.clips:
        span = codes[clip.record_start:clip.record_end]
        assert span[0] == shown[clip.source_start]
        assert np.all(np.diff(span) >= 0)
        assert span[-1] <= shown[clip.source_end - 1]


def test_melt_plays_the_shots_own_sound_only_when_asked(tmp_path):
    """Audio 2 (source_audio): the movie's 300 Hz tone is heard with it and not without it."""
    import dataclasses

    movie, music = tmp_path / "movie.mp4", tmp_path / "music.wav"
    make_movie(movie, "24", 20, timecode="01:00:00:00")
    info = probe_video(str(movie))
    assert info.has_audio
    plan = make_plan(info, music, [(100, 148), (10, 58), (300, 372)])
    make_music(music, plan.duration_frames / float(info.fps))

    def tone_share(source_audio: bool) -> float:
        timeline = build_timeline(dataclasses.replace(plan), name="melt",
                                  source_audio=source_audio)
        project = write_timeline(timeline, tmp_path / f"t{int(source_audio)}.kdenlive")
        rendered = tmp_path / f"r{int(source_audio)}.mkv"
        render(project, rendered)
        sound = mono_pcm(rendered)
        spectrum = np.abs(np.fft.rfft(sound)) ** 2
        freqs = np.fft.rfftfreq(len(sound), 1 / 16000)
        return spectrum[np.abs(freqs - 300) < 3].sum() / spectrum.sum()

    assert tone_share(True) > 0.3
    assert tone_share(False) < 0.01


def test_melt_renders_the_title_card_as_black_over_the_gap_after_the_shots(tmp_path):
    """--title-card: the shots up to the title's frame, then the TITLE colour clip on V2 (black)
    to the music's end, which still plays."""
    import av

    movie, music = tmp_path / "movie.mp4", tmp_path / "music.wav"
    make_movie(movie, "24", 20, timecode="01:00:00:00")
    info = probe_video(str(movie))
    plan = make_plan(info, music, [(100, 148), (10, 58), (300, 348)])
    title = plan.duration_frames
    plan.duration_frames, plan.title_start_frame = title + 72, title
    make_music(music, plan.duration_frames / 24)
    project = write_timeline(build_timeline(plan, name="title"), tmp_path / "title.kdenlive")
    rendered = tmp_path / "title.mkv"
    render(project, rendered)
    with av.open(str(rendered)) as container:
        levels = np.array([frame.to_ndarray(format="gray").mean()
                           for frame in container.decode(video=0)])
    assert len(levels) == plan.duration_frames
    codes = frame_codes(rendered)[:title]
    expected = np.concatenate([np.arange(c.source_start, c.source_end) for c in plan.clips])
    assert np.mean(codes == expected) >= 0.98
    assert levels[:title].min() > 40 and levels[title + 1:].max() < 5  # the title: black
    sound = mono_pcm(rendered)
    assert np.sqrt(np.mean(sound[-16000:] ** 2)) > 0.02  # the music plays under the title


def test_melt_renders_a_length_edit_of_the_music_without_a_gap(tmp_path):
    """Issue 11, done-means 1: a --length edit (one music clip per kept range) renders as long as
    the edit, with no silent hole at a splice, each piece the source's audio from its in-point."""
    movie, music = tmp_path / "movie.mp4", tmp_path / "music.wav"
    make_movie(movie, "24", 20, timecode="01:00:00:00")
    make_music(music, 30.0)  # pink noise: any window matches the source at one time only
    info = probe_video(str(movie))
    plan = make_plan(info, music, [(100, 196), (10, 106), (300, 396)])  # 288 frames = 12 s
    edits = [(0.0, 4.0), (12.0, 16.0), (26.0, 30.0)]  # the track's own ending kept
    plan.music_edits, plan.music_duration_s = edits, 30.0
    project = write_timeline(build_timeline(plan, name="edit"), tmp_path / "edit.kdenlive")
    rendered = tmp_path / "edit.mkv"
    render(project, rendered)

    rate = 16000
    sound, source = mono_pcm(rendered, rate), mono_pcm(music, rate)
    assert abs(len(sound) - 12.0 * rate) <= rate / 24  # as long as the edit, to a frame

    def rms(x, at, width=0.02):
        a = int(at * rate)
        return float(np.sqrt(np.mean(x[a:a + int(width * rate)] ** 2)))

    offsets = np.concatenate([[0.0], np.cumsum([b - a for a, b in edits])])
    for splice in offsets[1:-1]:
        around = [rms(sound, splice + d) for d in np.arange(-0.5, 0.5, 0.02)]
        near = [rms(sound, splice + d) for d in np.arange(-0.06, 0.06, 0.01)]
        assert min(near) > 0.5 * float(np.median(around)), (splice, min(near))

    def match(at_render, at_source, lag_frames=1):
        n = int(0.5 * rate)
        a = sound[int(at_render * rate):][:n]
        best = 0.0
        for lag in range(-lag_frames * rate // 24, lag_frames * rate // 24 + 1):
            start = int(at_source * rate) + lag
            b = source[start:start + n]
            if start < 0 or len(b) < n:
                continue
            best = max(best, float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b))))
        return best

    for (first, _end), offset in zip(edits, offsets[:-1]):
        assert match(offset + 0.05, first + 0.05) > 0.9, (offset, first)
        if first != offset:  # and not the unedited track's audio at that time
            assert match(offset + 0.05, offset + 0.05) < 0.3
