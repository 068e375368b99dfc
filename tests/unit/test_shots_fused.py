"""The fused detector's blend test and decision, and gradual-transition scoring, on synthetic data.

Frames are 48x27 (the size the detector asks for) at 24 fps: two random-texture pictures ``a``
and ``b`` stand for two shots.
"""
import numpy as np

from trailersmith.core.shots.boundaries import Boundary
from trailersmith.core.shots.fused import BlendTest, dissolve_boundaries, fused_boundaries
from trailersmith.core.shots.metrics import boundary_spans, match_transitions

FPS = 24


def _pictures():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 128, (27, 48, 3)).astype(np.float32)  # dark colours
    b = rng.integers(128, 256, (27, 48, 3)).astype(np.float32)  # bright ones: another shot
    return a, b


def _frames(kind, n=200, at=100, length=24):
    a, b = _pictures()
    out = []
    for i in range(n):
        w = 0.0
        if kind == "cut":
            w = float(i >= at)
        elif kind == "dissolve":
            w = float(np.clip((i - at) / length, 0, 1))
        if kind == "wipe":  # b slides in from the left, one column after another
            cols = int(np.clip((i - at) / length, 0, 1) * 48)
            f = a.copy()
            f[:, :cols] = b[:, :cols]
        else:
            f = (1 - w) * a + w * b
        out.append(f.astype(np.uint8))
    return out


def _scrolling_text(n=200):
    """White text lines on a dark background moving up a pixel per frame, as end credits do,
    while the background slowly turns from blue to orange."""
    rng = np.random.default_rng(1)
    page = np.zeros((27 + n, 48), np.float32)
    for row in range(0, 27 + n, 3):
        lo, hi = sorted(rng.integers(4, 44, 2))
        page[row, lo:hi + 1] = 1.0
    out = []
    for i in range(n):
        w = i / n
        background = np.array([20 + 100 * w, 40, 120 - 100 * w], np.float32)
        text = page[i:i + 27, :, None]
        out.append((background * (1 - text) + 230 * text).astype(np.uint8))
    return out


def _test(frames):
    blend = BlendTest()
    for i, f in enumerate(frames):
        blend.consume(i, i / FPS, f)
    blend.finish(len(frames))
    return blend


def test_a_dissolve_passes_the_blend_test_and_becomes_one_gradual_boundary():
    blend = _test(_frames("dissolve"))
    flagged = np.flatnonzero(blend.dissolve)
    assert len(flagged) >= 10 and 100 <= flagged.min() and flagged.max() < 124
    (d,) = dissolve_boundaries(blend.dissolve)
    assert d.gradual and 100 <= d.first <= d.frame <= d.last < 124
    assert not blend.flags.any()  # a dissolve never needs the network


def test_a_cut_a_still_and_scrolling_credits_are_no_dissolve_and_need_no_network():
    for frames in (_frames("cut"), _frames("still"), _scrolling_text()):
        blend = _test(frames)
        assert not blend.dissolve.any() and not blend.flags.any()
        assert dissolve_boundaries(blend.dissolve) == []


def test_a_wipe_is_no_mix_and_asks_for_the_network_around_it_only():
    blend = _test(_frames("wipe"))
    assert not blend.dissolve.any()
    assert blend.undecided[100:124].any() and blend.wanted(100, 150)
    assert not blend.wanted(0, 50) and not blend.wanted(170, 200)


def test_a_short_flicker_of_undecided_frames_does_not_ask_for_the_network():
    blend = _test(_frames("wipe", length=3))  # too fast to be a wipe: a cut, to the network
    assert not blend.flags.any()


def test_blend_test_follows_timestamps_not_frame_counts():
    frames = _frames("dissolve")
    keep = [i for i in range(len(frames)) if i % 3 != 2]  # every third frame dropped (VFR)
    blend = BlendTest()
    for j, i in enumerate(keep):
        blend.consume(j, i / FPS, frames[i])
    blend.finish(len(keep))
    (d,) = dissolve_boundaries(blend.dissolve)
    assert 100 <= keep[d.first] and keep[d.last] < 124


def test_fused_keeps_cuts_and_dissolves_and_trusts_the_network_only_where_undecided():
    n = 300
    single, many = np.zeros(n, np.float32), np.zeros(n, np.float32)
    undecided = np.zeros(n, bool)
    many[50:70], single[60] = 0.9, 0.8   # the network's transition where the test was undecided
    undecided[55:65] = True
    many[150:160], single[154] = 0.9, 0.9  # "in transition" around a hard cut
    many[200:215], single[207] = 0.9, 0.9  # network-only, where the blend test was not undecided
    single[250] = 0.9  # a network-only hard cut: not trusted over the content detector
    cuts = [Boundary(155)]
    dissolves = [Boundary(235, "gradual", 230, 240), Boundary(100, "gradual", 98, 104),
                 Boundary(158, "gradual", 152, 160)]
    out = fused_boundaries(cuts, dissolves, single, many, undecided, fade_spans=[(95, 110)])
    assert [(b.frame, b.kind) for b in out] == [(61, "gradual"), (155, "cut"),
                                                (235, "gradual")]
    assert (out[0].first, out[0].last) == (50, 69)


def test_gradual_scoring_by_overlap():
    spans = boundary_spans([10, 60, 200], [(55, 70), (290, 299)])
    assert spans == [(10, 10), (55, 70), (200, 200), (290, 299)]
    score = match_transitions([(55, 70), (290, 299), (200, 200)], [(50, 64), (66, 80), (300, 310)])
    assert score.recall == 1.0  # one fade-out-and-in span finds both annotated halves
    assert score.spurious == [(200, 200)] and abs(score.precision - 2 / 3) < 1e-9
