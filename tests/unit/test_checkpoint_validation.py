"""Issue 10 item 7: a checkpoint's config is checked against the model's schema before building."""
from __future__ import annotations

import os
import pickle

import pytest

from trailersmith.core.errors import ModelUnavailableError, ParameterError
from trailersmith.core.learn.checkpoint import load_model, save_checkpoint
from trailersmith.core.learn.model_config import validate_options
from trailersmith.core.learn.planted import make_planted
from trailersmith.core.learn.train import TrainOptions, train

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """One tiny trained IPOT checkpoint: ``(path, blob)``."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    path = str(tmp_path_factory.mktemp("ck") / "ipot.pt")
    train("ipot", make_planted(6, seed=2), path, options=TrainOptions(epochs=1, batch_size=6),
          model_options={"hidden": 16}, backend="planted")
    torch.set_num_threads(old)
    return path, torch.load(path, weights_only=True)


def _rewrite(tmp_path, blob, **config_changes):
    config = {k: v for k, v in blob["config"].items() if config_changes.get(k, 0) is not None}
    config.update({k: v for k, v in config_changes.items() if v is not None})
    path = str(tmp_path / "edited.pt")
    save_checkpoint(path, "ipot", config, blob["state_dict"], blob["trained"])
    return path


def test_the_good_checkpoint_loads(good):
    model, config = load_model(good[0], "ipot")
    assert config["hidden"] == 16


@pytest.mark.parametrize("changes,words", [
    ({"hidden": 60000}, "hidden must be between 8 and 1024"),   # used to allocate 14 GB
    ({"heads": 0}, "heads must be between 1 and 64"),            # used to be exit 1
    ({"hidden": 18, "heads": 4}, "multiple of heads"),
    ({"hidden": "64"}, "hidden must be a number"),
    ({"dropout": float("nan")}, "dropout must be a finite number"),
    ({"lam": -1.0}, "lam must be between"),
    ({"sinkhorn_iters": 2.5}, "whole number"),
    ({"movie_dim": None}, "lacks movie_dim"),
    ({"movie_mean": [0.0]}, "movie_mean must be 16 finite numbers"),
    ({"music_std": [0.0] * 8}, "music_std must be"),
])
def test_a_bad_config_is_refused_before_building(good, tmp_path, changes, words):
    path = _rewrite(tmp_path, good[1], **changes)
    with pytest.raises(ModelUnavailableError, match=words) as info:
        load_model(path, "ipot")
    assert "\n" not in str(info.value) and "damaged ipot checkpoint" in str(info.value)


def test_an_empty_config_is_refused(good, tmp_path):
    blob = dict(good[1], config={})
    path = str(tmp_path / "empty.pt")
    torch.save(blob, path)
    with pytest.raises(ModelUnavailableError, match="lacks"):
        load_model(path, "ipot")


@pytest.mark.parametrize("content", ["pickle", "text", "tensor", "empty"])
def test_a_foreign_file_is_one_line_without_torch_advice(tmp_path, content):
    path = tmp_path / "foreign.pt"
    if content == "pickle":
        path.write_bytes(pickle.dumps({"a": object.__name__, "f": os.getcwd}))
    elif content == "text":
        path.write_text("hello\n")
    elif content == "tensor":
        torch.save(torch.zeros(3), path)
    else:
        path.write_bytes(b"")
    with pytest.raises(ModelUnavailableError) as info:
        load_model(str(path), "ipot")
    text = str(info.value)
    assert "\n" not in text and "weights_only" not in text


def test_resume_onto_a_foreign_output_refuses_and_keeps_it(tmp_path):
    out = tmp_path / "notes.pt"
    out.write_text("my notes, not a checkpoint\n")
    with pytest.raises(ParameterError, match="cannot continue it"):
        train("ipot", make_planted(4, seed=1), str(out), options=TrainOptions(epochs=1),
              backend="planted", resume=True)
    assert out.read_text() == "my notes, not a checkpoint\n"


@pytest.mark.parametrize("content", ["pickle", "text", "dict"])
def test_a_foreign_resume_file_is_a_parameter_error(tmp_path, content):
    out = tmp_path / "m.pt"
    resume = tmp_path / "m.pt.resume"
    if content == "pickle":
        resume.write_bytes(pickle.dumps(os.getcwd))
    elif content == "text":
        resume.write_text("x")
    else:
        torch.save({"epoch": 1}, resume)
    with pytest.raises(ParameterError) as info:
        train("ipot", make_planted(4, seed=1), str(out), options=TrainOptions(epochs=1),
              backend="planted", resume=True)
    assert "\n" not in str(info.value) and "weights_only" not in str(info.value)
    assert not out.exists()


@pytest.mark.parametrize("kind,options,words", [
    ("ipot", {"hidden": "abc"}, "hidden must be a number"),
    ("ipot", {"hidden": 60000}, "between 8 and 1024"),
    ("ssmp", {"layers": 0}, "layers must be between 1 and 12"),
    ("ssmp", {"use_music": "maybe"}, "use_music must be true or false"),
    ("ssmp", {"t_min": 0.9, "t_max": 0.5}, "t_min"),
    ("ssmp", {"colour": 1}, "Unknown ssmp model option"),
])
def test_model_options_are_checked_at_train_time(kind, options, words):
    with pytest.raises(ParameterError, match=words):
        validate_options(kind, options)


def test_model_options_from_text_are_parsed():
    cfg = validate_options("ssmp", {"hidden": "32", "use_music": "false", "dropout": "0.2"})
    assert (cfg["hidden"], cfg["use_music"], cfg["dropout"]) == (32, False, 0.2)
    assert cfg["layers"] == 2  # defaults fill the rest
