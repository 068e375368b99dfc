"""Probe and decode media with PyAV: exact rational frame rates, start timecode, VFR.

The movie is decoded once, streaming. Each decoded frame is offered to a list of
:class:`FrameConsumer` objects, each at the size it asked for; consumers that also have
``consume_audio`` (:class:`AudioConsumer`) get the movie's first audio stream instead, as mono
float32 at their ``sample_rate``, decoded in the same pass. Nothing keeps the whole movie in
memory. Frame numbers are decoded-frame indices; times come from the frames' timestamps.
"""
from __future__ import annotations

import array
import os
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional, Protocol, Sequence

import numpy as np

from .errors import MediaError
from .model import VideoInfo
from .progress import Reporter, ensure_reporter
from .timebase import seconds_to_frames, timecode_to_frames

# A decode that yields fewer frames than the container promised by more than this is truncated.
_TRUNCATION_TOLERANCE = 0.02
# Seconds between progress reports while decoding (cancellation is checked every frame).
_REPORT_INTERVAL_S = 0.2


class FrameConsumer(Protocol):
    """Receives frames during the single decode pass.

    ``size`` is ``(width, height)`` of the RGB frames it wants; ``stride`` 1 means every frame,
    ``n`` every n-th frame (index % n == 0).
    """

    size: tuple
    stride: int

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        """Take frame ``index`` (``uint8`` array ``(height, width, 3)``) shown at ``time_s``."""

    def finish(self, frame_count: int) -> None:
        """Called once after the last frame."""


class AudioConsumer(Protocol):
    """Receives the movie's soundtrack during the same decode pass, in chunks, in order."""

    sample_rate: int

    def consume_audio(self, samples: np.ndarray, time_s: float) -> None:
        """Take mono float32 ``samples`` whose first one plays at ``time_s`` (movie time)."""

    def finish(self, frame_count: int) -> None:
        """Called once after the last video frame (also when the movie has no sound)."""


@dataclass
class DecodeResult:
    """What the decode pass learnt: exact frame count and each frame's presentation time."""

    info: VideoInfo
    frame_times_s: np.ndarray


def check_file(path: str, role: str) -> None:
    if not os.path.exists(path):
        raise MediaError(f"{role} file not found: {path}. Check the path and try again.")
    if os.path.isdir(path):
        raise MediaError(f"{role} path is a folder, not a file: {path}. Pick a media file.")
    if os.path.getsize(path) == 0:
        raise MediaError(f"{role} file is empty (0 bytes): {path}. Pick the complete file.")


def _open(path: str, role: str):
    import av

    check_file(path, role)
    try:
        return av.open(path)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaError(
            f"{role} file cannot be read as media ({exc.__class__.__name__}): {path}. "
            "Is it complete and in a format FFmpeg reads?") from None


def _timecode_to_frames(tc: str, fps: Fraction) -> int:
    """The movie's start timecode as a frame number (0 when it is not a readable timecode)."""
    try:
        return timecode_to_frames(tc, fps)
    except ValueError:
        return 0


def _find_timecode(container, stream) -> Optional[str]:
    for meta in (stream.metadata, container.metadata):
        if meta.get("timecode"):
            return meta["timecode"]
    for s in container.streams:
        if s.type == "data" and s.metadata.get("timecode"):
            return s.metadata["timecode"]
    return None


def probe_video(path: str) -> VideoInfo:
    """Read a movie's header: rate, size, frame count estimate, timecode, audio presence.

    Raises :class:`MediaError` for a missing, empty, unreadable or audio-only file.
    """
    path = os.path.abspath(path)
    container = _open(path, "Movie")
    with container:
        if not container.streams.video:
            raise MediaError(f"Movie has no video stream: {path}. Pick a video file as the movie "
                             "(an audio file goes in the music slot).")
        stream = container.streams.video[0]
        fps = Fraction(stream.guessed_rate or stream.average_rate or 0)
        if fps <= 0:
            raise MediaError(f"Movie frame rate cannot be determined: {path}. "
                             "Re-wrap it (ffmpeg -i IN -c copy OUT.mp4) and try again.")
        avg = Fraction(stream.average_rate or fps)
        vfr = abs(float(avg) - float(fps)) > 0.01 * float(fps)
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        frames = stream.frames or seconds_to_frames(duration, avg)
        tc = _find_timecode(container, stream)
        return VideoInfo(
            path=path, fps=fps, frame_count=int(frames), width=stream.codec_context.width,
            height=stream.codec_context.height, duration_s=duration,
            start_frame=_timecode_to_frames(tc, fps) if tc else 0, start_timecode=tc,
            variable_frame_rate=vfr, has_audio=bool(container.streams.audio))


def decode_video(path: str, consumers: Sequence[FrameConsumer], *,
                 reporter: Optional[Reporter] = None) -> DecodeResult:
    """Decode every frame of ``path`` once and feed each consumer at its size and stride.

    Returns the exact decoded frame count (in ``info.frame_count``) and per-frame times.
    Raises :class:`MediaError` for unreadable or truncated files, :class:`Cancelled` on cancel.
    """
    import av

    reporter = ensure_reporter(reporter)
    info = probe_video(path)
    listeners = [c for c in consumers if hasattr(c, "consume_audio")]
    consumers = [c for c in consumers if not hasattr(c, "consume_audio")]
    sizes = sorted({tuple(c.size) for c in consumers})
    # One scaler per size: a frame's own reformat() builds a new scaler context every call,
    # which cost more than decoding itself for a 720p movie.
    scalers = {size: av.video.reformatter.VideoReformatter() for size in sizes}
    times = array.array("d")  # 8 bytes a frame, not a 32-byte float object
    expected = max(info.frame_count, 1)
    container = _open(info.path, "Movie")
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        t0 = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        sound = _Soundtrack(container, listeners, t0) if listeners else None
        index = 0
        last_report = time.monotonic()
        try:
            for frame in _video_frames(container, stream, sound):
                t = float(frame.time) - t0 if frame.time is not None else index / float(info.fps)
                wanted = [c for c in consumers if index % c.stride == 0]
                if wanted:
                    arrays = {}
                    for size in sizes:
                        if any(tuple(c.size) == size for c in wanted):
                            arrays[size] = scalers[size].reformat(
                                frame, width=size[0], height=size[1], format="rgb24",
                                interpolation="AREA").to_ndarray()
                    for c in wanted:
                        c.consume(index, t, arrays[tuple(c.size)])
                times.append(t)
                index += 1
                reporter.check()  # cancel within a frame, not within a progress interval
                if time.monotonic() - last_report >= _REPORT_INTERVAL_S:
                    last_report = time.monotonic()
                    reporter.report("Reading movie frames", index, expected)
        except av.error.FFmpegError as exc:
            raise MediaError(f"Movie is damaged at frame {index} ({exc.__class__.__name__}): "
                             f"{info.path}. Re-export or re-download it.") from None
    if index == 0:
        raise MediaError(f"Movie has no decodable frames: {info.path}. Is the file complete?")
    # Frame counts alone mislead: a stream-copied excerpt counts pre-roll frames its edit list
    # hides. A file is truncated only when its pictures also stop well before its duration.
    last_time = times[-1] if len(times) else 0.0
    short_in_time = last_time < info.duration_s * (1 - _TRUNCATION_TOLERANCE) - 1.0
    if info.frame_count and index < info.frame_count * (1 - _TRUNCATION_TOLERANCE) \
            and short_in_time:
        raise MediaError(f"Movie looks truncated: decoded {index} of {info.frame_count} frames "
                         f"in {info.path}. Use the complete file.")
    for c in consumers + listeners:
        c.finish(index)
    reporter.report("Reading movie frames", index, index)
    frame_times = np.asarray(times, dtype=np.float64)
    info = VideoInfo(**{**info.__dict__, "frame_count": index,
                        "duration_s": max(info.duration_s, float(frame_times[-1]))})
    return DecodeResult(info=info, frame_times_s=frame_times)


class _Soundtrack:
    """Decodes the first audio stream's packets for the audio consumers, one resampler per rate."""

    def __init__(self, container, listeners, t0: float) -> None:
        import av

        self.stream = container.streams.audio[0] if container.streams.audio else None
        self.t0 = t0
        rates = sorted({int(c.sample_rate) for c in listeners})
        self.groups = [(av.AudioResampler(format="fltp", layout="mono", rate=r),
                        [c for c in listeners if int(c.sample_rate) == r]) for r in rates]

    def feed(self, packet) -> None:
        for frame in packet.decode():
            start = float(frame.time) - self.t0 if frame.time is not None else None
            for resampler, group in self.groups:
                for out in resampler.resample(frame):
                    t = float(out.time) - self.t0 if out.time is not None else start
                    samples = out.to_ndarray()[0].astype(np.float32, copy=False)
                    for c in group:
                        c.consume_audio(samples, t if t is not None else 0.0)

    def flush(self) -> None:
        for resampler, group in self.groups:
            for out in resampler.resample(None):
                samples = out.to_ndarray()[0].astype(np.float32, copy=False)
                t = float(out.time) - self.t0 if out.time is not None else 0.0
                for c in group:
                    c.consume_audio(samples, t)


def _video_frames(container, stream, sound: Optional[_Soundtrack]):
    """The video stream's frames in order; audio packets met on the way go to ``sound``."""
    import av

    if sound is None or sound.stream is None:
        yield from container.decode(stream)
        return
    for packet in container.demux(stream, sound.stream):
        if packet.stream.index == sound.stream.index:
            try:
                sound.feed(packet)
            except av.error.FFmpegError:
                pass  # a damaged audio packet costs a moment of sound, not the pictures
            continue
        yield from packet.decode()
    sound.flush()


def load_audio(path: str, sample_rate: Optional[int] = None, *, role: str = "Music"
               ) -> np.ndarray:
    """Decode the first audio stream of ``path`` to mono float32 at ``sample_rate`` (default:
    the music analysis rate, ``core.music.SAMPLE_RATE``).

    Raises :class:`MediaError` when the file is missing, unreadable, has no audio or is silent.
    """
    import av

    from .music import SAMPLE_RATE

    sample_rate = int(sample_rate or SAMPLE_RATE)

    path = os.path.abspath(path)
    container = _open(path, role)
    chunks = []
    with container:
        if not container.streams.audio:
            raise MediaError(f"{role} file has no audio stream: {path}. Pick a file with sound.")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=sample_rate)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray()[0])
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray()[0])
        except av.error.FFmpegError as exc:
            if not chunks:
                raise MediaError(f"{role} file cannot be decoded ({exc.__class__.__name__}): "
                                 f"{path}. Is it complete?") from None
    if not chunks:
        raise MediaError(f"{role} file has no decodable audio: {path}. Is it complete?")
    y = np.concatenate(chunks).astype(np.float32)
    if len(y) < sample_rate:
        raise MediaError(f"{role} is shorter than one second: {path}. Pick a longer track.")
    return y
