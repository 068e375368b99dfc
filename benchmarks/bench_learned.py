"""Benchmark: trained IPOT and SSMP against zero-shot ``ot`` on the planted benchmark.

Trains both learned generators on planted movies (one hidden rule, see
``trailersmith.core.learn.planted``) and scores every generator on *held-out* movies drawn under
the same rule: zero-shot ``ot``, a random choice of eligible shots, IPOT, and SSMP with
self-corrective (Algorithm 1) and greedy decoding. Prints training time and optimiser steps per
second on this machine (CPU unless a GPU is there), then the papers' metrics side by side with
each generator's ratio to ``ot`` measured in the same run.

    python benchmarks/bench_learned.py [--train 300] [--test 80] [--epochs 150] [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

COLUMNS = ("sel_P@1", "sel_R@1", "sel_F1@1", "sel_F1@3", "sel_F1@5", "align_F1@1", "LD", "AA",
           "KL")


def score(generate, movies, seed=0, **options):
    from trailersmith.core.learn import metrics

    rows = []
    t = time.perf_counter()
    for k, ex in enumerate(movies):
        answer = generate(ex.problem(), rng=np.random.default_rng([seed, k]), **options)
        rows.append(metrics.evaluate_trailer(answer.shots, ex.match, n_shots=ex.n_shots))
    avg = metrics.average(rows)
    avg["s_per_movie"] = (time.perf_counter() - t) / max(len(movies), 1)
    return avg


def context_ceiling(checkpoint, movies):
    """SSMP slot accuracy with every slot masked, and with every *other* slot holding its true shot.

    The second figure is the model's answer when the context is perfect. When a decoder's
    choices already score as well, what it still gets wrong is the model's doing, not the
    decoding order's.
    """
    from trailersmith.core.learn.generate import cached_model, problem_tokens
    from trailersmith.core.learn.ssmp_model import slot_probabilities

    model, config = cached_model(checkpoint, "ssmp")
    model.eval()
    alone = oracle = total = 0
    for ex in movies:
        problem = ex.problem()
        movie, music = problem_tokens(problem, config, "ssmp")
        eligible = np.asarray(problem.eligible, bool)
        truth = np.asarray(ex.match)
        p = slot_probabilities(model, movie, music, np.full(len(truth), -1), eligible)
        alone += int((p.argmax(axis=1) == truth).sum())
        for j in range(len(truth)):
            filled = truth.copy()
            filled[j] = -1
            pool = eligible.copy()
            pool[np.delete(truth, j)] = False
            p = slot_probabilities(model, movie, music, filled, pool)
            oracle += int(p[j].argmax() == truth[j])
        total += len(truth)
    return alone / max(total, 1), oracle / max(total, 1)


def random_choice(problem, *, rng):
    from trailersmith.core.model import Assignment

    idx = np.flatnonzero(problem.eligible)
    s = len(problem.segment_durations_s)
    shots = rng.choice(idx, size=s, replace=False)
    return Assignment(shots=shots, scores=np.zeros(s), reasons=[""] * s)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", type=int, default=300, help="training movies (15%% validation)")
    p.add_argument("--test", type=int, default=80, help="held-out movies")
    p.add_argument("--epochs", type=int, default=150)
    p.add_argument("--patience", type=int, default=12)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="auto")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    import torch

    from trailersmith.core.generators import get_generator
    from trailersmith.core.learn.planted import make_planted
    from trailersmith.core.learn.train import TrainOptions, train

    torch.set_num_threads(args.threads)
    training = make_planted(args.train, seed=100 + args.seed)
    held_out = make_planted(args.test, seed=200 + args.seed)
    print(f"planted benchmark: {args.train} training movies, {args.test} held-out movies, "
          f"torch {torch.__version__}, {args.threads} CPU thread(s), "
          f"cuda available: {torch.cuda.is_available()}")
    results = {"ot": score(get_generator("ot"), held_out, args.seed),
               "random": score(random_choice, held_out, args.seed)}
    folder = tempfile.mkdtemp(prefix="bench_learned_")
    opts = TrainOptions(epochs=args.epochs, patience=args.patience, seed=args.seed,
                        threads=args.threads, device=args.device)
    for kind in ("ipot", "ssmp"):
        path = os.path.join(folder, f"{kind}.pt")
        report = train(kind, training, path, options=opts, backend="planted")
        size_kb = os.path.getsize(path) / 1024
        print(f"train {kind}: {report.seconds:.1f} s, {report.steps} steps, "
              f"{report.steps_per_s:.1f} steps/s on {report.device}, {report.epochs_run} epochs "
              f"(best {report.best_epoch}{', stopped early' if report.stopped_early else ''}), "
              f"checkpoint {size_kb:.0f} KiB")
        gen = get_generator(kind)
        if kind == "ipot":
            results["ipot"] = score(gen, held_out, args.seed, checkpoint=path)
        else:
            results["ssmp self-corrective"] = score(gen, held_out, args.seed, checkpoint=path)
            results["ssmp greedy"] = score(gen, held_out, args.seed, checkpoint=path,
                                           decoding="greedy")
            ceiling = context_ceiling(path, held_out)
    print()
    print(f"{'generator':22s}" + "".join(f"{c:>11s}" for c in COLUMNS) + f"{'s/movie':>10s}")
    for name, r in results.items():
        print(f"{name:22s}" + "".join(f"{r[c]:11.3f}" for c in COLUMNS)
              + f"{r['s_per_movie']:10.3f}")
    print()
    base = results["ot"]
    for name, r in results.items():
        if name == "ot":
            continue
        print(f"{name:22s} vs ot: F1@1 x{r['sel_F1@1'] / max(base['sel_F1@1'], 1e-9):.2f}, "
              f"AA {r['AA']:.3f} vs {base['AA']:.3f}, align F1@1 "
              f"{r['align_F1@1']:.3f} vs {base['align_F1@1']:.3f}")
    sc, gr = results["ssmp self-corrective"], results["ssmp greedy"]
    print(f"ssmp self-corrective minus greedy: F1@1 {sc['sel_F1@1'] - gr['sel_F1@1']:+.3f}, "
          f"align F1@1 {sc['align_F1@1'] - gr['align_F1@1']:+.3f}, AA {sc['AA'] - gr['AA']:+.3f}")
    print(f"ssmp slot accuracy with no context {ceiling[0]:.3f}, with every other slot "
          f"right {ceiling[1]:.3f} (perfect context; compare greedy's F1@1 "
          f"{gr['sel_F1@1']:.3f} and align F1@1 {gr['align_F1@1']:.3f})")
    print("precision = hits / predicted shots, recall = hits / official shots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
