"""The ``batch`` sub-commands (``batch analyze``, ``batch suggest``) and the engine options
that ``dataset build`` shares. Exit 0 when every film succeeded, 2 when any failed (with the
per-film report), as for any bad input."""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager, redirect_stdout

from trailersmith.core.errors import ParameterError


def _suggest_cli():
    """``(add_options, options_from_args)`` of the single-film ``suggest`` command."""
    from trailersmith.cli.commands import options_from_args
    from trailersmith.cli.parser import add_spec_options
    return (lambda p: add_spec_options(p, "suggest")), options_from_args


def add_engine_arguments(p) -> None:
    """The engine options: ``--engine``, ``--ray-address``, ``--workers``, and the
    ``--cpus-per-worker`` / ``--gpus-per-worker`` resource requests."""
    g = p.add_argument_group("engine (Ray when installed: pip install 'trailersmith[cluster]')")
    g.add_argument("--engine", default="auto", choices=("auto", "ray", "in-process"),
                   help="auto (default): Ray when installed, else one film at a time here")
    g.add_argument("--ray-address", metavar="HOST:PORT",
                   help="join this Ray cluster (default $RAY_ADDRESS; else start a local Ray)")
    g.add_argument("--workers", type=int, default=0, metavar="N",
                   help="local Ray: films analysed at once (default one per core)")
    g.add_argument("--cpus-per-worker", type=float, default=1.0, metavar="C",
                   help="CPUs each film's decode and affect cues take (default 1)")
    g.add_argument("--gpus-per-worker", type=float, default=0.0, metavar="F",
                   help="share of a GPU each model worker (TransNetV2, ImageBind) holds, e.g. "
                   "0.25: four films per GPU (default 0: CPUs only)")


def engine_from_args(args, jobs=None):
    """The engine the parsed engine options ask for, for ``jobs`` films (Ray imported only here)."""
    from .engine import make_engine
    return make_engine(engine=args.engine, ray_address=args.ray_address, workers=args.workers,
                       cpus_per_worker=args.cpus_per_worker, gpus_per_worker=args.gpus_per_worker,
                       jobs=jobs)


@contextmanager
def dataset_engine(args):
    """``dataset build``'s engine: None (build here) for one movie, else the batch engine."""
    from trailersmith.core.learn.builder import read_pairs

    movies = len({row.movie for row in read_pairs(args.pairs)})
    with redirect_stdout(sys.stderr):  # Ray prints node and worker news on stdout
        engine = engine_from_args(args, jobs=movies)
        try:
            # in-process: None, the builder's own loop (its progress bars, as before)
            yield None if engine.name == "in-process" else engine
        finally:
            engine.close()


def register(sub) -> None:
    """Add ``batch analyze`` and ``batch suggest`` to ``sub`` (argparse sub-parsers)."""
    add_options, _ = _suggest_cli()
    p = sub.add_parser("batch", help="analyse or suggest a whole catalogue (on Ray when installed)")
    bsub = p.add_subparsers(dest="batch_command", metavar="ACTION", parser_class=type(p))
    a = bsub.add_parser("analyze", help="analyse movies into the cache, so suggest starts there")
    a.add_argument("movies", nargs="*", metavar="MOVIE")
    a.add_argument("--list", metavar="FILE", help="text file of movie paths, one a line")
    a.add_argument("--json", action="store_true", help="print the per-film report as JSON")
    add_options(a)
    add_engine_arguments(a)
    a.set_defaults(func=run_batch_analyze)
    s = bsub.add_parser("suggest", help="one timeline set per (movie, music, options) row")
    s.add_argument("--pairs", metavar="PAIRS.csv",
                   help="CSV: movie,music[,id] and option columns (generator, seed, pace...)")
    s.add_argument("--movies", nargs="+", default=[], metavar="MOVIE")
    s.add_argument("--music", nargs="+", default=[], metavar="TRACK",
                   help="with --movies: every movie with every track")
    s.add_argument("-o", "--output-dir", required=True, metavar="DIR")
    s.add_argument("--format", action="append", metavar="SUFFIX",
                   help="timeline files per row: .otio (default), .edl, .xml, .kdenlive; repeat")
    s.add_argument("--force", action="store_true", help="overwrite existing timeline files")
    s.add_argument("--json", action="store_true", help="print the per-row report as JSON")
    add_options(s)
    add_engine_arguments(s)
    s.set_defaults(func=run_batch_suggest)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _finish(report, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report, indent=1))
    else:
        for film in report["films"]:
            name = film.get("id") or os.path.basename(film["movie"])
            state = film["status"] if film["status"] != "error" else f"FAILED: {film['error']}"
            print(f"{name}: {state}")
        print(f"{report['ok']} of {report['total']} done, {report['failed']} failed, in "
              f"{report['seconds']:.1f} s on {report['engine']}", file=sys.stderr)
    return 2 if report["failed"] else 0


def run_batch_analyze(args) -> int:
    from .pairs import read_movie_list
    from .runner import analyze_catalogue

    movies = list(args.movies) + (read_movie_list(args.list) if args.list else [])
    if not movies:
        raise ParameterError("batch analyze needs movies: name them or give --list FILE.")
    options = _suggest_cli()[1](args)
    with redirect_stdout(sys.stderr):  # Ray prints node and worker news on stdout
        engine = engine_from_args(args, jobs=len(set(movies)))
        try:
            report = analyze_catalogue(movies, options, engine,
                                       cpus_per_worker=args.cpus_per_worker,
                                       gpus_per_worker=args.gpus_per_worker)
        finally:
            engine.close()
    return _finish(report, args.json)


def run_batch_suggest(args) -> int:
    from trailersmith.adapters.formats import check_output

    from .pairs import combinations, read_pairs
    from .runner import suggest_catalogue

    options = _suggest_cli()[1](args)
    if bool(args.pairs) == bool(args.movies or args.music):
        raise ParameterError("batch suggest takes --pairs PAIRS.csv, or --movies and --music.")
    if args.pairs:
        rows = read_pairs(args.pairs, options)
    elif not (args.movies and args.music):
        raise ParameterError("--movies needs --music (and the other way round).")
    else:
        rows = combinations(args.movies, args.music, options)
    os.makedirs(args.output_dir, exist_ok=True)
    suffixes = args.format or [".otio"]
    outputs = {r.row_id: [check_output(os.path.join(args.output_dir, r.row_id + "." +
                                                    s.lstrip(".")), overwrite=args.force)
                          for s in suffixes] for r in rows}
    with redirect_stdout(sys.stderr):  # Ray prints node and worker news on stdout
        engine = engine_from_args(args, jobs=len(rows))
        try:
            report = suggest_catalogue(rows, outputs, engine, overwrite=args.force,
                                       cpus_per_worker=args.cpus_per_worker,
                                       gpus_per_worker=args.gpus_per_worker)
        finally:
            engine.close()
    return _finish(report, args.json)
