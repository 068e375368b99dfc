"""Content-keyed stage cache: one ``.npz`` (arrays) plus one ``.json`` (metadata) per entry.

A key covers the input file's content fingerprint, the stage's parameters and the code version,
so a changed file, option or algorithm never reuses a stale entry. Writes go to temporary files
that are renamed into place, the JSON last: an entry without its JSON does not exist, so a crash
or a cancel never leaves a partial entry that would be read back.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

import numpy as np
from trailersmith import __version__

from .fileio import atomic_file, write_atomic

log = logging.getLogger(__name__)

_CHUNK = 1 << 18  # bytes read per sampled chunk
_SAMPLES = 16  # chunks spread over the file; small files are hashed whole


def default_cache_dir() -> Path:
    """``$TRAILERSMITH_CACHE``, else the user cache folder (platformdirs; see :mod:`.userdirs`)."""
    from .userdirs import cache_dir

    return cache_dir()


def file_fingerprint(path: str) -> str:
    """A fast content fingerprint: size plus evenly spread chunks (the whole file when small).

    Reading ~4 MiB instead of a whole 4 GiB movie keeps re-runs instant; any re-encode, trim or
    edit changes the size or the sampled bytes.
    """
    size = os.path.getsize(path)
    h = hashlib.blake2b(digest_size=16)
    h.update(str(size).encode())
    with open(path, "rb") as f:
        if size <= _CHUNK * _SAMPLES:
            h.update(f.read())
        else:
            step = (size - _CHUNK) // (_SAMPLES - 1)
            for i in range(_SAMPLES):
                f.seek(i * step)
                h.update(f.read(_CHUNK))
    return h.hexdigest()


class StageCache:
    """Read and write cache entries for named pipeline stages under ``root``."""

    def __init__(self, root: Optional[str] = None) -> None:
        self.root = Path(root) if root else default_cache_dir()

    def key(self, stage: str, *, files: Iterable[str] = (), params: Optional[Dict] = None,
            version: str = "") -> str:
        """Key of ``stage`` for these input files, parameters and stage code version."""
        payload = {
            "stage": stage,
            "files": [file_fingerprint(p) for p in files],
            "params": params or {},
            "code": f"{__version__}/{version}",
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()

    def _paths(self, stage: str, key: str) -> Tuple[Path, Path]:
        folder = self.root / stage
        return folder / f"{key}.npz", folder / f"{key}.json"

    def load(self, stage: str, key: str) -> Optional[Tuple[Dict[str, np.ndarray], Dict]]:
        """The entry's ``(arrays, metadata)``, or None when absent or unreadable."""
        npz_path, json_path = self._paths(stage, key)
        if not json_path.exists() or not npz_path.exists():
            return None
        try:
            meta = json.loads(json_path.read_text())
            with np.load(npz_path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable cache entry %s (%s); recomputing", json_path, exc)
            return None
        return arrays, meta

    def save(self, stage: str, key: str, arrays: Dict[str, np.ndarray], meta: Dict) -> None:
        """Store an entry atomically (arrays first, metadata last)."""
        npz_path, json_path = self._paths(stage, key)
        npz_path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(str(npz_path)) as f:
            np.savez(f, **arrays)
        write_atomic(str(json_path), json.dumps(meta, default=str))
