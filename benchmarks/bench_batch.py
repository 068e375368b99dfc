"""Benchmark: films per hour of ``batch analyze`` in-process, on a local Ray with 1 worker and
with 2 workers, the scaling efficiency, and where a film's time goes (per-stage split).

Each configuration analyses the same clips of Big Buck Bunny into an empty cache of its own.
Films per hour are given with and without the engine's start-up (a local Ray takes seconds to
start, a cluster is already up). The per-film figures extrapolate to a 2-hour film as
minutes of one worker (what docs/cluster.md sizes catalogues with).

    nice -n 10 python benchmarks/bench_batch.py [--films 4] [--clip-seconds 20] [--detector auto]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA",
                            Path(__file__).resolve().parents[1].parent / "shared" / "media"))
BBB = MEDIA / "video" / "bbb" / "bbb_full_720p24.mp4"


def cut_clips(folder: Path, films: int, seconds: float):
    """``films`` clips of ``seconds`` each, spread over the film, cut without re-encoding."""
    out = []
    for i in range(films):
        clip = folder / f"bbb{i}.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(30 + 50 * i), "-i", str(BBB),
                        "-t", str(seconds), "-c", "copy", str(clip)], check=True)
        out.append(str(clip))
    return out


def measure(kind: str, workers: int, clips, detector: str, cache: Path) -> dict:
    """Run one configuration; returns its wall times and per-film records."""
    from trailersmith.batch.engine import make_engine
    from trailersmith.batch.runner import analyze_catalogue
    from trailersmith.core.options import SuggestOptions

    t0 = time.perf_counter()
    engine = make_engine(engine=kind, workers=workers)
    started = time.perf_counter()
    try:
        report = analyze_catalogue(clips, SuggestOptions(detector=detector, cache_dir=str(cache)),
                                   engine, progress=False)
    finally:
        engine.close()
    done = time.perf_counter()
    assert report["failed"] == 0, report
    return {"startup_s": started - t0, "work_s": done - started, "films": report["films"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--films", type=int, default=4)
    ap.add_argument("--clip-seconds", type=float, default=20.0)
    ap.add_argument("--detector", default="auto", choices=("auto", "transnetv2", "histogram"))
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    from trailersmith.batch.engine import ray_installed

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        clips = cut_clips(Path(tmp), args.films, args.clip_seconds)
        runs = {"in-process": measure("in-process", 1, clips, args.detector, Path(tmp) / "c0")}
        if ray_installed():
            for n in (1, 2):
                runs[f"ray x{n}"] = measure("ray", n, clips, args.detector, Path(tmp) / f"c{n}")
    film_s = sum(f["duration_s"] for f in runs["in-process"]["films"]) / args.films
    print(f"{args.films} films of {film_s:.1f} s (BBB 720p24), detector {args.detector}, "
          f"{os.cpu_count()} cores")
    print(f"{'engine':12s} {'start s':>8s} {'work s':>8s} {'films/h':>9s} {'films/h+start':>14s}")
    figures = {}
    for name, r in runs.items():
        fph = args.films / r["work_s"] * 3600
        fph_start = args.films / (r["work_s"] + r["startup_s"]) * 3600
        figures[name] = {"startup_s": round(r["startup_s"], 2), "work_s": round(r["work_s"], 2),
                         "films_per_hour": round(fph, 1),
                         "films_per_hour_with_startup": round(fph_start, 1)}
        print(f"{name:12s} {r['startup_s']:8.1f} {r['work_s']:8.1f} {fph:9.0f} {fph_start:14.0f}")
    if "ray x2" in figures:
        eff = figures["ray x2"]["films_per_hour"] / (2 * figures["ray x1"]["films_per_hour"])
        figures["scaling_efficiency_2_workers"] = round(eff, 3)
        print(f"scaling efficiency, 2 workers vs 1: {eff:.0%} (100% = twice the films per hour)")
        ratio = figures["ray x1"]["films_per_hour"] / figures["in-process"]["films_per_hour"]
        print(f"ray x1 vs in-process: {ratio:.2f}x the films per hour")
    stages = {}
    for f in runs["in-process"]["films"]:
        for k, v in f["stages"].items():
            stages[k] = stages.get(k, 0.0) + v
    total = sum(stages.values()) or 1.0
    print("per-stage split of a film (in-process):")
    for k, v in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {k:30s} {v / args.films:7.2f} s/film  {v / total:5.1%}")
    per_film = sum(f["seconds"] for f in runs["in-process"]["films"]) / args.films
    realtime = per_film / film_s
    print(f"one worker: {per_film:.1f} s per {film_s:.0f} s film = {realtime:.2f} s of work per "
          f"second of film -> {realtime * 7200 / 60:.0f} min per 2-hour film")
    figures.update(stage_seconds_per_film={k: round(v / args.films, 3) for k, v in stages.items()},
                   work_per_film_second=round(realtime, 4), film_seconds=round(film_s, 2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
