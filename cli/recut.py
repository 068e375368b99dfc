"""The ``recut`` sub-command: an edited trailer timeline + a new track -> a new timeline."""
from __future__ import annotations

import json
import os
import sys

from trailersmith.core.errors import ParameterError

from .commands import check_outputs, options_from_args
from .parser import add_spec_options
from .progress import progress_reporter


def register(sub) -> None:
    """Add ``recut`` to ``sub`` (the CLI's sub-parsers)."""
    p = sub.add_parser("recut", help="re-cut an edited trailer to another track, keeping your "
                       "edits")
    p.add_argument("edited", help="the edited timeline: .otio, .kdenlive, .xml (FCP7) or .edl")
    p.add_argument("music", help="the new music track")
    p.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                   help="output file; format by suffix (repeat for several)")
    p.add_argument("--movie", metavar="PATH", help="the movie (default: the one the edited "
                   "timeline shows; needed for .edl)")
    add_spec_options(p, "suggest")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--json", action="store_true", help="print the re-cut report as JSON")
    p.set_defaults(func=run_recut)


def read_edited(path: str, movie: str = None):
    """The edited timeline at ``path``; an EDL is read at the movie's frame rate."""
    from trailersmith.adapters.formats import read_timeline

    rate = None
    if path.lower().endswith(".edl"):
        if not movie:
            raise ParameterError("An EDL does not say which movie it shows; pass --movie PATH.")
        from trailersmith.core.media import probe_video
        rate = float(probe_video(movie).fps)
    return read_timeline(path, rate=rate)


def run_recut(args) -> int:
    from trailersmith.adapters.formats import write_timelines
    from trailersmith.core.recut import recut

    inputs = [p for p in (args.edited, args.music, args.movie) if p]
    outputs = check_outputs(args.output, args.force, inputs=inputs, movie=args.movie)
    options = options_from_args(args)
    edited = read_edited(args.edited, args.movie)
    with progress_reporter(args) as reporter:
        result = recut(edited, args.music, options, reporter, movie_path=args.movie)
    written = write_timelines(result.timeline, outputs, overwrite=args.force)  # all or nothing
    report = {"written": written, **result.report.as_dict()}
    if args.json:
        print(json.dumps(report, indent=1))
    elif not args.quiet:
        counts = report["counts"]
        print(f"re-cut to {os.path.basename(args.music)}: {counts['kept']} kept, "
              f"{counts['moved']} moved, {counts['retimed']} re-timed, {counts['dropped']} "
              f"dropped, {counts['filled']} newly filled; wrote {', '.join(written)}",
              file=sys.stderr)
        for clip in report["clips"]:
            if clip["status"] == "dropped":
                print(f"  dropped clip {clip['position'] + 1}: {clip['note']}", file=sys.stderr)
    return 0
