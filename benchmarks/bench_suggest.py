"""Benchmark: first `suggest` on the real film versus a re-run with another track on the cached movie.

Prints wall times, their ratio (target: the re-run at least 10x faster) and each run's peak RSS
(target: at most 1.5 GiB). Each run is a separate process so its peak memory is its own.

    python benchmarks/bench_suggest.py [--movie PATH] [--music PATH] [--other PATH]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA",
                            Path(__file__).resolve().parents[1].parent / "shared" / "media"))


def run(argv, cache: str) -> tuple:
    """Wall seconds and peak RSS (MiB) of one CLI run in a child process."""
    env = {**os.environ, "TRAILERSMITH_CACHE": cache}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "trailersmith", *argv], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"run failed ({proc.returncode}): {proc.stderr.strip()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--movie", default=str(MEDIA / "video/bbb/bbb_full_720p24.mp4"))
    ap.add_argument("--music", default=str(MEDIA / "music/wesnoth/frantic.ogg"))
    ap.add_argument("--other", default=str(MEDIA / "music/wesnoth/love_theme.ogg"))
    args = ap.parse_args()
    for p in (args.movie, args.music, args.other):
        if not os.path.isfile(p):
            sys.exit(f"missing media {p}: put ../shared/media beside the checkout")
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        first, rss1 = run(["suggest", args.movie, args.music, "-o", f"{tmp}/a.otio"], cache)
        again, rss2 = run(["suggest", args.movie, args.other, "-o", f"{tmp}/b.otio"], cache)
    print(f"first suggest (decode + shots + music + generate): {first:8.2f} s  peak RSS "
          f"{rss1:7.0f} MiB")
    print(f"re-run with another track on the cached movie:      {again:8.2f} s  peak RSS "
          f"{rss2:7.0f} MiB (max so far)")
    print(f"speed-up of the re-run: {first / again:.1f}x (target >= 10x); peak RSS "
          f"{max(rss1, rss2) / 1024:.2f} GiB (target <= 1.5 GiB)")


if __name__ == "__main__":
    main()
