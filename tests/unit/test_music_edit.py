"""core/music/edit.py on synthetic analyses with known answers."""
import numpy as np
import pytest

from trailersmith.core.errors import ParameterError
from trailersmith.core.model import MusicAnalysis
from trailersmith.core.music import edit as editing

SR = 1000


def _analysis(duration=128.0, section_starts=(32.0, 64.0, 96.0)):
    """120 BPM in 4/4: beats every 0.5 s, downbeats every 2 s, cuts every 4 beats."""
    beats = np.arange(0.5, duration, 0.5)
    downbeats = np.arange(2.0, duration, 2.0)
    edges = np.concatenate([[0.0], section_starts, [duration]])
    cuts = np.arange(2.0, duration - 1.0, 2.0)
    return MusicAnalysis(path="/m.wav", duration_s=duration, sample_rate=SR, tempo_bpm=120.0,
                         beats_s=beats, downbeats_s=downbeats,
                         sections_s=np.stack([edges[:-1], edges[1:]], axis=1), cuts_s=cuts,
                         energy=np.linspace(0, 1, len(cuts) + 1))


def test_a_short_enough_track_is_left_whole():
    edit = editing.plan_edit(_analysis(), 200.0)
    assert edit.as_list() == [(0.0, 128.0)]


@pytest.mark.parametrize("length", [30.0, 60.0, 90.0])
def test_edit_removes_whole_bars_at_section_boundaries_and_keeps_the_ending(length):
    a = _analysis()
    edit = editing.plan_edit(a, length)
    r = edit.ranges_s
    assert r[-1, 1] == a.duration_s  # the track's own ending
    assert abs(edit.duration_s - length) <= 2.0  # within one bar
    starts = set(a.sections_s[1:, 0].tolist())
    assert r[0, 0] == 0.0 or r[0, 0] in starts
    for end, start in zip(r[:-1, 1], r[1:, 0]):  # each splice: downbeat to downbeat
        assert end in a.downbeats_s and start in a.downbeats_s
        assert (start - end) % 2.0 == 0.0 and start > end  # whole bars out
        assert start in starts  # the jump lands on a section start


def test_a_loud_jump_is_avoided_when_another_splice_exists():
    a = _analysis(duration=96.0, section_starts=(24.0, 48.0, 72.0))
    n_bars = len(a.downbeats_s) + 1
    bar_db = np.full(n_bars, -20.0) + 0.3 * (np.arange(n_bars) % 2)  # typical step 0.3 dB
    first = editing.plan_edit(a, 48.0, bar_db)
    # make the first choice's splice loud: the bar from its second range on jumps 12 dB
    j = int(np.flatnonzero(np.isclose(a.downbeats_s, first.ranges_s[1, 0]))[0])
    bar_db[j + 1:] += 12.0
    second = editing.plan_edit(a, 48.0, bar_db)
    assert second.as_list() != first.as_list()
    for end, start in zip(second.ranges_s[:-1, 1], second.ranges_s[1:, 0]):
        i = int(np.flatnonzero(np.isclose(a.downbeats_s, end))[0])
        k = int(np.flatnonzero(np.isclose(a.downbeats_s, start))[0])
        assert abs(bar_db[i] - bar_db[k + 1]) <= editing.typical_bar_step_db(bar_db)


def test_edited_analysis_keeps_the_beat_grid_across_the_splice():
    a = _analysis()
    edit = editing.plan_edit(a, 60.0)
    e = editing.edited_analysis(a, edit)
    assert e.duration_s == pytest.approx(edit.duration_s)
    np.testing.assert_allclose(np.diff(e.beats_s), 0.5, atol=1e-9)
    np.testing.assert_allclose(np.diff(e.downbeats_s), 2.0, atol=1e-9)
    for splice in edit.splices_s:
        assert np.min(np.abs(e.cuts_s - splice)) < 1e-9  # every splice is a cut
        assert np.min(np.abs(e.sections_s[:, 0] - splice)) < 1e-9  # and starts a section
        assert np.min(np.abs(e.downbeats_s - splice)) < 1e-9
    assert np.all(np.diff(e.cuts_s) >= 0.5 - 1e-9)
    assert len(e.energy) == len(e.cuts_s) + 1
    assert e.sections_s[0, 0] == 0 and e.sections_s[-1, 1] == pytest.approx(e.duration_s)


def test_render_is_as_long_as_the_edit_and_ends_with_the_track():
    a = _analysis()
    edit = editing.plan_edit(a, 30.0)
    y = np.sin(np.arange(int(a.duration_s * SR)) * 0.01).astype(np.float32)
    out = editing.render(y, SR, edit)
    assert len(out) == round(edit.duration_s * SR)
    np.testing.assert_array_equal(out[-3000:], y[-3000:])
    np.testing.assert_array_equal(out[:100], y[int(edit.ranges_s[0, 0] * SR):][:100])
    # a constant signal stays within the equal-power crossfade's bound (no click, no gap)
    flat = editing.render(np.ones_like(y), SR, edit)
    assert flat.min() > 0.99 and flat.max() <= np.sqrt(2) + 1e-6


def test_bad_lengths_are_refused():
    with pytest.raises(ParameterError, match="positive"):
        editing.plan_edit(_analysis(), -1.0)
    silent = _analysis()
    silent.downbeats_s = np.zeros(0)
    with pytest.raises(ParameterError, match="downbeats"):
        editing.plan_edit(silent, 30.0)
