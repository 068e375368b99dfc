"""Media the project makes itself, with known answers: for the demo and for tests.

``make_movie`` renders shots of moving shapes (each shot its own colours, brightness and speed)
and encodes them with PyAV, returning the exact first frame of every shot. ``make_music`` renders
a drum-and-bass loop at a known tempo with a quiet part and a loud part, returning the beat
times. Nothing is downloaded and no external program is needed.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import List, Optional

import numpy as np

from .fileio import atomic_path
from .music import SAMPLE_RATE
from .timebase import frames_to_seconds


@dataclass
class SyntheticMovie:
    """A rendered movie and its ground truth (first frame of every shot but the first)."""

    path: str
    fps: Fraction
    frame_count: int
    cuts: List[int]
    motion: List[float]  # pixels per frame of each shot's shapes


def _hue(k: int) -> np.ndarray:
    """A colour far from the previous shot's: golden-angle steps round the colour wheel."""
    angle = 2 * np.pi * ((k * 0.618034) % 1.0)
    return 0.5 + 0.5 * np.cos(angle + np.array([0.0, 2.094, 4.189]))


def _shot_frames(rng: np.random.Generator, k: int, length: int, size, speed: float, base: float):
    w, h = size
    hue = _hue(k)
    bg = (base * (0.4 + 0.6 * hue)).astype(np.float32)
    fg = (255 - 0.7 * base * hue).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    blobs = rng.random((4, 4))
    texture = (np.sin(xx / (4 + 8 * blobs[0, 0])) * np.cos(yy / (5 + 7 * blobs[0, 1])))[..., None]
    for t in range(length):
        frame = np.empty((h, w, 3), np.float32)
        frame[:] = bg + 18 * texture
        for b in blobs:
            cx = (b[0] * w + speed * t * (1 if b[2] > 0.5 else -1)) % w
            cy = (b[1] * h + 0.5 * speed * t) % h
            r = 8 + 22 * b[3]
            mask = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
            frame[mask] = fg
        yield np.clip(frame, 0, 255).astype(np.uint8)


def make_movie(path: str, *, shot_lengths: Optional[List[int]] = None, fps: Fraction = Fraction(24),
               size=(320, 180), seed: int = 0, timecode: Optional[str] = None,
               with_audio: bool = False) -> SyntheticMovie:
    """Render and encode (H.264 in MP4) a movie of distinct shots; returns its ground truth."""
    import av

    rng = np.random.default_rng(seed)
    if shot_lengths is None:
        shot_lengths = [int(n) for n in rng.integers(40, 180, size=36)]
    speeds = [float(s) for s in rng.choice([0.0, 0.5, 2.0, 5.0, 9.0], size=len(shot_lengths))]
    with atomic_path(path) as tmp:
        container = av.open(tmp, "w", format="mp4")
        try:
            if timecode:
                container.metadata["timecode"] = timecode
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
            stream.options = {"crf": "20", "preset": "veryfast", "g": "48"}
            if timecode:
                stream.metadata["timecode"] = timecode
            audio = None
            if with_audio:
                audio = container.add_stream("aac", rate=48000)
            for k, length in enumerate(shot_lengths):
                # alternate dark and bright shots so that every cut is unmistakable
                base = float(rng.uniform(150, 230) if k % 2 else rng.uniform(40, 110))
                for img in _shot_frames(rng, k, length, size, speeds[k], base):
                    for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                        container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
            if audio is not None:
                total = float(frames_to_seconds(sum(shot_lengths), fps))
                tone = 0.1 * np.sin(2 * np.pi * 220 * np.arange(int(total * 48000)) / 48000)
                _encode_audio(container, audio, tone.astype(np.float32), 48000)
        finally:
            container.close()
    cuts = list(np.cumsum(shot_lengths)[:-1].astype(int))
    return SyntheticMovie(path=path, fps=fps, frame_count=int(sum(shot_lengths)),
                          cuts=[int(c) for c in cuts], motion=speeds)


def _encode_audio(container, stream, y: np.ndarray, sr: int) -> None:
    import av

    frame_size = 1024
    for start in range(0, len(y), frame_size):
        chunk = y[start:start + frame_size]
        frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
        frame.sample_rate = sr
        frame.pts = start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def render_music(*, tempo_bpm: float = 120.0, duration_s: float = 30.0, sr: int = SAMPLE_RATE,
                 loud_from_s: Optional[float] = None, seed: int = 0):
    """Synthesize a drum-and-bass track; returns ``(y, beat_times_s)``.

    Before ``loud_from_s`` (default: half way) only a soft kick on every beat plays; after it,
    kick, snare, hi-hats on eighths and a bass line play at full level.
    """
    rng = np.random.default_rng(seed)
    n = int(duration_s * sr)
    y = np.zeros(n, np.float32)
    period = 60.0 / tempo_bpm
    loud_from = duration_s / 2 if loud_from_s is None else loud_from_s
    beats = np.arange(0.0, duration_s - 0.05, period)

    def add(at: float, sound: np.ndarray) -> None:
        i = int(at * sr)
        end = min(n, i + len(sound))
        if i < n:
            y[i:end] += sound[:end - i]

    t = np.arange(int(0.25 * sr)) / sr
    kick = np.sin(2 * np.pi * (50 + 100 * np.exp(-t * 30)) * t) * np.exp(-t * 12)
    snare = rng.normal(size=len(t)) * np.exp(-t * 25) * 0.6
    hat = rng.normal(size=len(t) // 4) * np.exp(-t[: len(t) // 4] * 90) * 0.25
    for k, b in enumerate(beats):
        loud = b >= loud_from
        add(b, kick * (1.0 if loud else 0.25))
        if loud:
            if k % 2 == 1:
                add(b, snare)
            add(b, hat)
            add(b + period / 2, hat)
            note = 55.0 * (1.5 if (k // 4) % 2 else 1.0)
            tb = np.arange(int(period * sr)) / sr
            add(b, 0.25 * np.sin(2 * np.pi * note * tb) * np.exp(-tb * 3))
    y /= max(1e-6, np.abs(y).max()) / 0.9
    return y, beats


def make_music(path: str, **kwargs):
    """Render :func:`render_music` into a 16-bit WAV file at ``path``; returns the beat times."""
    import soundfile

    sr = kwargs.setdefault("sr", SAMPLE_RATE)
    y, beats = render_music(**kwargs)
    with atomic_path(path) as tmp:
        soundfile.write(tmp, y, sr, subtype="PCM_16")
    return beats
