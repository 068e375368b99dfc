"""Thumbnails of chosen shots, for display only, taken by seeking with PyAV.

Analysis never seeks (it reads the movie once, streaming); these pictures only decorate the panel,
so a keyframe seek followed by a short decode to the wanted frame is fine. No Qt in here: this
runs in the worker thread and returns plain RGB arrays.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import numpy as np
from trailersmith.core.errors import MediaError
from trailersmith.core.progress import Reporter, ensure_reporter

# Decode forward instead of seeking when the next wanted frame is at most this far ahead.
_DECODE_AHEAD_S = 2.0


def frame_time(index: int, fps, frame_times_s: Optional[np.ndarray] = None) -> float:
    """Presentation time (from the stream start) of decoded frame ``index``."""
    if frame_times_s is not None and 0 <= index < len(frame_times_s):
        return float(frame_times_s[index])
    from trailersmith.core.timebase import frames_to_seconds

    return float(frames_to_seconds(index, fps))


def grab_thumbnails(path: str, times_s: Sequence[float], *, width: int = 112,
                    reporter: Optional[Reporter] = None) -> List[np.ndarray]:
    """One ``(height, width, 3)`` uint8 picture per requested time (seconds from stream start).

    Raises :class:`MediaError` when the movie cannot be opened; a time past the end gives the
    last frame.
    """
    import av

    reporter = ensure_reporter(reporter)
    order = sorted(range(len(times_s)), key=lambda i: times_s[i])
    out: List[Optional[np.ndarray]] = [None] * len(times_s)
    try:
        container = av.open(path)
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"Cannot open {path} for thumbnails ({exc.__class__.__name__}).") from None
    with container:
        stream = container.streams.video[0]
        t0 = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        height = max(2, int(round(width * stream.codec_context.height
                                  / max(1, stream.codec_context.width) / 2)) * 2)
        rate = stream.average_rate or stream.guessed_rate or 24
        half_frame = 0.5 / float(rate)
        frames = None
        current = None
        for done, i in enumerate(order):
            reporter.report("Drawing shot thumbnails", done, len(order))
            target = t0 + float(times_s[i])
            if current is None or target < current[0] or target - current[0] > _DECODE_AHEAD_S:
                container.seek(int(target / stream.time_base), stream=stream, backward=True)
                frames = container.decode(stream)
                current = None
            current = _decode_to(frames, target, current, half_frame)
            if current is None:
                break
            out[i] = current[1].reformat(width=width, height=height,
                                         format="rgb24").to_ndarray()
        reporter.report("Drawing shot thumbnails", len(order), len(order))
    blank = np.zeros((height, width, 3), np.uint8)
    return [pic if pic is not None else blank for pic in out]


def _decode_to(frames, target: float, current, half_frame: float):
    """Advance ``frames`` to the first frame shown at ``target`` (within half a frame).

    Returns ``(time, frame)``; at the end of the stream, the last frame decoded.
    """
    if current is not None and current[0] >= target - half_frame:
        return current
    for frame in frames:
        current = (float(frame.time) if frame.time is not None else 0.0, frame)
        if current[0] >= target - half_frame:
            return current
    return current
