"""The fused detector's gate and decision, and gradual-transition scoring, on synthetic data."""
import numpy as np

from trailersmith.core.shots.boundaries import Boundary
from trailersmith.core.shots.fused import GradualCandidates, fused_boundaries
from trailersmith.core.shots.metrics import boundary_spans, match_transitions


def _frames(kind, n=200, at=100, length=24):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 255, (27, 48, 3)).astype(np.float32)
    b = rng.integers(0, 255, (27, 48, 3)).astype(np.float32)
    out = []
    for i in range(n):
        if kind == "cut":
            w = float(i >= at)
        elif kind == "dissolve":
            w = float(np.clip((i - at) / length, 0, 1))
        else:
            w = 0.0
        out.append(((1 - w) * a + w * b).astype(np.uint8))
    return out


def _flags(frames):
    gate = GradualCandidates()
    for i, f in enumerate(frames):
        gate.consume(i, i / 24, f)
    gate.finish(len(frames))
    return gate


def test_a_dissolve_is_a_candidate_and_a_hard_cut_or_a_still_is_not():
    dissolve = _flags(_frames("dissolve"))
    assert dissolve.flags[100:124].all() and dissolve.wanted(100, 150)
    assert not dissolve.wanted(0, 50) and not dissolve.wanted(170, 200)
    assert not _flags(_frames("cut")).flags.any()
    assert not _flags(_frames("still")).flags.any()


def test_fused_keeps_content_cuts_and_adds_only_gradual_runs_without_a_cut():
    n = 300
    single, many = np.zeros(n, np.float32), np.zeros(n, np.float32)
    many[50:70], single[60] = 0.9, 0.8   # a dissolve, no content cut in it
    many[150:160], single[154] = 0.9, 0.9  # "in transition" around a hard cut
    single[220] = 0.9  # a network-only hard cut: not trusted over the content detector
    cuts = [Boundary(155)]
    out = fused_boundaries(cuts, single, many)
    assert [(b.frame, b.kind) for b in out] == [(61, "gradual"), (155, "cut")]
    assert (out[0].first, out[0].last) == (50, 69)


def test_gradual_scoring_by_overlap():
    spans = boundary_spans([10, 60, 200], [(55, 70), (290, 299)])
    assert spans == [(10, 10), (55, 70), (200, 200), (290, 299)]
    score = match_transitions([(55, 70), (290, 299), (200, 200)], [(50, 64), (66, 80), (300, 310)])
    assert score.recall == 1.0  # one fade-out-and-in span finds both annotated halves
    assert score.spurious == [(200, 200)] and abs(score.precision - 2 / 3) < 1e-9
