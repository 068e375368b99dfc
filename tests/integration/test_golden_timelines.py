"""suggest gives the same timelines after the house move as before it (issue 9, done-means 1).

The goldens under ``tests/support/golden/`` were recorded with the code before the move
(``tests/support/goldens.py``). Big Buck Bunny with frantic.ogg must come out clip for clip the
same. The VFR clip's shot durations were wrong before (nominal rate instead of timestamps): the
test shows that suggest's problem now takes them from ``ShotList.durations_s()``, and that
forcing the old nominal durations reproduces the old timeline exactly, so that is the whole
difference.
"""
import numpy as np
import pytest

from tests.support import goldens
from trailersmith.core import problem as problems
from trailersmith.core.model import ShotList


def _skip_without_media(name):
    movie, music, _ = goldens.CASES[name]
    for rel in (movie, music):
        if not (goldens.media_dir() / rel).is_file():
            pytest.skip(f"real test media file missing: {goldens.media_dir() / rel}")


def _recording_problems(monkeypatch):
    """Capture every problem suggest builds."""
    built = []
    real = problems.build_problem

    def spy(movie, music, spoiler_guard):
        out = real(movie, music, spoiler_guard)
        built.append((movie, out[0], out[1]))
        return out
    monkeypatch.setattr(problems, "build_problem", spy)
    return built


@pytest.mark.slow
def test_bbb_with_frantic_is_unchanged(tmp_path):
    _skip_without_media("bbb_frantic")
    result = goldens.run_case("bbb_frantic", tmp_path)
    golden = goldens.load("bbb_frantic")
    assert goldens.plan_record(result.plan) == {k: golden[k] for k in
                                                ("fps", "duration_frames", "clips")}


def _nominal_durations(self, end_frame=None):
    """The old (wrong for VFR) rule: frame counts over the nominal rate."""
    starts, ends = self.shots[:, 0], self.shots[:, 1]
    if end_frame is not None:
        starts, ends = np.minimum(starts, end_frame), np.minimum(ends, end_frame)
    return (ends - starts) / float(self.fps)


def test_vfr_clip_differs_from_the_old_timeline_only_by_its_durations(tmp_path, monkeypatch):
    name = "goldeneye_vfr_trumpet"
    _skip_without_media(name)
    golden = goldens.load(name)
    expected = {k: golden[k] for k in ("fps", "duration_frames", "clips")}
    built = _recording_problems(monkeypatch)

    result = goldens.run_case(name, tmp_path)
    movie, problem, usable_end = built[-1]
    assert movie.info.variable_frame_rate
    timestamps = movie.shots.durations_s(end_frame=usable_end)
    np.testing.assert_array_equal(problem.shot_durations_s, timestamps)
    nominal = _nominal_durations(movie.shots, usable_end)
    # Every 3rd frame dropped: a shot lasts about 1.5x its frame count at the nominal rate.
    assert np.all(timestamps[nominal > 0] > 1.4 * nominal[nominal > 0])
    new = goldens.plan_record(result.plan)
    assert new["duration_frames"] == expected["duration_frames"]

    monkeypatch.setattr(ShotList, "durations_s", _nominal_durations)
    old_rule = goldens.plan_record(goldens.run_case(name, tmp_path).plan)
    np.testing.assert_allclose(built[-1][1].shot_durations_s, nominal)
    assert old_rule == expected  # the old timeline, from the new code with the old durations
