"""Benchmark: whole movie analysis on Big Buck Bunny and on BBB four times over (40 minutes).

The long film is made here with ffmpeg's concat demuxer and ``-c copy`` (no re-encode). Each
analysis (decode pass with the default detector, faces, speech and text; shots; features) runs
in its own child process with an empty cache, so each wall time, CPU time and peak RSS is its
own. Time should grow about linearly; peak RSS should not grow (target: the long film within 10%
of the short one).

    nice -n 10 python -m trailersmith.benchmarks.bench_long_film [--movie PATH] [--seconds S]

``--seconds`` first stream-copies that much of the movie (a quicker check of the same shape).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA",
                            Path(__file__).resolve().parents[1].parent / "shared" / "media"))
BBB = MEDIA / "video" / "bbb" / "bbb_full_720p24.mp4"


def _child(movie: str) -> None:
    from trailersmith.core.pipeline import SuggestOptions, analyze_movie

    t0 = time.perf_counter()
    result = analyze_movie(movie, SuggestOptions())
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                      "peak_rss_mib": usage.ru_maxrss / 1024,
                      "frames": result.info.frame_count, "shots": len(result.shots.shots),
                      "duration_s": result.info.duration_s}))


def _run(movie: Path, cache: Path) -> dict:
    env = {**os.environ, "TRAILERSMITH_CACHE": str(cache)}
    proc = subprocess.run([sys.executable, "-m", "trailersmith.benchmarks.bench_long_film",
                           "--child", str(movie)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"analysis of {movie} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def concat(movie: Path, times: int, out: Path) -> Path:
    """``movie`` ``times`` times over, stream-copied by the concat demuxer."""
    listing = out.with_suffix(".txt")
    listing.write_text("".join(f"file '{movie}'\n" for _ in range(times)))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i",
                    str(listing), "-c", "copy", str(out)], check=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movie", default=str(BBB))
    parser.add_argument("--seconds", type=float, default=0.0)
    parser.add_argument("--times", type=int, default=4)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    movie = Path(args.movie)
    if not movie.is_file():
        print(f"movie not found: {movie} (set TRAILERSMITH_MEDIA)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.seconds > 0:
            short = tmp / f"short{movie.suffix}"
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(movie), "-t",
                            str(args.seconds), "-c", "copy", str(short)], check=True)
            movie = short
        long = concat(movie, args.times, tmp / f"long{movie.suffix}")
        print(f"movie: {args.movie}  cpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}")
        rows = [("1x", _run(movie, tmp / "cache1")), (f"{args.times}x", _run(long, tmp / "c2"))]
    print(f"{'film':<6}{'length s':>10}{'frames':>8}{'shots':>7}{'wall s':>9}{'cpu s':>9}"
          f"{'RSS MiB':>9}")
    for name, r in rows:
        print(f"{name:<6}{r['duration_s']:>10.1f}{r['frames']:>8}{r['shots']:>7}"
              f"{r['wall_s']:>9.1f}{r['cpu_s']:>9.1f}{r['peak_rss_mib']:>9.0f}")
    (_, a), (_, b) = rows
    growth = b["peak_rss_mib"] / a["peak_rss_mib"] - 1
    print(f"time ratio {b['wall_s'] / a['wall_s']:.2f} (length ratio "
          f"{b['duration_s'] / a['duration_s']:.2f}); peak RSS growth {100 * growth:+.1f}% "
          f"({'ok' if growth <= 0.10 else 'OVER 10%'}); load after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
