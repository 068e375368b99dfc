"""Done-means 3 on a small, fast planted instance: trained IPOT and SSMP beat zero-shot ``ot``."""
import numpy as np
import pytest

from trailersmith.core.generators import get_generator
from trailersmith.core.learn import metrics
from trailersmith.core.learn.planted import make_planted
from trailersmith.core.learn.train import TrainOptions, train

torch = pytest.importorskip("torch")


def _score(name, movies, **options):
    gen = get_generator(name)
    rows = []
    for k, ex in enumerate(movies):
        a = gen(ex.problem(), rng=np.random.default_rng([0, k]), **options)
        rows.append(metrics.evaluate_trailer(a.shots, ex.match, n_shots=ex.n_shots))
    return metrics.average(rows)


@pytest.fixture(scope="module")
def planted_results(tmp_path_factory):
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("planted")
    training = make_planted(100, seed=21)   # same hidden rule, other movies
    held_out = make_planted(30, seed=22)
    results = {"ot": _score("ot", held_out)}
    opts = TrainOptions(epochs=25, patience=8, seed=0)
    for kind in ("ipot", "ssmp"):
        path = str(folder / f"{kind}.pt")
        report = train(kind, training, path, options=opts, backend="planted")
        assert report.best_epoch > 0
        results[kind] = _score(kind, held_out, checkpoint=path)
    results["ssmp-self-corrective"] = _score(
        "ssmp", held_out, checkpoint=str(folder / "ssmp.pt"), decoding="self-corrective")
    torch.set_num_threads(old)
    return results


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ipot", "ssmp", "ssmp-self-corrective"])
def test_trained_generators_beat_zero_shot_ot_on_held_out_movies(planted_results, kind):
    ot, learned = planted_results["ot"], planted_results[kind]
    print({name: {k: round(r[k], 3) for k in ("sel_F1@1", "align_F1@1", "AA")}
           for name, r in planted_results.items()})
    assert learned["sel_F1@1"] > ot["sel_F1@1"] + 0.2
    assert learned["AA"] > ot["AA"] + 0.1
