"""Benchmark: the movie's one decode pass with and without faces and speech; face cost per frame.

Each configuration runs in its own child process on the same file (by default a stream-copied
excerpt of Big Buck Bunny, made here with ffmpeg ``-c copy``; ``--seconds 0`` for the whole film):

- ``today``: the pass as it was before faces and speech: TransNetV2 (the old ``auto``) plus the
  affect backend's 64x36 statistics and text-overlay consumers.
- ``histogram-v1`` / ``histogram-v2``: the histogram detector with the old consumers, and with
  the new ones (faces at 1 frame/s, speech from the soundtrack decoded in the same pass).
- ``fused-v2``: the new default: fused detector and every new consumer.

Prints wall and CPU time, each ratio to ``today`` and to ``histogram-v1``, peak RSS, and the face
detector's own milliseconds per sampled frame and how many sampled frames had a face.

    nice -n 10 python -m trailersmith.benchmarks.bench_decode_pass [--movie PATH] [--seconds 120]
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
CONFIGS = ("today", "histogram-v1", "histogram-v2", "fused-v2")


def _child(config: str, movie: str) -> None:
    from trailersmith.core.features import faces
    from trailersmith.core.features.affect import AffectBackend, _FrameStatsConsumer
    from trailersmith.core.features.text_overlay import TextOverlayConsumer
    from trailersmith.core.media import probe_video
    from trailersmith.core.shots import detect_shots

    info = probe_video(movie)
    detector = {"today": "transnetv2", "fused-v2": "fused"}.get(config, "histogram")
    timing = {"face_s": 0.0, "face_frames": 0, "with_faces": 0}
    if config.endswith("v2"):
        backend = AffectBackend()
        consumers = backend.frame_consumers(info)
        for c in consumers:
            if isinstance(c, faces.FaceConsumer):
                detect = c._detect

                def timed(rgb, detect=detect):
                    t = time.perf_counter()
                    out = detect(rgb)
                    timing["face_s"] += time.perf_counter() - t
                    timing["face_frames"] += 1
                    timing["with_faces"] += out[0] > 0
                    return out
                c._detect = timed
    else:
        consumers = [_FrameStatsConsumer(), TextOverlayConsumer(info)]
    t0 = time.perf_counter()
    shots, _ = detect_shots(movie, detector=detector, extra_consumers=consumers)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"config": config, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                      "peak_rss_mib": usage.ru_maxrss / 1024, "shots": len(shots.shots),
                      **timing}))


def _run(config: str, movie: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "trailersmith.benchmarks.bench_decode_pass",
                           "--child", config, "--movie", str(movie)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{config} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movie", default=str(BBB))
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="stream-copy this much of the movie first (0: the whole film)")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.movie)
        return 0
    movie = Path(args.movie)
    if not movie.is_file():
        print(f"movie not found: {movie} (set TRAILERSMITH_MEDIA)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        if args.seconds > 0:
            excerpt = Path(tmp) / f"excerpt{movie.suffix}"
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(movie), "-t",
                            str(args.seconds), "-c", "copy", str(excerpt)], check=True)
            movie = excerpt
        print(f"movie: {args.movie} ({args.seconds or 'all'} s)  cpus: {os.cpu_count()}  "
              f"load: {os.getloadavg()[0]:.2f}")
        results = {c: _run(c, movie) for c in args.configs.split(",") if c}
    today, hist = results.get("today"), results.get("histogram-v1")
    print(f"{'config':<14}{'wall s':>8}{'/today':>8}{'/hist-v1':>9}{'cpu s':>8}{'RSS MiB':>9}"
          f"{'face ms/frame':>15}{'face frames':>13}{'with faces':>12}")
    for c, r in results.items():
        face_ms = 1000 * r["face_s"] / r["face_frames"] if r["face_frames"] else float("nan")
        print(f"{c:<14}{r['wall_s']:>8.1f}"
              f"{r['wall_s'] / today['wall_s'] if today else float('nan'):>8.2f}"
              f"{r['wall_s'] / hist['wall_s'] if hist else float('nan'):>9.2f}"
              f"{r['cpu_s']:>8.1f}{r['peak_rss_mib']:>9.0f}{face_ms:>15.1f}"
              f"{r['face_frames']:>13}{r['with_faces']:>12}")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
