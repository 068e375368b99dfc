"""Benchmark: the text-overlay cue against an offline OCR text detector on real frames.

Frames are sampled every ``--every`` seconds from each movie (one decode pass: 320-wide frames for
our cue, 640-wide for the reference). The reference is RapidOCR's text detector (PP-OCR DB
model, shipped in the ``rapidocr-onnxruntime`` wheel; a benchmark-only dependency, the ``bench``
extra); a frame has text when it finds at least ``--min-lines`` line-shaped boxes (width at
least 2.5 times height). Prints precision, recall and F1 of our cue (score >= TEXT_SCORE_MIN) and
the frames where the two disagree, plus each one's cost per frame.

    nice -n 10 python -m trailersmith.benchmarks.bench_text_overlay [--every 15] [--min-lines 2]
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
MOVIES = (MEDIA / "video/bbb/bbb_full_720p24.mp4", MEDIA / "video/pyscenedetect/testvideo.mp4")


class _Grab:
    def __init__(self, size, stride):
        self.size, self.stride, self.frames = size, stride, []

    def consume(self, index, time_s, rgb):
        self.frames.append((index, time_s, rgb.copy()))

    def finish(self, frame_count):
        pass


def _sample(movie: Path, every_s: float):
    from trailersmith.core.features.text_overlay import analysis_size
    from trailersmith.core.media import decode_video, probe_video

    info = probe_video(str(movie))
    stride = max(1, int(round(every_s * float(info.fps))))
    ours = _Grab(analysis_size(info), stride)
    ref = _Grab((640, int(round(640 * info.height / info.width / 2)) * 2), stride)
    decode_video(str(movie), [ours, ref])
    return ours.frames, ref.frames


def _ocr_lines(engine, rgb) -> int:
    boxes, _ = engine(rgb[:, :, ::-1].copy(), use_det=True, use_cls=False, use_rec=False)
    count = 0
    for box in boxes or []:
        pts = np.asarray(box, float)
        w = np.linalg.norm(pts[1] - pts[0])
        h = np.linalg.norm(pts[3] - pts[0])
        count += w >= 2.5 * max(h, 1.0)
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=15.0)
    parser.add_argument("--min-lines", type=int, default=2)
    args = parser.parse_args(argv)
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        print("needs rapidocr-onnxruntime (pip install 'trailersmith[bench]')", file=sys.stderr)
        return 2
    from trailersmith.core.features.text_overlay import TEXT_SCORE_MIN, text_scores

    engine = RapidOCR()
    tp = fp = fn = tn = 0
    ours_s = ref_s = 0.0
    n = 0
    for movie in MOVIES:
        if not movie.is_file():
            print(f"skipping missing {movie}")
            continue
        ours, ref = _sample(movie, args.every)
        for (index, t, small), (_, _, big) in zip(ours, ref):
            t0 = time.perf_counter()
            score = float(text_scores(small[None])[0])
            ours_s += time.perf_counter() - t0
            t0 = time.perf_counter()
            lines = _ocr_lines(engine, big)
            ref_s += time.perf_counter() - t0
            n += 1
            cue, truth = score >= TEXT_SCORE_MIN, lines >= args.min_lines
            tp, fp, fn, tn = tp + (cue and truth), fp + (cue and not truth), \
                fn + (truth and not cue), tn + (not cue and not truth)
            if cue != truth:
                print(f"  {movie.name} frame {index} ({t:.1f} s): cue {score:.2f}, "
                      f"OCR lines {lines} -> {'missed' if truth else 'false alarm'}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"frames {n}: OCR text on {tp + fn}; cue TP {tp} FP {fp} FN {fn} TN {tn}; "
          f"precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}")
    print(f"cost per frame: cue {1000 * ours_s / max(n, 1):.1f} ms, "
          f"OCR detector {1000 * ref_s / max(n, 1):.0f} ms; load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
