"""Benchmark: first `suggest` on the real film versus a re-run with another track, cached movie.

Two ways an editor re-runs, both measured against the first run in the same benchmark:

- in the panel (one long-lived process): "Try another track" calls ``suggest`` again;
- from the command line: a new ``trailersmith suggest`` process, which also pays Python's and
  librosa's start-up (imports, numba compilation of the beat tracker).

Prints wall times, ratios (target: the re-run at least 10x faster) and peak RSS (target: at most
1.5 GiB). Each measurement runs in a fresh child process so its memory peak is its own.

    python benchmarks/bench_suggest.py [--movie PATH] [--music PATH] [--other PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA",
                            Path(__file__).resolve().parents[1].parent / "shared" / "media"))

_IN_PROCESS = """
import json, resource, sys, time
from trailersmith.core.pipeline import suggest
movie, music, other = sys.argv[1:4]
t = time.perf_counter(); suggest(movie, music); first = time.perf_counter() - t
t = time.perf_counter(); suggest(movie, other); again = time.perf_counter() - t
print(json.dumps({"first": first, "again": again,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_CLI = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
proc = subprocess.run([sys.executable, "-m", "trailersmith", *sys.argv[1:]], capture_output=True,
                      text=True)
wall = time.perf_counter() - t
if proc.returncode:
    sys.exit(proc.stderr)
print(json.dumps({"wall": wall,
                  "rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def _child(code: str, args, cache: str) -> dict:
    env = {**os.environ, "TRAILERSMITH_CACHE": cache}
    proc = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True)
    if proc.returncode:
        sys.exit(f"benchmark run failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
        panel = _child(_IN_PROCESS, [args.movie, args.music, args.other],
                       os.path.join(tmp, "cache_panel"))
        cache = os.path.join(tmp, "cache_cli")
        cli_first = _child(_CLI, ["suggest", args.movie, args.music, "-o", f"{tmp}/a.otio"],
                           cache)
        cli_again = _child(_CLI, ["suggest", args.movie, args.other, "-o", f"{tmp}/b.otio"],
                           cache)
    print("in one process (the panel's Try another track):")
    print(f"  first suggest {panel['first']:7.2f} s, re-run {panel['again']:6.2f} s, "
          f"speed-up {panel['first'] / panel['again']:5.1f}x (target >= 10x), "
          f"peak RSS {panel['rss_mib']:6.0f} MiB")
    print("separate CLI processes (start-up included):")
    print(f"  first suggest {cli_first['wall']:7.2f} s (peak RSS {cli_first['rss_mib']:6.0f} MiB), "
          f"re-run {cli_again['wall']:6.2f} s (peak RSS {cli_again['rss_mib']:6.0f} MiB), "
          f"speed-up {cli_first['wall'] / cli_again['wall']:5.1f}x (target >= 10x)")
    peak = max(panel["rss_mib"], cli_first["rss_mib"], cli_again["rss_mib"]) / 1024
    print(f"peak RSS over all runs: {peak:.2f} GiB (target <= 1.5 GiB)")


if __name__ == "__main__":
    main()
