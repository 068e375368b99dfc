"""IPOT and SSMP pieces: Sinkhorn, the mask-ratio scheduler, decoding, checkpoints, resume."""
import math
import os

import numpy as np
import pytest

from trailersmith.core.errors import Cancelled, ModelUnavailableError, ParameterError
from trailersmith.core.generators import get_generator
from trailersmith.core.learn import ipot_model, ssmp_model
from trailersmith.core.learn.checkpoint import load_model
from trailersmith.core.learn.planted import make_planted
from trailersmith.core.learn.train import TrainOptions, train
from trailersmith.core.progress import Reporter

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def test_sinkhorn_meets_both_marginals_and_is_differentiable():
    cost = torch.rand(1, 5, 3, requires_grad=True)
    a = torch.tensor([[0.5, 0.25, 0.25, 0.0, 0.0]])
    b = torch.full((1, 3), 1 / 3)
    log_a = torch.where(a > 0, torch.log(a.clamp(min=1e-12)), torch.tensor(-1e4))
    plan = ipot_model.sinkhorn_log(cost, log_a, torch.log(b), lam=0.1, iters=200)
    assert torch.allclose(plan.sum(dim=2), a, atol=1e-4)
    assert torch.allclose(plan.sum(dim=1), b, atol=1e-4)
    assert plan[0, 3:].abs().max() < 1e-6  # rows with no mass (unselected shots) stay empty
    (plan[0, 0, 0]).backward()
    assert torch.isfinite(cost.grad).all() and cost.grad.abs().sum() > 0


def test_sinkhorn_prefers_cheap_cells():
    cost = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])
    half = torch.log(torch.full((1, 2), 0.5))
    plan = ipot_model.sinkhorn_log(cost, half, half, lam=0.05, iters=100)[0]
    assert plan[0, 0] > 0.49 and plan[0, 1] < 0.01


def test_mask_ratio_follows_eq6_and_never_decreases():
    s = ssmp_model.SelfPacedMaskRatio(t_min=0.1, t_max=1.0, beta=10, mu_a=0.98, mu_t=0.1)
    # Hand computation of the first step with accuracy 0.9:
    b1 = 0.98 * 0.9 + 0.02 * 0.0
    target = 0.1 + 0.9 / (1 + math.exp(-10 * (b1 - 0.5)))
    assert s.update(0.9) == pytest.approx(max(0.1, 0.1 * 0.1 + 0.9 * target))
    history = [s.t]
    for acc in [0.9, 0.1, 0.0, 0.0, 0.95, 0.2]:
        history.append(s.update(acc))
    assert all(b >= a for a, b in zip(history, history[1:]))
    low = ssmp_model.SelfPacedMaskRatio()
    for _ in range(50):
        low.update(0.0)
    assert low.t < 0.11  # a task too hard keeps the ratio near t_min
    high = ssmp_model.SelfPacedMaskRatio()
    for _ in range(50):
        high.update(1.0)
    assert high.t > 0.99


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory):
    """Tiny IPOT and SSMP checkpoints (a few epochs on planted movies)."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("ckpt")
    data = make_planted(24, seed=11)
    out = {}
    for kind in ("ipot", "ssmp"):
        path = str(folder / f"{kind}.pt")
        out[kind] = (path, train(kind, data, path, options=TrainOptions(epochs=3, batch_size=6),
                                 model_options={"hidden": 32}, backend="planted"))
    torch.set_num_threads(old)
    return out


def test_checkpoints_are_plain_and_rebuild(small_runs):
    for kind, (path, report) in small_runs.items():
        blob = torch.load(path, weights_only=True)
        assert blob["generator"] == kind and blob["config"]["hidden"] == 32
        assert all(torch.is_tensor(v) for v in blob["state_dict"].values())
        model, config = load_model(path, kind)
        assert config["movie_dim"] == 16
        assert report.steps == report.epochs_run * 4 and report.steps_per_s > 0
        assert not os.path.exists(path + ".resume")  # removed once training ended


def test_checkpoint_errors_say_what_to_do(small_runs, tmp_path):
    ipot_path, _ = small_runs["ipot"]
    with pytest.raises(ModelUnavailableError, match="ssmp"):
        load_model(ipot_path, "ssmp")
    with pytest.raises(ModelUnavailableError, match="trailersmith train"):
        load_model(str(tmp_path / "missing.pt"), "ipot")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelUnavailableError, match="not a readable checkpoint"):
        load_model(str(junk), "ipot")
    with pytest.raises(ModelUnavailableError, match="--checkpoint"):
        get_generator("ipot")(make_planted(1, seed=3)[0].problem(), rng=np.random.default_rng())


@pytest.mark.parametrize("kind,options", [("ipot", {}), ("ssmp", {}),
                                          ("ssmp", {"decoding": "self-corrective"})])
def test_generators_use_each_eligible_shot_at_most_once(small_runs, kind, options):
    path, _ = small_runs[kind]
    gen = get_generator(kind)
    for k, ex in enumerate(make_planted(4, seed=5)):
        problem = ex.problem(spoiler_guard=0.7)
        a = gen(problem, rng=np.random.default_rng(k), checkpoint=path, **options)
        assert len(a.shots) == len(problem.segment_durations_s)
        assert len(set(a.shots.tolist())) == len(a.shots)
        assert problem.eligible[a.shots].all()
        assert ((a.scores >= 0) & (a.scores <= 1)).all() and len(a.reasons) == len(a.shots)


def test_generators_refuse_bad_problems(small_runs):
    ex = make_planted(1, seed=6)[0]
    path, _ = small_runs["ipot"]
    problem = ex.problem()
    problem.eligible[:] = False
    problem.eligible[:3] = True
    with pytest.raises(ParameterError, match="usable shots"):
        get_generator("ipot")(problem, rng=np.random.default_rng(), checkpoint=path)
    problem = ex.problem()
    problem.shot_features = problem.shot_features[:, :4]
    with pytest.raises(ParameterError, match="same feature backend"):
        get_generator("ipot")(problem, rng=np.random.default_rng(), checkpoint=path)
    with pytest.raises(ParameterError, match="decoding"):
        get_generator("ssmp")(ex.problem(), rng=np.random.default_rng(),
                              checkpoint=small_runs["ssmp"][0], decoding="beam")


def test_self_corrective_decoding_always_ends(small_runs):
    from trailersmith.core.learn.generate import cached_model, problem_tokens

    model, config = cached_model(small_runs["ssmp"][0], "ssmp")
    ex = make_planted(1, seed=8)[0]
    problem = ex.problem()
    movie, music = problem_tokens(problem, config, "ssmp")
    for rounds in (0, 1, None):
        z, q = ssmp_model.decode_self_corrective(model, movie, music, problem.eligible,
                                                 np.random.default_rng(0), max_rounds=rounds)
        assert (z >= 0).all() and len(set(z.tolist())) == len(z)
        assert problem.eligible[z].all() and ((q >= 0) & (q <= 1)).all()


def test_unrolled_check_term_feeds_the_models_own_draft_at_masked_slots():
    """With ``unroll`` 1 and no corruption, the check pass sees no empty slot: every slot the
    first pass masked holds the model's draft, every other slot its true shot."""
    seen = []

    class Recorder(torch.nn.Module):
        config = {"corrupt": 0.0, "unroll": 1.0}

        def __init__(self):
            super().__init__()
            self.bias = torch.nn.Parameter(torch.zeros(()))

        def forward(self, movie, movie_mask, slots, slot_mask, filled):
            seen.append(filled.clone())
            b, j, i = filled.shape[0], filled.shape[1], movie.shape[1]
            return torch.zeros(b, j, i) + self.bias

    match = torch.tensor([[3, 5, 7, 9], [1, 2, -1, -1]])
    batch = {"movie": torch.zeros(2, 12, 4), "movie_mask": torch.ones(2, 12, dtype=torch.bool),
             "music": torch.zeros(2, 4, 4), "match": match}
    slot_mask = match >= 0
    gen = torch.Generator().manual_seed(0)
    for _ in range(20):
        ssmp_model._check_loss(Recorder(), batch, slot_mask, gen, torch.zeros(2, 4, 12))
    drafted = 0
    for filled in seen:
        assert (filled[slot_mask] >= 0).all()
        assert (filled[~slot_mask] == -1).all()
        drafted += int(((filled != match) & slot_mask).sum())
    assert drafted > 0  # some masked slots got a draft that is not the true shot


class _StopAfter:
    def __init__(self, steps):
        self.steps = steps

    def __call__(self, progress):
        if progress.done >= self.steps:
            raise Cancelled("stop")


def test_interrupted_training_resumes_to_the_same_weights(tmp_path):
    data = make_planted(16, seed=12)
    opts = TrainOptions(epochs=3, batch_size=4, patience=10, seed=3)
    model_options = {"hidden": 16}
    full = str(tmp_path / "full.pt")
    train("ipot", data, full, options=opts, model_options=model_options)
    part = str(tmp_path / "part.pt")
    with pytest.raises(Cancelled):
        train("ipot", data, part, options=opts, model_options=model_options,
              reporter=Reporter(_StopAfter(5)))  # epoch 1 has 4 steps; stop inside epoch 2
    assert (tmp_path / "part.pt.resume").exists()
    report = train("ipot", data, part, options=opts, model_options=model_options, resume=True)
    assert report.resumed_from_epoch == 1 and report.epochs_run == 3
    assert not (tmp_path / "part.pt.resume").exists()
    a = torch.load(full, weights_only=True)
    b = torch.load(part, weights_only=True)
    assert a["trained"]["epoch"] == b["trained"]["epoch"]
    for key, value in a["state_dict"].items():
        assert torch.allclose(value, b["state_dict"][key], atol=1e-6), key


def test_training_rejects_unusable_data():
    one_movie = make_planted(1, seed=1)
    with pytest.raises(ParameterError, match="2 movies"):
        train("ipot", one_movie, "/nonexistent/x.pt")
    with pytest.raises(ParameterError, match="Unknown ipot model option"):
        train("ipot", make_planted(4, seed=1), "/nonexistent/x.pt",
              model_options={"hiden": 8})
