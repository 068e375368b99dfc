"""Benchmark: the cache's full-file fingerprint against the old 16-chunk sampled one.

Times, best of ``--repeats``, on Big Buck Bunny (50 MB, real media) and on a generated file of
``--size-gib`` GiB (random bytes, deleted afterwards), with the file in the page cache:

* ``sampled``: the old fingerprint (size + 16 chunks of 256 KiB);
* ``blake2b full``: :func:`trailersmith.core.fingerprint.content_hash`, what keys the cache now;
* ``memo hit``: :func:`file_fingerprint` when the file's version is already remembered.

It prints MB/s and the time a 4 GB movie would take at that rate, and the ratio to the
sampled baseline measured in the same run. A cold read from disk is bounded by the disk's speed
instead (not measured: dropping the page cache would disturb everyone on this machine).

    nice -n 10 python benchmarks/bench_fingerprint.py [--size-gib 1] [--repeats 3]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from pathlib import Path

from trailersmith.core.fingerprint import content_hash, file_fingerprint

MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA",
                            Path(__file__).resolve().parents[1].parent / "shared" / "media"))
BBB = MEDIA / "video/bbb/bbb_full_720p24.mp4"
_CHUNK, _SAMPLES = 1 << 18, 16


def sampled_fingerprint(path: str) -> str:
    """The fingerprint the cache used before: size plus 16 evenly spread 256 KiB chunks."""
    size = os.path.getsize(path)
    h = hashlib.blake2b(digest_size=16)
    h.update(str(size).encode())
    with open(path, "rb") as f:
        step = max(1, (size - _CHUNK) // (_SAMPLES - 1))
        for i in range(_SAMPLES):
            f.seek(i * step)
            h.update(f.read(_CHUNK))
    return h.hexdigest()


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(path: str, repeats: int, memo_root: str) -> None:
    size = os.path.getsize(path)
    content_hash(path)  # warm the page cache
    sampled = best_of(lambda: sampled_fingerprint(path), repeats)
    full = best_of(lambda: content_hash(path), repeats)
    file_fingerprint(path, memo_root)
    memo = best_of(lambda: file_fingerprint(path, memo_root), repeats)
    rate = size / full / 1e6
    print(f"{os.path.basename(path)}: {size / 1e6:.0f} MB")
    print(f"  sampled      {sampled * 1e3:9.2f} ms")
    print(f"  blake2b full {full * 1e3:9.2f} ms  ({rate:.0f} MB/s; {full / sampled:.0f}x sampled;"
          f" a 4 GB movie: {4e9 / (rate * 1e6):.1f} s)")
    print(f"  memo hit     {memo * 1e3:9.2f} ms  ({memo / sampled:.2f}x sampled)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-gib", type=float, default=1.0, help="generated file size (0: skip)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fingerprint-") as tmp:
        if BBB.is_file():
            measure(str(BBB), args.repeats, tmp)
        else:
            print(f"(no {BBB}: set TRAILERSMITH_MEDIA)")
        if args.size_gib > 0:
            big = os.path.join(tmp, "big.bin")
            block = os.urandom(1 << 24)
            with open(big, "wb") as f:
                for _ in range(int(args.size_gib * 64)):
                    f.write(block)
            measure(big, args.repeats, tmp)


if __name__ == "__main__":
    main()
