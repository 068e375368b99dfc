"""Every seconds / frames / timecode conversion, at exact rational frame rates.

Rates are :class:`fractions.Fraction` (``24000/1001``, never ``23.976``); :func:`as_rate` turns
whatever a caller has (a Fraction, an int, ``"24000/1001"``, a float such as OTIO's rates) into one.

The one rounding rule
---------------------
A time in seconds becomes the **nearest frame boundary**; an exact half goes to the even frame
(Python's ``round``, the rule the assembler has always used). A float time is first read as the
nearest fraction with a denominator up to 10**6 (so ``0.1`` is 1/10, not the binary float
``0.1000000000000000055...``). Nothing else in the package rounds seconds to frames.

Timecode
--------
``HH:MM:SS:FF`` counts ``timecode_base(fps)`` frames per timecode second (24 for 24000/1001, 13
for 12.5). Drop-frame timecode (``HH:MM:SS;FF``, SMPTE 12M) exists only for 30000/1001 and
60000/1001: it skips frame numbers 0-1 (0-3 at 59.94) at each minute except every tenth, so the
timecode keeps up with the clock. Timecodes wrap at 24 hours, as SMPTE timecode does. Where
OpenTimelineIO supports the rate, its ``to_timecode``/``from_timecode`` do the work (so we agree
with the OTIO adapters that write EDLs); other rates (12, 15, 20, 100, 120, 240 fps...), which OTIO
0.18 refuses, use the same arithmetic here.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Optional, Union

RateLike = Union[Fraction, int, float, str]

_SECONDS_DENOMINATOR = 1_000_000
_NTSC_NUMERATORS = (24000, 30000, 48000, 60000, 120000, 240000)
DROP_FRAME_RATES = (Fraction(30000, 1001), Fraction(60000, 1001))
#: The rates SMPTE timecode is defined at (and OTIO 0.18's timecode functions accept).
SMPTE_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001),
               Fraction(30), Fraction(48000, 1001), Fraction(48), Fraction(50),
               Fraction(60000, 1001), Fraction(60))
_TIMECODE = re.compile(r"^(\d{1,2})[:.](\d{2})[:.](\d{2})([:;.,])(\d{2,3})$")


def as_rate(fps: RateLike) -> Fraction:
    """An exact frame rate from a Fraction, an int, ``"num/den"`` or a float.

    A float within 0.0005 of an NTSC rate (``n * 1000 / 1001``) is that rate; any other float is
    the nearest fraction with a denominator up to 1001. Raises ValueError if not positive.
    """
    if isinstance(fps, float):
        for numerator in _NTSC_NUMERATORS:
            if abs(fps - numerator / 1001) < 0.0005:  # 23.976 and 29.97 as typed
                return _positive(Fraction(numerator, 1001))
        return _positive(Fraction(fps).limit_denominator(1001))
    return _positive(Fraction(fps))


def _positive(rate: Fraction) -> Fraction:
    if rate <= 0:
        raise ValueError(f"frame rate {rate} is not positive")
    return rate


def rate_text(fps: RateLike) -> str:
    """``"24000/1001"``: the exact rate as we record it in metadata."""
    rate = as_rate(fps)
    return f"{rate.numerator}/{rate.denominator}"


def exact_seconds(seconds) -> Fraction:
    """A time as a Fraction (floats read to the nearest 1e-6 fraction, see the module doc)."""
    if isinstance(seconds, Fraction):
        return seconds
    if isinstance(seconds, int):
        return Fraction(seconds)
    return Fraction(float(seconds)).limit_denominator(_SECONDS_DENOMINATOR)


def seconds_to_frames(seconds, fps: RateLike) -> int:
    """Nearest frame boundary to ``seconds`` at ``fps`` (the one rounding rule)."""
    return int(round(exact_seconds(seconds) * as_rate(fps)))


def frames_to_seconds(frames, fps: RateLike) -> Fraction:
    """Exact start time in seconds of frame ``frames``."""
    return Fraction(frames) / as_rate(fps)


def rescale_frames(frames, from_fps: RateLike, to_fps: RateLike) -> int:
    """A frame position at ``from_fps`` as the nearest frame at ``to_fps``."""
    return int(round(Fraction(frames) * as_rate(to_fps) / as_rate(from_fps)))


def otio_frames(time, fps: RateLike) -> int:
    """An OTIO ``RationalTime`` (any rate) as whole frames at ``fps``."""
    return int(round(Fraction(time.value).limit_denominator(_SECONDS_DENOMINATOR)
                     / Fraction(time.rate).limit_denominator(_SECONDS_DENOMINATOR)
                     * as_rate(fps)))


def rational_time(frames, fps: RateLike):
    """An OTIO ``RationalTime`` of ``frames`` frames at ``fps``."""
    import opentimelineio as otio

    return otio.opentime.RationalTime(frames, float(as_rate(fps)))


def time_range(start, duration, fps: RateLike):
    """An OTIO ``TimeRange`` of whole frames at ``fps``."""
    import opentimelineio as otio

    return otio.opentime.TimeRange(rational_time(start, fps), rational_time(duration, fps))


# --- timecode ------------------------------------------------------------------------------
def timecode_base(fps: RateLike) -> int:
    """Frames per timecode second: the rate rounded up (24 for 24000/1001, 13 for 12.5)."""
    return max(1, math.ceil(as_rate(fps)))


def is_smpte_rate(fps: RateLike) -> bool:
    """Whether SMPTE timecode is defined at ``fps`` (24, 25, 30, 48, 50, 60 and their /1.001)."""
    return as_rate(fps) in SMPTE_RATES


def rate_label(fps: RateLike) -> str:
    """``"23.976 fps"``, ``"12 fps"``: a rate as an editor's menu writes it."""
    rate = as_rate(fps)
    return f"{rate.numerator} fps" if rate.denominator == 1 else f"{float(rate):.3f} fps"


def is_drop_frame_rate(fps: RateLike) -> bool:
    """Whether drop-frame timecode exists at ``fps`` (30000/1001 and 60000/1001 only)."""
    return as_rate(fps) in DROP_FRAME_RATES


def is_drop_frame_timecode(text: Optional[str]) -> bool:
    """Whether a timecode string is written drop-frame (``;`` or ``,`` before the frames)."""
    match = _TIMECODE.match((text or "").strip())
    return bool(match) and match.group(4) in ";,"


def frames_per_day(fps: RateLike) -> int:
    """Frames in 24 hours of timecode at ``fps`` (where timecode wraps)."""
    base = timecode_base(fps)
    if is_drop_frame_rate(fps):
        return 24 * 6 * _drop_frames_per_ten_minutes(base)
    return 24 * 3600 * base


def _drop_count(base: int) -> int:
    return 2 * base // 30  # frame numbers skipped at each non-tenth minute


def _drop_frames_per_ten_minutes(base: int) -> int:
    return 10 * 60 * base - 9 * _drop_count(base)


def _otio_rate(fps: Fraction) -> Optional[float]:
    import opentimelineio as otio

    rate = float(fps)
    return rate if otio.opentime.RationalTime.is_valid_timecode_rate(rate) else None


def frames_to_timecode(frames, fps: RateLike, *, drop_frame: bool = False) -> str:
    """``HH:MM:SS:FF`` (``HH:MM:SS;FF`` when ``drop_frame``) for frame ``frames`` at ``fps``.

    ``drop_frame`` is honoured only at a drop-frame rate; elsewhere it is ignored (no such timecode
    exists). Wraps at 24 hours; negative frames count back from midnight.
    """
    rate = as_rate(fps)
    drop = bool(drop_frame) and is_drop_frame_rate(rate)
    frames = int(frames) % frames_per_day(rate)
    otio_rate = _otio_rate(rate)
    if otio_rate is not None:
        import opentimelineio as otio

        return otio.opentime.to_timecode(otio.opentime.RationalTime(frames, otio_rate),
                                         otio_rate, drop)
    return _format(frames, timecode_base(rate), drop)


def _format(frames: int, base: int, drop: bool) -> str:
    if drop:  # put the skipped frame numbers back, then count as non-drop
        skip = _drop_count(base)
        tens, rest = divmod(frames, _drop_frames_per_ten_minutes(base))
        frames += 9 * skip * tens
        if rest > skip:
            frames += skip * ((rest - skip) // (60 * base - skip))
    seconds, ff = divmod(frames, base)
    width = max(2, len(str(base - 1)))
    sep = ";" if drop else ":"
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{sep}{ff:0{width}d}"


def timecode_to_frames(text: str, fps: RateLike) -> int:
    """Frame number of a timecode (``;`` or ``,`` before the frames means drop-frame).

    Raises ValueError for text that is not a timecode, or a frame field past the rate's base.
    """
    match = _TIMECODE.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a HH:MM:SS:FF timecode")
    h, m, s, ff = (int(match.group(i)) for i in (1, 2, 3, 5))
    rate = as_rate(fps)
    base = timecode_base(rate)
    if m > 59 or s > 59 or ff >= base:
        raise ValueError(f"{text!r} is not a valid timecode at {rate_text(rate)} fps")
    drop = match.group(4) in ";," and is_drop_frame_rate(rate)
    otio_rate = _otio_rate(rate)
    if otio_rate is not None:
        import opentimelineio as otio

        tc = f"{h:02d}:{m:02d}:{s:02d}{';' if drop else ':'}{ff:02d}"
        return int(round(otio.opentime.from_timecode(tc, otio_rate).value))
    frames = ((h * 60 + m) * 60 + s) * base + ff
    if drop:
        minutes = h * 60 + m
        frames -= _drop_count(base) * (minutes - minutes // 10)
    return frames
