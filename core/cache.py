"""Content-keyed stage cache: one ``.npz`` (arrays) plus one ``.json`` (metadata) per entry.

A key covers the input file's content fingerprint (:mod:`.fingerprint`), the stage's parameters
and the code version, so a changed file, option or algorithm never reuses a stale entry. Writes
go to temporary files that are renamed into place, the JSON last: an entry without its JSON does
not exist, so a crash or a cancel never leaves a partial entry that would be read back.

Self-healing: the JSON holds the BLAKE2b of the ``.npz`` bytes, and each stage declares the
arrays it needs (:class:`ArraySpec`) and a check of its metadata. An entry that fails any check
(empty, truncated or bit-flipped file, missing array, wrong dtype or shape, NaN, bad metadata)
is logged as a warning, deleted, and reported as a miss, so the stage recomputes it.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, Mapping, Optional, Tuple

import numpy as np
from trailersmith import __version__

from .fileio import write_atomic
from .fingerprint import file_fingerprint

log = logging.getLogger(__name__)

ENTRY_FORMAT = 2  # 2: metadata wrapped with the npz checksum; older entries are recomputed


class BadEntry(ValueError):
    """A cache entry that fails a check; the message says which."""


@dataclass(frozen=True)
class ArraySpec:
    """What a stage needs of one stored array.

    ``kinds``: accepted numpy dtype kinds ("iu" integers, "f" floats, "b" booleans); ``ndim``:
    number of axes (None: any); ``width``: size of the last axis when fixed; ``finite``: no
    NaN or infinity allowed.
    """

    kinds: str
    ndim: Optional[int] = 1
    width: Optional[int] = None
    finite: bool = True

    def check(self, name: str, a: np.ndarray) -> None:
        """Raise :class:`BadEntry` when ``a`` does not fit this spec."""
        if a.dtype.kind not in self.kinds:
            raise BadEntry(f"array {name!r} has dtype {a.dtype}, expected kind {self.kinds!r}")
        if self.ndim is not None and a.ndim != self.ndim:
            raise BadEntry(f"array {name!r} has shape {a.shape}, expected {self.ndim} axes")
        if self.width is not None and (a.ndim == 0 or a.shape[-1] != self.width):
            raise BadEntry(f"array {name!r} has shape {a.shape}, expected last axis {self.width}")
        if self.finite and a.dtype.kind in "fc" and not np.isfinite(a).all():
            raise BadEntry(f"array {name!r} holds NaN or infinity")


Validator = Callable[[Dict[str, np.ndarray], Dict], None]


def default_cache_dir() -> Path:
    """``$TRAILERSMITH_CACHE``, else the user cache folder (platformdirs; see :mod:`.userdirs`)."""
    from .userdirs import cache_dir

    return cache_dir()


class StageCache:
    """Read and write cache entries for named pipeline stages under ``root``."""

    def __init__(self, root: Optional[str] = None) -> None:
        self.root = Path(root) if root else default_cache_dir()

    def key(self, stage: str, *, files: Iterable[str] = (), params: Optional[Dict] = None,
            version: str = "") -> str:
        """Key of ``stage`` for these input files, parameters and stage code version."""
        payload = {
            "stage": stage,
            "files": [file_fingerprint(p, self.root) for p in files],
            "params": params or {},
            "code": f"{__version__}/{version}",
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()

    def _paths(self, stage: str, key: str) -> Tuple[Path, Path]:
        folder = self.root / stage
        return folder / f"{key}.npz", folder / f"{key}.json"

    def load(self, stage: str, key: str, *, required: Optional[Mapping[str, ArraySpec]] = None,
             validate: Optional[Validator] = None
             ) -> Optional[Tuple[Dict[str, np.ndarray], Dict]]:
        """The entry's ``(arrays, metadata)``, or None when absent or damaged.

        ``required`` names the arrays the stage reads and what each must be; ``validate`` is
        called with ``(arrays, metadata)`` and raises (``ValueError``, ``KeyError``,
        ``TypeError``) when the stage cannot use them. A damaged entry is deleted with a
        warning, so the caller recomputes and stores a good one.
        """
        npz_path, json_path = self._paths(stage, key)
        if not json_path.exists() or not npz_path.exists():
            return None
        try:
            arrays, meta = _read(npz_path, json_path)
            for name, spec in (required or {}).items():
                if name not in arrays:
                    raise BadEntry(f"array {name!r} is missing")
                spec.check(name, arrays[name])
            if validate is not None:
                validate(arrays, meta)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            log.warning("discarding damaged cache entry %s (%s); recomputing", json_path, exc)
            for p in (json_path, npz_path):
                try:
                    p.unlink()
                except OSError:
                    pass
            return None
        return arrays, meta

    def save(self, stage: str, key: str, arrays: Dict[str, np.ndarray], meta: Dict) -> None:
        """Store an entry atomically (arrays first, metadata with their checksum last)."""
        npz_path, json_path = self._paths(stage, key)
        npz_path.parent.mkdir(parents=True, exist_ok=True)
        data = _npz_bytes(arrays)
        wrapped = {"format": ENTRY_FORMAT, "npz_blake2b": _digest(data), "npz_bytes": len(data),
                   "meta": meta}
        write_atomic(str(npz_path), data)
        write_atomic(str(json_path), json.dumps(wrapped, default=str))


def _npz_bytes(arrays: Dict[str, np.ndarray]) -> bytes:
    """``np.savez`` bytes, but the same bytes for the same arrays (no zip timestamps).

    Two processes that store the same entry at once then write identical files, so whatever
    order their renames land in, the JSON's checksum matches the ``.npz`` beside it.
    """
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        for name, a in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with z.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(a), allow_pickle=False)
    return buf.getvalue()


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _read(npz_path: Path, json_path: Path) -> Tuple[Dict[str, np.ndarray], Dict]:
    import zipfile
    import zlib

    wrapped = json.loads(json_path.read_text(encoding="utf-8"))
    if not isinstance(wrapped, dict) or wrapped.get("format") != ENTRY_FORMAT:
        raise BadEntry("unknown entry format")
    if not isinstance(wrapped.get("meta"), dict):
        raise BadEntry("metadata is not a JSON object")
    data = npz_path.read_bytes()
    if len(data) != wrapped.get("npz_bytes") or _digest(data) != wrapped.get("npz_blake2b"):
        raise BadEntry(f"arrays file is {len(data)} bytes and does not match its checksum")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BadEntry(f"arrays file unreadable: {exc}") from None
    return arrays, wrapped["meta"]

