"""The core sub-commands: ``suggest``, ``shots``, ``music`` and ``demo``."""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List

from trailersmith.core.errors import ParameterError

DEMO_SUFFIXES = (".otio", ".edl", ".xml", ".kdenlive")


def register(sub) -> None:
    """Add the core sub-commands to ``sub`` (an argparse sub-parsers object)."""
    p = sub.add_parser("suggest", help="movie + music -> beat-cut trailer timeline")
    p.add_argument("movie")
    p.add_argument("music")
    p.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                   help="output file; format by suffix: .otio, .edl, .xml, .kdenlive "
                   "(repeat for several)")
    _add_options(p)
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.set_defaults(func=run_suggest)

    p = sub.add_parser("shots", help="detect the shots of a movie")
    p.add_argument("movie")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--detector", default="auto", choices=("auto", "transnetv2", "histogram"))
    p.set_defaults(func=run_shots)

    p = sub.add_parser("music", help="beats, sections and planned cuts of a music track")
    p.add_argument("music")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--pace", type=float, default=1.0)
    p.add_argument("--segmentation", default="beats", choices=("beats", "ipot"),
                   help="ipot: IPOT's 2 s segments (not on beats), for comparison")
    p.set_defaults(func=run_music)

    p = sub.add_parser("demo", help="make built-in media and suggest a trailer (no weights)")
    p.add_argument("-o", "--output-dir", default="trailersmith-demo")
    p.set_defaults(func=run_demo)


def _add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--generator", default="ot", help="ot (default), knapsack, ipot, ssmp")
    p.add_argument("--backend", default="affect", help="affect (default, no weights), imagebind")
    p.add_argument("--spoiler-guard", type=float, default=0.9, metavar="F",
                   help="use only the first F of the movie (default 0.9)")
    p.add_argument("--seed", type=int, default=0, help="another seed gives another variant")
    p.add_argument("--pace", type=float, default=1.0, help="cut rate: 2 = twice as many cuts")
    p.add_argument("--detector", default="auto", choices=("auto", "transnetv2", "histogram"))
    p.add_argument("--segmentation", default="beats", choices=("beats", "ipot"),
                   help="ipot: IPOT's 2 s segments (cuts not on beats), for comparison")
    p.add_argument("--checkpoint", help="trained checkpoint for --generator ipot/ssmp")
    p.add_argument("--decoding", choices=("greedy", "self-corrective"),
                   help="--generator ssmp only: greedy (default, deterministic) or the paper's "
                   "self-corrective Algorithm 1")
    p.add_argument("--imagebind-weights", metavar="PATH", help="imagebind_huge.pth")
    p.add_argument("--prompt", action="append", default=[], metavar="TEXT[:WEIGHT]",
                   help="pull the selection toward shots matching TEXT (imagebind backend)")
    p.add_argument("--cache-dir", help="analysis cache folder (default ~/.cache/trailersmith)")


def options_from_args(args):
    """:class:`SuggestOptions` from parsed command-line arguments."""
    from trailersmith.core.pipeline import SuggestOptions

    backend_options = {}
    if args.backend == "imagebind":
        backend_options["weights"] = args.imagebind_weights
        backend_options["prompts"] = list(args.prompt)  # "TEXT[:WEIGHT]", parsed by the backend
    elif args.prompt or args.imagebind_weights:
        raise ParameterError("--prompt and --imagebind-weights need --backend imagebind.")
    generator_options = {"checkpoint": args.checkpoint} if args.checkpoint else {}
    if args.decoding:
        if args.generator != "ssmp":
            raise ParameterError("--decoding applies to --generator ssmp only.")
        generator_options["decoding"] = args.decoding
    return SuggestOptions(generator=args.generator, backend=args.backend,
                          spoiler_guard=args.spoiler_guard, seed=args.seed, pace=args.pace,
                          segmentation=args.segmentation, detector=args.detector,
                          backend_options=backend_options, generator_options=generator_options,
                          cache_dir=args.cache_dir)


def check_outputs(paths: List[str], overwrite: bool) -> List[str]:
    """Validate every output path before any work (suffix, folder, no silent overwrite)."""
    from trailersmith.adapters.formats import check_output

    out = [check_output(p, overwrite=overwrite) for p in paths]
    if len(set(out)) != len(out):
        raise ParameterError("The same output file is named twice; give each -o its own path.")
    return out


class ProgressBar:
    """A tqdm bar on stderr per pipeline stage (the reporter's callback)."""

    def __init__(self) -> None:
        self._bar = None
        self._stage = None

    def __call__(self, progress) -> None:
        from tqdm import tqdm

        if progress.stage != self._stage:
            self.close()
            self._stage = progress.stage
            total = progress.total if progress.total > 1 else None
            # disable=None: a bar on a terminal, nothing in logs and pipes.
            self._bar = tqdm(total=total, desc=progress.stage, file=sys.stderr, leave=False,
                             mininterval=0.5, dynamic_ncols=True, disable=None)
        if self._bar.total:
            self._bar.n = min(progress.done, self._bar.total)
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _reporter():
    from trailersmith.core.progress import Reporter

    bar = ProgressBar()
    return Reporter(bar), bar


def run_suggest(args) -> int:
    from trailersmith.adapters import write_timeline
    from trailersmith.core.pipeline import suggest

    outputs = check_outputs(args.output, args.force)
    options = options_from_args(args)
    reporter, bar = _reporter()
    try:
        result = suggest(args.movie, args.music, options, reporter)
    finally:
        bar.close()
    for path in outputs:
        write_timeline(result.timeline, path, overwrite=args.force)
    plan = result.plan
    print(f"{len(plan.clips)} shots cut to {os.path.basename(args.music)} "
          f"({plan.duration_frames} frames at {plan.fps.numerator}/{plan.fps.denominator} fps); "
          f"wrote {', '.join(outputs)}", file=sys.stderr)
    return 0


def run_shots(args) -> int:
    from trailersmith.core.pipeline import SuggestOptions
    from trailersmith.core.stages import analyze_movie

    reporter, bar = _reporter()
    try:
        movie = analyze_movie(args.movie, SuggestOptions(detector=args.detector), reporter)
    finally:
        bar.close()
    shots = movie.shots
    data = {"fps": f"{shots.fps.numerator}/{shots.fps.denominator}",
            "frames": int(shots.frame_count), "cuts": shots.cuts,
            "shots": [[int(s), int(e)] for s, e in shots.shots]}
    if args.json:
        print(json.dumps(data))
    else:
        print(f"{len(shots.shots)} shots, {shots.frame_count} frames at {data['fps']} fps")
        for k, (s, e) in enumerate(shots.shots):
            print(f"{k:5d}  {s:7d}-{e - 1:<7d} {shots.kinds[k]:8s} scene {shots.scenes[k]}")
    return 0


def run_music(args) -> int:
    from trailersmith.core.pipeline import SuggestOptions
    from trailersmith.core.stages import analyze_music_track

    reporter, bar = _reporter()
    try:
        music = analyze_music_track(
            args.music, SuggestOptions(pace=args.pace, segmentation=args.segmentation),
            reporter).analysis
    finally:
        bar.close()
    data = {"duration_s": music.duration_s, "tempo_bpm": music.tempo_bpm,
            "beats_s": [round(float(t), 4) for t in music.beats_s],
            "downbeats_s": [round(float(t), 4) for t in music.downbeats_s],
            "sections_s": [[round(float(a), 4), round(float(b), 4)] for a, b in music.sections_s],
            "cuts_s": [round(float(t), 4) for t in music.cuts_s]}
    if args.json:
        print(json.dumps(data))
    else:
        print(f"{music.duration_s:.2f} s, {music.tempo_bpm:.1f} BPM, {len(music.beats_s)} beats, "
              f"{len(music.sections_s)} sections, {len(music.cuts_s)} planned cuts")
    return 0


def run_demo(args) -> int:
    """Render built-in media, suggest a trailer and write it in every format."""
    from trailersmith.core import synthetic

    out = os.path.abspath(args.output_dir)
    os.makedirs(out, exist_ok=True)
    movie = os.path.join(out, "demo_movie.mp4")
    music = os.path.join(out, "demo_music.wav")
    if not os.path.exists(movie):
        print("Rendering the demo movie (about 2 minutes of synthetic footage)...", file=sys.stderr)
        synthetic.make_movie(movie, seed=7)
    if not os.path.exists(music):
        synthetic.make_music(music, tempo_bpm=120, duration_s=40.0, loud_from_s=16.0)
    outputs = [os.path.join(out, f"demo_trailer{s}") for s in DEMO_SUFFIXES]
    from trailersmith.cli import build_parser

    argv = ["suggest", movie, music, "--force"] + [a for o in outputs for a in ("-o", o)]
    code = run_suggest(build_parser().parse_args(argv))
    print(f"Demo ready in {out}: open demo_trailer.kdenlive in Kdenlive, import "
          "demo_trailer.otio in DaVinci Resolve, or the .edl/.xml in any editor.")
    return code

