"""core.timebase: the one rounding rule, exact rates, timecode at every rate, drop-frame."""
from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio
import pytest

from trailersmith.core import timebase as tb

NTSC = [Fraction(24000, 1001), Fraction(30000, 1001), Fraction(60000, 1001)]
ODD_RATES = [Fraction(12), Fraction(15), Fraction(20), Fraction(100), Fraction(120),
             Fraction(240), Fraction(25, 2)]


@pytest.mark.parametrize("given, expected", [
    (23.976, Fraction(24000, 1001)), (29.97, Fraction(30000, 1001)),
    (59.94005994005994, Fraction(60000, 1001)), (25.0, Fraction(25)), (12.5, Fraction(25, 2)),
    ("24000/1001", Fraction(24000, 1001)), (Fraction(120), Fraction(120)), (48, Fraction(48)),
])
def test_as_rate_gives_exact_rationals(given, expected):
    assert tb.as_rate(given) == expected


def test_as_rate_refuses_zero():
    with pytest.raises(ValueError):
        tb.as_rate(0)


def test_seconds_to_frames_rounds_to_the_nearest_boundary_ties_to_even():
    assert tb.seconds_to_frames(1.0, Fraction(24000, 1001)) == 24  # 23.976 frames
    assert tb.seconds_to_frames(0.02, 25) == 0  # exactly half a frame -> even (0)
    assert tb.seconds_to_frames(0.06, 25) == 2  # 1.5 -> 2
    assert tb.seconds_to_frames(0.1, 30) == 3  # 0.1 read as 1/10, not its binary float
    assert tb.frames_to_seconds(24, Fraction(24000, 1001)) == Fraction(1001, 1000)


def test_rescale_and_otio_frames():
    assert tb.rescale_frames(86400, 24, 48) == 172800
    assert tb.rescale_frames(24000, Fraction(24000, 1001), 24) == 24024  # 1001 s
    time = otio.opentime.RationalTime(48, 48)
    assert tb.otio_frames(time, Fraction(24000, 1001)) == 24  # 1 s at 23.976 is 23.976 frames


@pytest.mark.parametrize("fps", ODD_RATES)
def test_timecode_round_trips_at_rates_otio_refuses(fps):
    with pytest.raises(ValueError):  # why this module exists: OTIO 0.18 refuses these rates
        otio.opentime.from_timecode("01:00:00:00", float(fps))
    base = tb.timecode_base(fps)
    assert tb.timecode_to_frames("01:00:00:00", fps) == 3600 * base
    for frame in (0, 1, base - 1, base, 3600 * base + 7, 24 * 3600 * base - 1):
        assert tb.timecode_to_frames(tb.frames_to_timecode(frame, fps), fps) == frame


@pytest.mark.parametrize("fps", [Fraction(24), Fraction(25), Fraction(30), Fraction(50),
                                 Fraction(60)] + NTSC)
@pytest.mark.parametrize("drop", [False, True])
def test_our_arithmetic_agrees_with_otio_where_otio_applies(fps, drop):
    base = tb.timecode_base(fps)
    drop = drop and tb.is_drop_frame_rate(fps)
    for frame in (0, 1, 1799, 1800, 1801, 17982, 107892, 1234567, tb.frames_per_day(fps) - 1):
        ours = tb._format(frame, base, drop)
        assert ours == tb.frames_to_timecode(frame, fps, drop_frame=drop)
        assert tb.timecode_to_frames(ours, fps) == frame


def test_drop_frame_timecode_is_shown_right():
    df = Fraction(30000, 1001)
    assert tb.frames_to_timecode(1800, df, drop_frame=True) == "00:01:00;02"  # 00;00, 00;01 skipped
    assert tb.frames_to_timecode(17982, df, drop_frame=True) == "00:10:00;00"  # tenth minute kept
    assert tb.frames_to_timecode(107892, df, drop_frame=True) == "01:00:00;00"  # keeps the clock
    assert tb.frames_to_timecode(107892, df) == "00:59:56:12"  # non-drop falls behind
    assert tb.frames_to_timecode(1800, 24, drop_frame=True) == "00:01:15:00"  # no DF at 24
    assert tb.timecode_to_frames("01:00:00;00", df) == 107892
    assert tb.is_drop_frame_timecode("00:59:59;29") and not tb.is_drop_frame_timecode("01:00:00:00")


def test_timecode_wraps_at_midnight_and_rejects_garbage():
    assert tb.frames_to_timecode(24 * 3600 * 24 + 5, 24) == "00:00:00:05"
    assert tb.frames_to_timecode(-1, 24) == "23:59:59:23"
    for text in ("1:00:00", "01:00:00:24", "01:60:00:00", "abc"):
        with pytest.raises(ValueError):
            tb.timecode_to_frames(text, 24)


def test_smpte_rates_are_the_rates_otio_accepts():
    for rate in tb.SMPTE_RATES + tuple(ODD_RATES):
        assert tb.is_smpte_rate(rate) == otio.opentime.RationalTime.is_valid_timecode_rate(
            float(rate))
