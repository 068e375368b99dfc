"""Fault-corpus cases of the learning commands: datasets and checkpoints."""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import List

from .fault_cases import CLI, _file, _train_argv, _x, suggest
from .fault_contract import FAST, Case, Ctx


# ---- dataset ---------------------------------------------------------------------------------
def _csv(c: Ctx, text: bytes) -> Path:
    return _file(c, "pairs.csv", text)


def _build(c: Ctx, csv: Path, out: str = "ds") -> List[str]:
    c.outputs.append(c.ws / out)
    return ["dataset", "build", str(csv), str(c.ws / out), *FAST]


def _dataset_json(c: Ctx, text: bytes) -> List[str]:
    (c.ws / "ds").mkdir()
    _file(c, "ds/dataset.json", text)
    return ["train", "--generator", "ipot", str(c.ws / "ds"), "-o", str(c.out("m.pt")),
            "--epochs", "1"]


DATASET = [
    Case("dataset-csv-names-missing-files",
         lambda c: _build(c, _csv(c, b"movie,trailer\nnope.mp4,nope2.mp4\n")),
         says="nope|missing|not found", xfail=_x(12, CLI)),
    Case("dataset-csv-invalid-utf8",
         lambda c: _build(c, _csv(c, b"movie,trailer\n\xff\xfe\xfa.mp4,b.mp4\n")), says="utf|encod",
         xfail=_x(12, CLI)),
    Case("dataset-out-dir-is-a-file",
         lambda c: _build(c, _csv(c, b"movie,trailer\n%s,%s\n" % (str(c.media.movie).encode(),
                                                                  str(c.media.movie).encode())),
                          out="outfile") if _file(c, "outfile", b"x") else [],
         xfail=_x(12, CLI)),
    Case("dataset-csv-empty", lambda c: _build(c, _csv(c, b""))),
    Case("dataset-csv-without-columns", lambda c: _build(c, _csv(c, b"a,b\n1,2\n")),
         says="movie|column"),
    Case("dataset-planted-one-movie",
         lambda c: ["dataset", "planted", "--movies", "1", str(c.ws / "p")], says="movies"),
    Case("dataset-train-on-missing-folder",
         lambda c: ["train", "--generator", "ipot", str(c.ws / "nods"), "-o", str(c.out("m.pt"))]),
    Case("dataset-train-on-empty-index", lambda c: _dataset_json(c, b"")),
    Case("dataset-train-on-garbage-index", lambda c: _dataset_json(c, b"{\"pairs\": 7}")),
    Case("dataset-eval-on-missing-folder",
         lambda c: ["eval", "--generator", "ot", str(c.ws / "nods")]),
]


# ---- checkpoints -----------------------------------------------------------------------------
def _bad_checkpoint(c: Ctx, **changes) -> Path:
    import torch
    blob = torch.load(c.media.checkpoint, weights_only=True)
    if changes.pop("empty_config", False):
        blob["config"] = {}
    blob["config"].update(changes)
    path = c.ws / "bad.pt"
    torch.save(blob, path)
    c.sources.append(path)
    return path


def _foreign(c: Ctx, kind: str, name: str = "foreign.pt") -> Path:
    if kind == "pickle":
        return _file(c, name, pickle.dumps({"weights": [1, 2, 3], "f": os.getcwd}))
    return _file(c, name, b"not a checkpoint\n")


def _with_ckpt(c: Ctx, path: Path, generator: str = "ipot") -> List[str]:
    return suggest(c.warm(), None, None, "t.otio", "--generator", generator, "--checkpoint", path)


def _eval_ckpt(c: Ctx, path: Path) -> List[str]:
    return ["eval", "--generator", "ipot", "--checkpoint", str(path), str(c.media.dataset)]


CHECKPOINTS = [
    Case("ckpt-model-option-not-a-number", lambda c: _train_argv(c, "--model-option", "hidden=abc"),
         says="hidden"),
    Case("ckpt-model-option-huge", lambda c: _train_argv(c, "--model-option", "hidden=60000"),
         says="hidden"),
    Case("ckpt-model-option-zero-heads", lambda c: _train_argv(c, "--model-option", "heads=0"),
         says="heads"),
    Case("ckpt-model-option-unknown", lambda c: _train_argv(c, "--model-option", "colour=1"),
         says="colour"),
    Case("ckpt-train-resume-onto-foreign-file",
         lambda c: (_foreign(c, "text", "m.pt"), _train_argv(c, "--resume"))[1], says="resume"),
    Case("ckpt-train-foreign-resume-file",
         lambda c: (_foreign(c, "pickle", "m.pt.resume"), _train_argv(c, "--resume"))[1],
         says="resume"),
    Case("ckpt-train-output-exists", lambda c: (_foreign(c, "text", "m.pt"), _train_argv(c))[1],
         says="exists|force"),
    Case("ckpt-train-zero-epochs", lambda c: _train_argv(c, "--epochs", "0"), says="epoch"),
    Case("ckpt-train-val-fraction-two", lambda c: _train_argv(c, "--val-fraction", "2"),
         says="val"),
    Case("ckpt-suggest-missing-checkpoint", lambda c: _with_ckpt(c, c.ws / "none.pt"),
         says="checkpoint"),
    Case("ckpt-suggest-text-checkpoint", lambda c: _with_ckpt(c, _foreign(c, "text")),
         says="checkpoint"),
    Case("ckpt-suggest-pickle-checkpoint", lambda c: _with_ckpt(c, _foreign(c, "pickle")),
         says="checkpoint"),
    Case("ckpt-suggest-empty-config",
         lambda c: _with_ckpt(c, _bad_checkpoint(c, empty_config=True)), says="damaged|config"),
    Case("ckpt-suggest-huge-hidden", lambda c: _with_ckpt(c, _bad_checkpoint(c, hidden=60000)),
         says="hidden"),
    Case("ckpt-suggest-zero-heads", lambda c: _with_ckpt(c, _bad_checkpoint(c, heads=0)),
         says="heads"),
    Case("ckpt-suggest-wrong-generator", lambda c: _with_ckpt(c, c.media.checkpoint, "ssmp"),
         says="ipot"),
    Case("ckpt-eval-pickle-checkpoint", lambda c: _eval_ckpt(c, _foreign(c, "pickle")),
         says="checkpoint"),
    Case("ckpt-eval-nan-dropout", lambda c: _eval_ckpt(c, _bad_checkpoint(c, dropout=float("nan"))),
         says="dropout"),
]
