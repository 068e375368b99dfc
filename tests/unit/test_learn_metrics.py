"""The papers' metrics against small examples worked out by hand."""
import math

import numpy as np
import pytest

from trailersmith.core.errors import ParameterError
from trailersmith.core.learn import metrics as m


def test_selection_at_1_uses_prediction_for_precision_and_truth_for_recall():
    # predicted {3, 7, 9}; official {3, 8, 20, 21}: one exact hit (3).
    # precision = 1/3 (of 3 predicted), recall = 1/4 (of 4 official); F1 = 2*(1/12)/(7/12) = 2/7.
    p, r, f = m.selection_prf([3, 7, 9], [3, 8, 20, 21], 1)
    assert p == pytest.approx(1 / 3)
    assert r == pytest.approx(1 / 4)
    assert f == pytest.approx(2 / 7)


def test_selection_tolerance_k3_counts_neighbours_both_ways():
    # K=3 allows |a-b| <= 2. Predicted 3 (hits 3), 7 (hits 8), 9 (hits 8): precision 3/3.
    # Official 3 (by 3), 8 (by 7 or 9) are hit, 20 and 21 are not: recall 2/4.
    p, r, f = m.selection_prf([3, 7, 9], [3, 8, 20, 21], 3)
    assert (p, r) == (pytest.approx(1.0), pytest.approx(0.5))
    assert f == pytest.approx(2 * 0.5 / 1.5)
    # K=5 (|a-b| <= 4) still does not reach 20 from 9.
    assert m.selection_prf([3, 7, 9], [3, 8, 20, 21], 5)[1] == pytest.approx(0.5)


def test_selection_ignores_order_and_repeats():
    # Repeated official shot 5 counts once: official set {5, 6}; predicted set {6, 5, 1}.
    p, r, _ = m.selection_prf([6, 5, 1], [5, 5, 6], 1)
    assert p == pytest.approx(2 / 3)
    assert r == pytest.approx(1.0)


def test_empty_prediction_scores_zero_not_nan():
    for k in m.KS:
        assert m.selection_prf([], [1, 2], k) == (0.0, 0.0, 0.0)
        assert m.alignment_prf([], [1, 2], k) == (0.0, 0.0, 0.0)
    assert m.levenshtein([], [1, 2]) == 2
    assert math.isnan(m.pairwise_agreement([], [1, 2]))


def test_alignment_is_position_by_position_with_different_lengths():
    # Positions 0..2 compared: (3,3) hit, (7,8) miss, (9,20) miss; official has 4 positions.
    p, r, f = m.alignment_prf([3, 7, 9], [3, 8, 20, 21], 1)
    assert (p, r) == (pytest.approx(1 / 3), pytest.approx(1 / 4))
    # The same shots in another order: selection is perfect, alignment is not.
    assert m.selection_prf([1, 2, 3], [3, 2, 1], 1)[2] == pytest.approx(1.0)
    assert m.alignment_prf([1, 2, 3], [3, 2, 1], 1) == (pytest.approx(1 / 3),) * 3
    # K=3: |7-8| <= 2 becomes a hit too -> 2 hits.
    assert m.alignment_prf([3, 7, 9], [3, 8, 20, 21], 3)[0] == pytest.approx(2 / 3)


def test_alignment_counts_repeated_positions_each():
    # Official uses shot 4 twice; a prediction matching both positions gets both hits.
    assert m.alignment_prf([4, 4, 1], [4, 4, 2], 1)[0] == pytest.approx(2 / 3)


def test_levenshtein_hand_examples():
    assert m.levenshtein([1, 2, 3], [1, 2, 3]) == 0
    assert m.levenshtein([1, 2, 3], [1, 3]) == 1          # one deletion
    assert m.levenshtein([1, 2, 3], [3, 2, 1]) == 2       # two substitutions
    assert m.levenshtein([5, 6, 7, 8], [6, 7, 8, 9]) == 2  # delete 5, insert 9
    assert m.levenshtein([], []) == 0
    assert m.levenshtein([1, 1], [1]) == 1                 # repeated index


def test_pairwise_agreement_hand_examples():
    # Shared shots {2, 3, 4}. Predicted order 2<3<4; official order 4<2<3.
    # Pairs: (2,3) same, (2,4) differ, (3,4) differ -> 1/3.
    assert m.pairwise_agreement([1, 2, 3, 4], [4, 2, 3, 9]) == pytest.approx(1 / 3)
    assert m.pairwise_agreement([7, 8, 9], [7, 8, 9]) == 1.0
    assert m.pairwise_agreement([9, 8, 7], [7, 8, 9]) == 0.0
    # Repeated shot: its first position counts. Predicted 5@0, 6@1 ; official 6@0, 5@1, 6@2.
    assert m.pairwise_agreement([5, 6, 5], [6, 5, 6]) == 0.0
    assert math.isnan(m.pairwise_agreement([1, 2], [2, 3]))  # only one shared shot


def test_alignment_kl_hard_and_soft():
    eps = 1e-6
    # Hard: position 0 right, position 1 wrong, 3 shots.
    hit = -math.log(1 - eps + eps / 3)
    miss = -math.log(eps / 3)
    got = m.alignment_kl([0, 1], 3, predicted=[0, 2], eps=eps)
    assert got == pytest.approx((hit + miss) / 2)
    # Soft plan, columns normalised: column 0 puts 0.5 on shot 0, column 1 puts 0.25 on shot 1.
    plan = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 3.0]])
    q0 = (1 - eps) * 0.5 + eps / 3
    q1 = (1 - eps) * 0.25 + eps / 3
    assert m.alignment_kl([0, 1], 3, plan=plan, eps=eps) == pytest.approx(
        (-math.log(q0) - math.log(q1)) / 2)
    # A perfect answer is (almost) 0; an empty one costs log(n_shots) per official position.
    assert m.alignment_kl([2, 0], 3, predicted=[2, 0]) < 1e-5
    assert m.alignment_kl([2, 0], 3, predicted=[]) == pytest.approx(math.log(3), rel=1e-5)


def test_shot_stats_and_evaluate_trailer():
    s = m.shot_stats([1.0, 2.0, 3.0])
    assert s == {"count": 3, "mean_s": 2.0, "std_s": pytest.approx(math.sqrt(2 / 3))}
    assert m.shot_stats([])["count"] == 0
    out = m.evaluate_trailer([3, 7, 9], [3, 8, 20, 21], n_shots=30,
                             predicted_durations_s=[2, 2, 2], truth_durations_s=[1, 1, 2, 4])
    assert out["sel_F1@1"] == pytest.approx(2 / 7)
    assert out["sel_P@3"] == pytest.approx(1.0)
    assert out["LD"] == 3.0
    assert out["shots"] == 3 and out["official_shots"] == 4
    assert out["official_mean_shot_s"] == pytest.approx(2.0)


def test_average_skips_nan_and_reports_coverage():
    avg = m.average([{"AA": 1.0, "LD": 2.0}, {"AA": math.nan, "LD": 4.0}])
    assert avg["AA"] == 1.0 and avg["n_AA"] == 1.0
    assert avg["LD"] == 3.0 and "n_LD" not in avg


def test_bad_indices_raise_parameter_error():
    with pytest.raises(ParameterError):
        m.selection_prf([1.5], [1], 1)
    with pytest.raises(ParameterError):
        m.selection_prf([-1], [1], 1)
    with pytest.raises(ParameterError):
        m.selection_prf([1], [1], 0)
    with pytest.raises(ParameterError):
        m.alignment_kl([5], 3, predicted=[0])
