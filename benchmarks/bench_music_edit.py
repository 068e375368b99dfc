"""Benchmark: spot-length music edits (``suggest --length``) against the whole track.

For each track and length it runs ``suggest`` on a movie (Big Buck Bunny by default; its analysis
is cached after the first run) and prints: the timeline's length (video and music tracks) against
the edited music's length; how far each splice lies from the nearest downbeat of the source track;
the largest sample difference between the edit's last seconds and the track's last seconds; and
the loudness step across each splice (the bar before against the bar after, in the rendered edit)
against the track's typical bar-to-bar step (the baseline, measured in the same run on the
unedited track).

    python benchmarks/bench_music_edit.py [--movie MOVIE] [--lengths 30 60] [TRACK ...]
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA",
                            Path(__file__).resolve().parents[1].parent / "shared" / "media"))
DEFAULT_TRACKS = [MEDIA / "music/wesnoth" / n for n in ("frantic.ogg", "heroes_rite.ogg")]
DEFAULT_MOVIE = MEDIA / "video/bbb/bbb_full_720p24.mp4"
TAIL_S = 5.0


def _track_frames(track) -> int:
    return sum(c.source_range.duration.to_frames() for c in track)


def _bar_db(y, sr, edges) -> np.ndarray:
    idx = np.clip(np.round(np.asarray(edges) * sr).astype(int), 0, len(y))
    power = np.concatenate([[0.0], np.cumsum(np.asarray(y, np.float64) ** 2)])
    n = np.maximum(np.diff(idx), 1)
    return 10.0 * np.log10((power[idx[1:]] - power[idx[:-1]]) / n + 1e-12)


def one(movie: str, track: str, length: float) -> None:
    """Run suggest with ``length`` on ``track`` and print the figures of its music edit."""
    from trailersmith.core.media import load_audio
    from trailersmith.core.music import SAMPLE_RATE as SR
    from trailersmith.core.music.edit import MusicEdit, render, typical_bar_step_db
    from trailersmith.core.options import SuggestOptions
    from trailersmith.core.pipeline import suggest
    from trailersmith.core.stages import analyze_music_track

    t0 = time.perf_counter()
    result = suggest(movie, track, SuggestOptions(length=length, detector="histogram"))
    seconds = time.perf_counter() - t0
    plan, timeline = result.plan, result.timeline
    whole = analyze_music_track(track, SuggestOptions(detector="histogram")).analysis
    edit = MusicEdit(np.asarray(plan.music_edits, float).reshape(-1, 2), whole.duration_s)
    video, audio = timeline.tracks[0], timeline.tracks[1]
    print(f"{Path(track).name} --length {length:g}: edit {edit.duration_s:.2f} s from "
          + ", ".join(f"{a:.2f}-{b:.2f}" for a, b in edit.ranges_s) + f" ({seconds:.1f} s)")
    print(f"  timeline: video {_track_frames(video)} frames, music {_track_frames(audio)} "
          f"frames in {len(audio)} clips; edited music {edit.duration_s * float(plan.fps):.2f} "
          f"frames at {plan.fps}")
    down = np.asarray(whole.downbeats_s, float)
    joins = np.concatenate([edit.ranges_s[:-1, 1], edit.ranges_s[1:, 0]])
    off = [float(np.min(np.abs(down - t))) * 1000 for t in joins]
    print("  splice to nearest source downbeat (ms): "
          + (", ".join(f"{x:.3f}" for x in off) or "no splice"))
    y = load_audio(track, SR)
    edited = render(y, SR, edit)
    n = int(TAIL_S * SR)
    print(f"  last {TAIL_S:g} s vs track's last {TAIL_S:g} s: max |difference| "
          f"{float(np.max(np.abs(edited[-n:] - y[-n:]))):.2e}")
    bars = np.concatenate([[0.0], down[(down > 0) & (down < whole.duration_s)],
                           [whole.duration_s]])
    typical = typical_bar_step_db(_bar_db(y, SR, bars))
    edited_down = np.asarray(result.music.analysis.downbeats_s, float)
    for splice in edit.splices_s:
        k = int(np.argmin(np.abs(edited_down - splice)))
        before, after = edited_down[k - 1] if k else 0.0, splice
        nxt = edited_down[k + 1] if k + 1 < len(edited_down) else edit.duration_s
        db = _bar_db(edited, SR, [before, after, nxt])
        step = abs(float(db[1] - db[0]))
        print(f"  splice at {splice:.2f} s: loudness step {step:.2f} dB vs typical bar-to-bar "
              f"{typical:.2f} dB (ratio {step / max(typical, 1e-9):.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tracks", nargs="*", default=[str(p) for p in DEFAULT_TRACKS])
    ap.add_argument("--movie", default=str(DEFAULT_MOVIE))
    ap.add_argument("--lengths", nargs="+", type=float, default=[30.0, 60.0])
    args = ap.parse_args()
    for track in args.tracks:
        for length in args.lengths:
            one(args.movie, track, length)


if __name__ == "__main__":
    main()
