"""Boundary logic on synthetic per-frame evidence: peaks, gradual runs, fades, edges, scenes."""
from __future__ import annotations

import numpy as np

from trailersmith.core.shots.boundaries import (
    Boundary,
    fade_boundaries,
    finalize,
    merge_boundaries,
    runs,
    transnet_boundaries,
)
from trailersmith.core.shots.histogram import detect_cut_peaks
from trailersmith.core.shots.scenes import group_scenes, shot_signatures


def test_runs():
    assert runs(np.array([0, 1, 1, 0, 1], bool)) == [(1, 2), (4, 4)]
    assert runs(np.zeros(0, bool)) == []


def test_transnet_peak_is_last_frame_of_outgoing_shot():
    single = np.zeros(100, np.float32)
    many = np.zeros(100, np.float32)
    single[[29, 30]] = [0.9, 0.6]  # one run, peak at 29 -> new shot at 30
    single[70] = 0.45  # hesitant: kept only when a content cut confirms it
    out = transnet_boundaries(single, many)
    assert [b.frame for b in out] == [30]
    out = transnet_boundaries(single, many, confirmed=[71])
    assert [b.frame for b in out] == [30, 71] and all(b.kind == "cut" for b in out)
    assert [b.frame for b in transnet_boundaries(single, many, confirmed=[75])] == [30]


def test_transnet_gradual_when_peak_inside_long_transition_run():
    single = np.zeros(100, np.float32)
    many = np.zeros(100, np.float32)
    many[40:60] = 0.9
    single[50] = 0.8
    (b,) = transnet_boundaries(single, many)
    assert (b.frame, b.kind, b.first, b.last) == (51, "gradual", 40, 59)
    many[:] = 0
    many[49:52] = 0.9  # too short for a gradual transition
    assert transnet_boundaries(single, many)[0].kind == "cut"


def _fade_luma():
    # shot at 100, fade-out 40..49, black 50..59, fade-in 60..69, shot at 120
    luma = np.full(120, 100.0, np.float32)
    luma[40:50] = np.linspace(95, 5, 10)
    luma[50:60] = 0
    luma[60:70] = np.linspace(12, 120, 10)
    luma[70:] = 120
    return luma, luma <= 4


def test_fade_out_and_in_is_one_boundary_in_the_black():
    luma, black = _fade_luma()
    ((b, claim),) = fade_boundaries(luma, black)
    assert b.kind == "gradual" and 50 <= b.frame <= 60
    assert b.first <= 40 and b.last >= 69
    # A network firing mid-fade is replaced by the fade's single boundary.
    merged = merge_boundaries([Boundary(45, "gradual", 41, 48), Boundary(66)], [(b, claim)])
    assert merged == [b]


def test_lone_fades_cut_at_black_edges():
    luma, black = _fade_luma()
    luma[60:70] = 0  # fade-out, black, then a hard cut to a bright shot at 70
    ((b, _),) = fade_boundaries(luma, luma <= 4)
    assert (b.frame, b.first, b.last) == (50, 40, 49)
    luma, black = _fade_luma()
    luma[30:50] = 100  # hard cut to black at 50, then a fade-in at 60
    ((b, _),) = fade_boundaries(luma, luma <= 4)
    assert (b.frame, b.first, b.last) == (60, 60, 69)


def test_fades_at_the_film_edges_record_a_transition_but_cut_nothing():
    luma, _ = _fade_luma()
    luma[60:] = 0  # fades to black for good
    ((b, _),) = fade_boundaries(luma, luma <= 4)
    assert (b.frame, b.first, b.last) == (-1, 40, 49)
    luma, _ = _fade_luma()
    luma[:60] = 0  # the film opens on black and fades in
    fades = fade_boundaries(luma, luma <= 4)
    ((b, _),) = fades
    assert (b.frame, b.first, b.last) == (-1, 60, 69)
    merged = merge_boundaries([Boundary(64)], fades)
    shots, kinds, trans = finalize(merged, len(luma))
    assert shots.tolist() == [[0, 120]] and trans.tolist() == [[60, 69]]


def test_hard_cut_into_black_is_not_a_fade():
    luma = np.full(100, 100.0, np.float32)
    luma[50:60] = 0
    assert fade_boundaries(luma, luma <= 4) == []


def test_finalize_contiguous_and_edges_merged():
    bounds = [Boundary(2), Boundary(30), Boundary(31), Boundary(60, "gradual", 55, 65),
              Boundary(98), Boundary(150)]
    shots, kinds, trans = finalize(bounds, 100, min_edge_frames=4)
    assert shots.tolist() == [[0, 30], [30, 31], [31, 60], [60, 100]]
    assert kinds == ["start", "cut", "cut", "gradual"]
    assert trans.tolist() == [[55, 65]]
    assert (shots[1:, 0] == shots[:-1, 1]).all() and shots[0, 0] == 0 and shots[-1, 1] == 100


def test_finalize_no_boundaries():
    shots, kinds, trans = finalize([], 7)
    assert shots.tolist() == [[0, 7]] and kinds == ["start"] and trans.shape == (0, 2)


def test_cut_peaks_ignore_steady_motion_and_keep_spikes():
    rng = np.random.default_rng(0)
    diff = np.concatenate([rng.uniform(1, 2, 100), rng.uniform(20, 24, 100)])  # calm, then fast
    diff[50] = 40.0  # a cut in the calm part
    diff[150] = 90.0  # a cut during fast motion
    diff[155] = 85.0  # too close to the previous cut
    assert [b.frame for b in detect_cut_peaks(diff, min_shot=6)] == [50, 150]


def test_scenes_group_similar_neighbours_and_cap_length():
    red, blue = np.eye(2, dtype=np.float32)
    sigs = np.stack([red, red, blue, red, blue, blue])
    shots = np.array([[i * 10, i * 10 + 10] for i in range(6)])
    dur = np.full(6, 10.0)
    # A-A-B-A-B-B: B returns within the lookback, so all one scene...
    assert group_scenes(shots, sigs, dur, lookback=3).tolist() == [0] * 6
    # ...but with no lookback beyond the previous shot, every colour change opens a scene.
    assert group_scenes(shots, sigs, dur, lookback=1).tolist() == [0, 0, 1, 2, 3, 3]
    # Too long for one scene: split until every scene fits the cap.
    capped = group_scenes(shots, sigs, dur, max_scene_s=25)
    assert capped[0] == 0 and set(np.diff(capped)) <= {0, 1}
    assert np.bincount(capped).max() * 10 <= 25 and capped[-1] <= 3
    # The split falls at the weakest link: three red shots, then three purple ones.
    purple = 0.6 * red + 0.4 * blue
    sigs2 = np.stack([red, red, red, purple, purple, purple])
    assert group_scenes(shots, sigs2, dur, threshold=0.5).tolist() == [0] * 6
    assert group_scenes(shots, sigs2, dur, max_scene_s=35, threshold=0.5).tolist() == \
        [0, 0, 0, 1, 1, 1]
    kinds = ["start", "cut", "cut", "gradual", "cut", "cut"]
    assert group_scenes(shots, sigs, dur, kinds=kinds).tolist() == [0, 0, 0, 1, 1, 1]


def test_shot_signatures_average_sampled_frames():
    sigs = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], np.float32)  # frames 0, 4, 8, 12
    shots = np.array([[0, 8], [8, 9], [9, 16]])
    out = shot_signatures(shots, sigs, stride=4)
    assert out.tolist() == [[1, 0], [0, 1], [0, 1]]
