"""Cut matching: one-to-one within a tolerance, ignore ranges, hard-negative lookup."""
from __future__ import annotations

import pytest

from trailersmith.core.shots.metrics import cuts_near, match_cuts


def test_perfect_and_tolerance():
    s = match_cuts([10, 52, 100], [10, 50, 103], tolerance=2)
    assert (s.true_positives, s.false_positives, s.false_negatives) == (2, 1, 1)
    assert s.missed == [103] and s.spurious == [100]
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)
    assert match_cuts([10, 52, 100], [10, 50, 103], tolerance=3).f1 == 1.0


def test_one_detection_cannot_match_two_truths():
    s = match_cuts([50], [49, 51], tolerance=2)
    assert s.true_positives == 1 and s.false_negatives == 1


def test_matching_finds_the_largest_pairing():
    # Greedy by distance would pair 11 with 12 and leave 9 and 13 unmatched.
    s = match_cuts([11, 13], [9, 12], tolerance=2)
    assert s.true_positives == 2


def test_ignore_ranges_count_neither_way():
    s = match_cuts([20, 75], [20, 70], tolerance=2, ignore=[(68, 80)])
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 0, 0)


def test_empty_cases():
    assert match_cuts([], []).f1 == 1.0
    assert match_cuts([5], []).precision == 0.0
    assert match_cuts([], [5]).recall == 0.0


def test_cuts_near():
    assert cuts_near([10, 20, 30], [21, 40], tolerance=0) == []
    assert cuts_near([10, 20, 30], [21, 40], tolerance=1) == [20]
    assert cuts_near([10], [], tolerance=5) == []
