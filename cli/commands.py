"""The core sub-commands: ``suggest``, ``shots``, ``music`` and ``demo``."""
from __future__ import annotations

import json
import os
import sys
from typing import List, Optional, Sequence

from .parser import add_spec_options
from .progress import progress_reporter

DEMO_SUFFIXES = (".otio", ".edl", ".xml", ".kdenlive")


def register(sub) -> None:
    """Add the core sub-commands to ``sub`` (the CLI's sub-parsers)."""
    p = sub.add_parser("suggest", help="movie + music -> beat-cut trailer timeline")
    p.add_argument("movie", help="the movie file (any format FFmpeg reads)")
    p.add_argument("music", help="the music track to cut to")
    p.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                   help="output file; format by suffix: .otio, .edl, .xml, .kdenlive "
                   "(repeat for several)")
    add_spec_options(p, "suggest")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--json", action="store_true",
                   help="print what was written, the clips and the figures as JSON")
    p.set_defaults(func=run_suggest)

    p = sub.add_parser("shots", help="detect the shots of a movie")
    p.add_argument("movie", help="the movie file")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    add_spec_options(p, "shots")
    p.set_defaults(func=run_shots)

    p = sub.add_parser("music", help="beats, sections and planned cuts of a music track")
    p.add_argument("music", help="the music track")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    add_spec_options(p, "music")
    p.set_defaults(func=run_music)

    p = sub.add_parser("demo", help="make built-in media and suggest a trailer (no weights)")
    p.add_argument("-o", "--output-dir", default="trailersmith-demo", metavar="DIR",
                   help="folder for the demo media and trailers (created if missing)")
    p.set_defaults(func=run_demo)


def options_from_args(args):
    """:class:`SuggestOptions` from parsed arguments, validated.

    A ParameterError names the option.
    """
    from trailersmith.core.options import SPEC, SuggestOptions, validate

    values, generator_options, backend_options = {}, {}, {}
    for o in SPEC:
        if not hasattr(args, o.name):
            continue
        value = getattr(args, o.name)
        if o.generators or o.backends:
            if value in (None, [], ()):
                continue
            owned = generator_options if o.generators else backend_options
            owned[o.target_key] = list(value) if o.multiple else value
        else:
            values[o.name] = value
    return validate(SuggestOptions(**values, generator_options=generator_options,
                                   backend_options=backend_options))


def check_outputs(paths: List[str], overwrite: bool, *, inputs: Sequence[str] = (),
                  movie: Optional[str] = None) -> List[str]:
    """Validate every output path before any work: suffix, folder, writable, no overwrite, never
    an input, one file named once (also through links), and a format that can carry the movie's
    frame rate and timecode span (``movie``, probed here)."""
    from trailersmith.adapters.formats import check_outputs as check_formats
    from trailersmith.core.fileio import temporary_name
    from trailersmith.core.preflight import check_writable_folder

    info = None
    if movie is not None:
        from trailersmith.core.media import probe_video
        info = probe_video(movie)
    out = check_formats(paths, overwrite=overwrite, inputs=list(inputs), movie=info)
    for path in out:  # both the temporary file and the final name must fit in the folder
        longest = max(len(os.path.basename(n).encode()) for n in (path, temporary_name(path)))
        check_writable_folder(os.path.dirname(path), role="Output", name_length=longest)
    return out


def suggest_job(movie: str, music: str, outputs: List[str], options, *, force: bool,
                args=None) -> dict:
    """Check the outputs, suggest, write every output; returns the ``--json`` summary."""
    from trailersmith.adapters.formats import write_timelines
    from trailersmith.core.pipeline import suggest
    from trailersmith.core.preflight import preflight

    outputs = check_outputs(outputs, force, inputs=[movie, music], movie=movie)
    preflight(options, movie=movie, music=music)
    with progress_reporter(args) as reporter:
        result = suggest(movie, music, options, reporter)
    written = write_timelines(result.timeline, outputs, overwrite=force)  # all or nothing
    return summary(result, written)


def summary(result, written: List[str]) -> dict:
    """What was written, the clips (frames) and the figures of one suggest run."""
    plan = result.plan
    return {
        "written": written,
        "fps": f"{plan.fps.numerator}/{plan.fps.denominator}",
        "duration_frames": int(plan.duration_frames),
        "clips": [{"shot": int(c.shot), "scene": int(c.scene), "segment": int(c.segment),
                   "source_start": int(c.source_start), "source_end": int(c.source_end),
                   "record_start": int(c.record_start), "record_end": int(c.record_end),
                   "score": round(float(c.score), 4), "reason": c.reason} for c in plan.clips],
        "figures": {"clips": len(plan.clips), "shots": len(result.movie.shots.shots),
                    "music_s": round(float(result.music.analysis.duration_s), 3),
                    "tempo_bpm": round(float(result.music.analysis.tempo_bpm), 2),
                    "mean_clip_s": round(float(plan.duration_frames) / max(len(plan.clips), 1)
                                         / float(plan.fps), 3)},
    }


def run_suggest(args) -> int:
    data = suggest_job(args.movie, args.music, args.output, options_from_args(args),
                       force=args.force, args=args)
    if args.json:
        print(json.dumps(data, indent=1))
    elif not args.quiet:
        print(f"{data['figures']['clips']} shots cut to {os.path.basename(args.music)} "
              f"({data['duration_frames']} frames at {data['fps']} fps); "
              f"wrote {', '.join(data['written'])}", file=sys.stderr)
    return 0


def run_shots(args) -> int:
    from trailersmith.core.preflight import preflight
    from trailersmith.core.stages import analyze_movie

    options = options_from_args(args)
    preflight(options, movie=args.movie)
    with progress_reporter(args) as reporter:
        movie = analyze_movie(args.movie, options, reporter)
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
    from trailersmith.core.preflight import preflight
    from trailersmith.core.stages import analyze_music_track

    options = options_from_args(args)
    preflight(options, music=args.music)
    with progress_reporter(args) as reporter:
        result = analyze_music_track(args.music, options, reporter)
    music = result.analysis
    data = {"duration_s": music.duration_s, "tempo_bpm": music.tempo_bpm,
            "beats_s": [round(float(t), 4) for t in music.beats_s],
            "downbeats_s": [round(float(t), 4) for t in music.downbeats_s],
            "sections_s": [[round(float(a), 4), round(float(b), 4)] for a, b in music.sections_s],
            "cuts_s": [round(float(t), 4) for t in music.cuts_s]}
    if result.edits is not None:  # --length: the edit's source ranges, played back to back
        data["edit_s"] = [[round(a, 4), round(b, 4)] for a, b in result.edits]
    if args.json:
        print(json.dumps(data))
    else:
        print(f"{music.duration_s:.2f} s, {music.tempo_bpm:.1f} BPM, {len(music.beats_s)} beats, "
              f"{len(music.sections_s)} sections, {len(music.cuts_s)} planned cuts")
        if result.edits is not None:
            print("edited from " + ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in result.edits))
    return 0


def run_demo(args) -> int:
    """Render built-in media, suggest a trailer and write it in every format."""
    from trailersmith.core import synthetic
    from trailersmith.core.options import SuggestOptions
    from trailersmith.core.preflight import check_cache_dir, check_new_folder

    out = os.path.abspath(args.output_dir)
    check_new_folder(out, "Demo folder")
    check_cache_dir()
    os.makedirs(out, exist_ok=True)
    movie = os.path.join(out, "demo_movie.mp4")
    music = os.path.join(out, "demo_music.wav")
    if not os.path.exists(movie):
        print("Rendering the demo movie (about 2 minutes of synthetic footage)...", file=sys.stderr)
        synthetic.make_movie(movie, seed=7)
    if not os.path.exists(music):
        synthetic.make_music(music, tempo_bpm=120, duration_s=40.0, loud_from_s=16.0)
    outputs = [os.path.join(out, f"demo_trailer{s}") for s in DEMO_SUFFIXES]
    suggest_job(movie, music, outputs, SuggestOptions(), force=True, args=args)
    print(f"Demo ready in {out}: open demo_trailer.kdenlive in Kdenlive, import "
          "demo_trailer.otio in DaVinci Resolve, or the .edl/.xml in any editor.")
    return 0
