"""Quality figures of `suggest` on the real film and music (issue 2, criteria 2, 4 and 5).

For each track and generator: cuts within 70 ms of librosa's default beat tracker, mean segment
length of the loudest third of segments over the quietest third, the Spearman correlation of a
segment's loudness with its shot's motion, and how many clips needed extending or replacing.

    python benchmarks/quality_suggest.py [--movie PATH] [--tracks frantic heroes_rite love_theme]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA",
                            Path(__file__).resolve().parents[1].parent / "shared" / "media"))


def main() -> None:
    import librosa
    from scipy.stats import spearmanr

    from trailersmith.core.pipeline import SuggestOptions, suggest

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--movie", default=str(MEDIA / "video/bbb/bbb_full_720p24.mp4"))
    ap.add_argument("--tracks", nargs="+", default=["frantic", "heroes_rite", "love_theme"])
    ap.add_argument("--generators", nargs="+", default=["ot", "knapsack"])
    args = ap.parse_args()
    if not os.path.isfile(args.movie):
        sys.exit(f"missing media {args.movie}: put ../shared/media beside the checkout")
    print(f"{'track':12s} {'gen':8s} {'time s':>7s} {'clips':>5s} {'beats70':>7s} "
          f"{'loud/quiet':>10s} {'spearman':>8s} {'extended':>8s} {'replaced':>8s}")
    for track in args.tracks:
        music = str(MEDIA / f"music/wesnoth/{track}.ogg")
        y, sr = librosa.load(music)
        _, reference = librosa.beat.beat_track(y=y, sr=sr, units="time")
        for generator in args.generators:
            t = time.perf_counter()
            r = suggest(args.movie, music, SuggestOptions(generator=generator))
            wall = time.perf_counter() - t
            cuts = np.asarray(r.music.analysis.cuts_s)
            near = np.mean([np.min(np.abs(reference - c)) <= 0.070 for c in cuts])
            loud = r.music.segment_cues["loudness_db"]
            segs = r.music.analysis.segments_s
            lengths = segs[:, 1] - segs[:, 0]
            order, third = np.argsort(loud), len(loud) // 3
            ratio = lengths[order[-third:]].mean() / lengths[order[:third]].mean()
            shots = [c.shot for c in sorted(r.plan.clips, key=lambda c: c.segment)]
            rho = spearmanr(loud, r.movie.shot_cues["motion"][shots]).correlation
            extended = sum(1 for c in r.plan.clips if c.extended_with)
            replaced = sum(1 for c in r.plan.clips if c.reason.startswith("replacement")
                           or "replacement:" in c.reason)
            print(f"{track:12s} {generator:8s} {wall:7.1f} {len(r.plan.clips):5d} {near:7.3f} "
                  f"{ratio:10.2f} {rho:8.3f} {extended:8d} {replaced:8d}")


if __name__ == "__main__":
    main()
