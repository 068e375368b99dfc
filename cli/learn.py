"""Sub-commands of the learned generators: ``dataset build|planted``, ``train``, ``eval``."""
from __future__ import annotations

import json
import math
import os
import sys

from trailersmith.core.errors import Cancelled, ParameterError
from trailersmith.core.options import option

from .parser import add_spec_options, spec_type
from .progress import progress_reporter

_METRIC_COLUMNS = ("sel_P@1", "sel_R@1", "sel_F1@1", "sel_F1@3", "sel_F1@5", "align_F1@1", "LD",
                   "AA", "KL", "shots", "official_shots", "mean_shot_s", "official_mean_shot_s")


def register(sub) -> None:
    """Add ``dataset``, ``train`` and ``eval`` to ``sub`` (the CLI's sub-parsers)."""
    from .parser import SubParsers, common_flags

    p = sub.add_parser("dataset", help="build a training set from your movie-trailer pairs")
    dsub = SubParsers(p.add_subparsers(dest="dataset_command", metavar="ACTION",
                                        parser_class=type(p)), common_flags())
    b = dsub.add_parser("build", help="match trailer shots to movie shots; write OUT_DIR")
    b.add_argument("pairs", metavar="PAIRS.csv",
                   help="columns movie,trailer[,music][,id]; paths relative to the CSV")
    b.add_argument("out_dir", metavar="OUT_DIR", help="folder for dataset.json and the pairs")
    add_spec_options(b, "dataset build")
    b.add_argument("--rebuild", action="store_true",
                   help="redo pairs already built (default: keep them, so a build resumes)")
    b.add_argument("--json", action="store_true", help="print the build report as JSON")
    from trailersmith.batch.cli import add_engine_arguments
    add_engine_arguments(b)  # movies built in parallel on Ray (docs/cluster.md)
    b.set_defaults(func=run_dataset_build)
    s = dsub.add_parser("planted", help="write the synthetic planted benchmark as a dataset")
    s.add_argument("out_dir", metavar="OUT_DIR", help="folder for the planted dataset")
    s.add_argument("--movies", type=int, default=200, help="how many movie-trailer pairs")
    s.add_argument("--seed", type=spec_type(option("seed")), default=option("seed").default,
                   help="which movies")
    s.add_argument("--rule-seed", type=spec_type(option("seed")), default=option("seed").default,
                   help="which hidden rule")
    s.set_defaults(func=run_dataset_planted)
    p.set_defaults(func=lambda args: _usage(p))

    t = sub.add_parser("train", help="train the ipot or ssmp generator on a dataset")
    t.add_argument("dataset", metavar="DATASET", help="a folder written by 'dataset build'")
    t.add_argument("--generator", required=True, choices=option("checkpoint").generators,
                   help="which learned generator to train")
    t.add_argument("-o", "--output", required=True, metavar="CHECKPOINT")
    add_spec_options(t, "train")
    t.add_argument("--model-option", action="append", default=[], metavar="KEY=VALUE",
                   help="model hyper-parameter, e.g. hidden=128 (repeatable)")
    t.add_argument("--resume", action="store_true", help="continue an interrupted run")
    t.add_argument("--force", action="store_true", help="overwrite an existing CHECKPOINT")
    t.add_argument("--json", action="store_true", help="print the training report as JSON")
    t.set_defaults(func=run_train)

    e = sub.add_parser("eval", help="score a generator on a dataset with the papers' metrics")
    e.add_argument("dataset", metavar="DATASET", help="a folder written by 'dataset build'")
    add_spec_options(e, "eval")
    e.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="generator option, e.g. decoding=self-corrective (repeatable)")
    e.add_argument("--segments", default="official", choices=("official", "plan"),
                   help="official: one segment per official trailer shot (default); plan: the "
                   "music cut where suggest would cut it")
    e.add_argument("--json", action="store_true", help="print JSON for scripts")
    e.set_defaults(func=run_eval)


def _usage(parser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def parse_options(items) -> dict:
    """``["a=1", "b=x"]`` -> ``{"a": 1, "b": "x"}``; raises ParameterError on a bad item."""
    out = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"Option {item!r} is not KEY=VALUE (e.g. decoding=greedy).")
        out[key.strip()] = _value(val.strip())
    return out


def _json_safe(x):
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_json_safe(v) for v in x]
    return x


def run_dataset_build(args) -> int:
    from trailersmith.core.learn.builder import build_dataset
    from trailersmith.core.preflight import check_dataset_build, check_option_file

    from .commands import options_from_args

    options = options_from_args(args)  # ranges and combinations (weights only with imagebind)
    check_option_file(options.backend_options.get("weights"), "--imagebind-weights")
    check_dataset_build(args.pairs, args.out_dir)  # before anything is decoded or written
    from trailersmith.batch.cli import dataset_engine
    with progress_reporter(args) as reporter, dataset_engine(args) as engine:
        report = build_dataset(args.pairs, args.out_dir, backend=options.backend,
                               backend_options=options.backend_options, detector=options.detector,
                               rebuild=args.rebuild, reporter=reporter, engine=engine)
    if args.json:
        print(json.dumps(_json_safe(report), indent=1))
        return 0
    for row in report["pairs"]:
        r = row.get("report", {})
        status = row.get("error") or (
            f"{r.get('matched', 0)}/{r.get('trailer_shots', 0)} trailer shots matched, "
            f"mean vote share {r.get('mean_vote_share', 0):.2f}, "
            f"{r.get('low_confidence', 0)} low-confidence")
        print(f"{row['id']}: {status}")
    print(f"{report['built']} built, {report['kept']} kept, {report['failed']} failed -> "
          f"{args.out_dir}", file=sys.stderr)
    return 0 if report["failed"] == 0 else 1


def run_dataset_planted(args) -> int:
    from trailersmith.core.learn.dataset import save_dataset
    from trailersmith.core.learn.planted import make_planted

    if args.movies < 2:
        raise ParameterError("--movies must be at least 2.")
    examples = make_planted(args.movies, seed=args.seed, rule_seed=args.rule_seed)
    save_dataset(args.out_dir, examples, backend="planted",
                 extra={"planted": {"seed": args.seed, "rule_seed": args.rule_seed}})
    print(f"{len(examples)} planted pairs -> {args.out_dir}", file=sys.stderr)
    return 0


def run_train(args) -> int:
    from trailersmith.core.learn.dataset import load_dataset
    from trailersmith.core.learn.train import TrainOptions, train

    if os.path.exists(args.output) and not (args.force or args.resume):
        raise ParameterError(f"{args.output} exists; pass --force to overwrite it or --resume "
                             "to continue the run that wrote it.")
    from trailersmith.core.preflight import check_model_options, check_writable_folder

    model_options = parse_options(args.model_option)
    check_model_options(args.generator, model_options)
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise ParameterError(f"Folder {folder} for the checkpoint does not exist; create it.")
    check_writable_folder(folder, role="Checkpoint",
                          name_length=len(os.path.basename(args.output).encode()) + 16)
    index, examples = load_dataset(args.dataset)
    opts = TrainOptions(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                        seed=args.seed, val_fraction=args.val_fraction, patience=args.patience,
                        threads=args.threads, device=args.device)
    resume_path = args.output + ".resume"
    resume_before = _mtime(resume_path)
    try:
        with progress_reporter(args) as reporter:
            report = train(args.generator, examples, args.output, options=opts,
                           model_options=model_options,
                           backend=index.get("backend", "unknown"), resume=args.resume,
                           reporter=reporter)
    except (KeyboardInterrupt, Cancelled) as exc:
        # Epochs already run are not thrown away: the best weights and the resume state stay.
        if _mtime(resume_path) not in (None, resume_before):
            exc.kept = (f"the best weights so far are in {args.output}; continue with the same "
                        "command and --resume")
        raise
    if args.json:
        print(json.dumps(_json_safe(report.as_dict()), indent=1))
    else:
        print(f"{args.generator}: {report.epochs_run} epochs, {report.steps} steps in "
              f"{report.seconds:.1f} s ({report.steps_per_s:.1f} steps/s on {report.device}); "
              f"best validation loss {report.best_val_loss:.4f} at epoch {report.best_epoch}"
              f"{' (stopped early)' if report.stopped_early else ''}; "
              f"{report.train_pairs} training / {report.val_pairs} validation pairs -> "
              f"{args.output}")
    return 0


def _mtime(path: str):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def run_eval(args) -> int:
    from trailersmith.core.learn.dataset import load_dataset
    from trailersmith.core.learn.evaluate import evaluate_generator
    from trailersmith.core.preflight import check_option_file

    options = parse_options(args.option)
    if args.checkpoint:
        check_option_file(args.checkpoint, "--checkpoint")
        options["checkpoint"] = args.checkpoint
    _, examples = load_dataset(args.dataset)
    with progress_reporter(args) as reporter:
        rows, average = evaluate_generator(args.generator, examples, options=options,
                                           seed=args.seed, spoiler_guard=args.spoiler_guard,
                                           segments=args.segments, reporter=reporter)
    if args.json:
        print(json.dumps(_json_safe({
            "generator": args.generator, "pairs": rows, "average": average,
            "definitions": {"precision": "hits among predicted shots / predicted shots",
                            "recall": "hits among official shots / official shots",
                            "sel": "shot selection, order-free, within K-1 shots",
                            "align": "position by position", "KL": "KL(official || "
                            "predicted) in nats, eps-smoothed"}}), indent=1))
        return 0
    _print_table(rows, average)
    return 0


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.3f}" if isinstance(v, float) and abs(v) < 100 else f"{v:.1f}"


def _print_table(rows, average) -> None:
    width = max([len("average")] + [len(str(r["id"])) for r in rows])
    print(f"{'pair':<{width}}  " + "  ".join(f"{c:>8}" for c in _METRIC_COLUMNS))
    for r in rows + [{"id": "average", **average}]:
        if "error" in r:
            print(f"{r['id']:<{width}}  error: {r['error']}")
            continue
        print(f"{r['id']:<{width}}  " + "  ".join(f"{_fmt(r.get(c)):>8}"
                                                   for c in _METRIC_COLUMNS))
    print("precision = hits / predicted shots, recall = hits / official shots "
          "(the IPOT paper prints them the other way round)", file=sys.stderr)
