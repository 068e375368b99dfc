"""Benchmark: music analysis time per track, against librosa's beat tracker alone.

For each track it prints the decode time, the full ``analyze_music`` time (beats, downbeats,
sections, planned cuts; the rest of the decode-free work) and the ratio to a baseline measured in
the same run: ``librosa.beat.beat_track`` on the same decoded samples. It also prints the one-off
cost of librosa's imports and numba compilation in a fresh process (paid once per process).

    python benchmarks/bench_music.py [TRACK ...]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA",
                            Path(__file__).resolve().parents[1].parent / "shared" / "media"))
DEFAULT_TRACKS = [MEDIA / "music/wesnoth" / n
                  for n in ("frantic.ogg", "heroes_rite.ogg", "love_theme.ogg")]


def cold_start_seconds() -> float:
    """Wall time of librosa's imports and JIT compilation in a fresh interpreter."""
    code = ("import time, numpy as np; t = time.perf_counter(); import librosa.beat, "
            "librosa.feature, librosa.onset, librosa.core.spectrum; "
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tracks", nargs="*", default=[str(p) for p in DEFAULT_TRACKS])
    args = ap.parse_args()
    import librosa

    from trailersmith.core.media import load_audio
    from trailersmith.core.music import SAMPLE_RATE as SR
    from trailersmith.core.music import analyze_music

    print(f"fresh-process librosa import + numba compile: {cold_start_seconds():6.2f} s")
    warm = load_audio(args.tracks[0], SR)
    analyze_music(y=warm, sr=SR)  # compile once so the per-track figures are steady-state
    for track in args.tracks:
        if not os.path.isfile(track):
            print(f"skip {track}: missing")
            continue
        y = load_audio(track, SR)
        decode = best_of(lambda: load_audio(track, SR), 1)
        full = best_of(lambda: analyze_music(y=y, sr=SR))
        ipot = best_of(lambda: analyze_music(y=y, sr=SR, segmentation="ipot"), 1)
        baseline = best_of(lambda: librosa.beat.beat_track(y=y, sr=SR))
        print(f"{Path(track).name:22s} {len(y) / SR:6.1f} s audio | decode {decode:5.2f} s | "
              f"analyze_music {full:5.2f} s | ipot {ipot:5.2f} s | librosa beat_track "
              f"{baseline:5.2f} s | ratio {full / baseline:4.1f}x")


if __name__ == "__main__":
    main()
