"""Content fingerprints of input files: a full BLAKE2b hash, remembered per file version.

The cache key of a stage must change whenever the input file changes. Sampling 16 chunks of a
movie (the old fingerprint) missed a same-size edit between the samples, and the stale analysis
was served for a file that no longer decodes. Measured by ``benchmarks/bench_fingerprint.py``
(file in the page cache, 2 shared cores at load ~7, ``nice -n 10``): hashlib's BLAKE2b ran at
306 MB/s on Big Buck Bunny (50 MB) and 318 MB/s on a generated 2.1 GB file, about 13 s for a
4 GB movie (a cold read is bounded by the disk instead, e.g. 27 s at 150 MB/s); the sampled
fingerprint took 16-22 ms. Against the ~10 minutes of analysis a 2-hour film needs on first
sight, the full hash adds about 2 %, and it sees every edit.

To keep re-runs instant, the hash is remembered in ``MEMO_DIR`` under the file's *version*:
real path, device, inode, size, ``mtime_ns`` and ``ctime_ns``. Any write changes ``mtime_ns``
and ``ctime_ns`` (a tool that restores ``mtime``, e.g. ``touch -r``, cannot restore ``ctime``),
so an edited file is hashed again (ctime ticks at the kernel's clock granularity, a few ms). A
copy made without preserving times, a rename or a ``chmod`` is a new version too: it costs one
re-hash (seconds), never a re-analysis, because the stage key holds only the content hash, which
a copy keeps. We accept that cost. (Keying on ``mtime_ns`` itself, as the issue suggested, would
make every such copy a full re-analysis: minutes per film.)
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Optional

log = logging.getLogger(__name__)

MEMO_DIR = "fingerprints"  # folder of remembered hashes inside the cache root
_BLOCK = 1 << 20


def content_hash(path: str) -> str:
    """BLAKE2b-128 of the whole file (hex); raises OSError when it cannot be read."""
    h = hashlib.blake2b(digest_size=16)
    buf = bytearray(_BLOCK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            h.update(view[:n])
    return h.hexdigest()


def _version(path: str) -> str:
    real = os.path.realpath(path)
    st = os.stat(real)
    text = f"{real}\0{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def file_fingerprint(path: str, memo_root: Optional[os.PathLike] = None) -> str:
    """The content hash of ``path``, read from / stored in ``memo_root/fingerprints`` if given.

    The memo is an optimisation only: an unreadable or unwritable memo means hashing again.
    """
    if memo_root is None:
        return content_hash(path)
    memo = Path(memo_root) / MEMO_DIR / f"{_version(path)}.json"
    try:
        digest = json.loads(memo.read_text())["blake2b"]
        if isinstance(digest, str) and len(digest) == 32:
            return digest
    except (OSError, ValueError, KeyError, TypeError):
        pass
    before = _version(path)
    digest = content_hash(path)
    if _version(path) != before:  # written to while we read it: do not remember that
        return digest
    tmp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"blake2b": digest, "path": os.path.realpath(path)}))
        os.replace(tmp, memo)
    except OSError as exc:
        log.info("could not remember the fingerprint of %s (%s)", path, exc)
        tmp.unlink(missing_ok=True)
    return digest
