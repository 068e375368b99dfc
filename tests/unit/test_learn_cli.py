"""The learned-generator sub-commands end to end on a tiny planted dataset."""
import json

import pytest

from trailersmith.cli import main

pytest.importorskip("torch")


def test_planted_train_eval_round_trip(tmp_path, capsys):
    data, ckpt = str(tmp_path / "ds"), str(tmp_path / "ssmp.pt")
    assert main(["dataset", "planted", data, "--movies", "12", "--seed", "4"]) == 0
    assert main(["train", data, "--generator", "ssmp", "-o", ckpt, "--epochs", "2",
                 "--model-option", "hidden=16", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["epochs_run"] == 2 and report["steps_per_s"] > 0
    assert report["train_pairs"] + report["val_pairs"] == 12
    # Refuses to overwrite the checkpoint unasked.
    assert main(["train", data, "--generator", "ssmp", "-o", ckpt, "--epochs", "1"]) == 2
    assert main(["eval", data, "--generator", "ssmp", "--checkpoint", ckpt,
                 "--option", "decoding=greedy", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["pairs"]) == 12 and out["average"]["pairs"] == 12
    first = out["pairs"][0]
    assert 0 <= first["sel_F1@1"] <= 1 and first["shots"] == first["official_shots"]
    assert "predicted" in out["definitions"]["precision"]
    assert main(["eval", data, "--generator", "ot"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[:2] == ["pair", "sel_P@1"]
    assert table.splitlines()[-1].startswith("average")


def test_bad_input_exits_2_with_a_message(tmp_path, capsys):
    assert main(["eval", str(tmp_path / "none"), "--generator", "ot"]) == 2
    assert "dataset build" in capsys.readouterr().err
    data = str(tmp_path / "ds")
    main(["dataset", "planted", data, "--movies", "3"])
    assert main(["eval", data, "--generator", "ipot", "--checkpoint",
                 str(tmp_path / "x.pt")]) == 2
    assert "trailersmith train" in capsys.readouterr().err
    assert main(["train", data, "--generator", "ipot", "-o", str(tmp_path / "c.pt"),
                 "--model-option", "nokey"]) == 2
    csv = tmp_path / "pairs.csv"
    csv.write_text("film,clip\na.mp4,b.mp4\n")
    assert main(["dataset", "build", str(csv), str(tmp_path / "out")]) == 2
    assert "'movie' and 'trailer'" in capsys.readouterr().err
