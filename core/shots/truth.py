"""Read shot ground truth (annotation CSVs) to score a detector with :func:`.metrics.match_cuts`.

The one reader of these files, for the tests and the benchmarks alike (the format of
``../shared/media/annotations``, described in that folder's README). Columns:
``frame,time_s,kind,transition_first_frame,transition_last_frame[,detector_votes],note``;
``#`` lines are comments. Hard-negative files list ``frame`` values where no boundary exists.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Tuple


@dataclass(frozen=True)
class ShotTruth:
    """Ground truth for one clip, split the way cut metrics need it.

    ``hard_cuts``: first frame of each new shot at a certain hard cut. ``ambiguous``: hard cuts the
    annotator marked AMBIGUOUS. ``gradual``: ``(first, last)`` frames of fades, dissolves and
    irises that change the shot. ``not_boundaries``: ``(first, last)`` of annotated effects that
    are NOT a shot change (e.g. an iris that keeps the same shot).
    """

    hard_cuts: List[int]
    ambiguous: List[int]
    gradual: List[Tuple[int, int]]
    not_boundaries: List[Tuple[int, int]]
    annotated_frames: List[int] = field(default_factory=list)  # every row's frame, file order

    def ignore_ranges(self, tolerance: int) -> List[Tuple[int, int]]:
        """Frame ranges that count neither way when scoring hard cuts within ``tolerance``."""
        out = [(a - tolerance, b + tolerance) for a, b in self.gradual]
        out += [(f - tolerance, f + tolerance) for f in self.ambiguous]
        return out


def _rows(path: Path):
    text = "".join(line for line in Path(path).read_text().splitlines(keepends=True)
                   if not line.lstrip().startswith("#"))
    return list(csv.DictReader(io.StringIO(text)))


def read_shot_truth(path: Path) -> ShotTruth:
    """Parse one ``*.shots.csv`` file."""
    cuts, ambiguous, gradual, negatives, frames = [], [], [], [], []
    for row in _rows(path):
        frame, kind, note = int(row["frame"]), row["kind"].strip(), row.get("note") or ""
        frames.append(frame)
        first = int(row.get("transition_first_frame") or frame)
        last = int(row.get("transition_last_frame") or frame)
        if "NOT_A_SHOT_CHANGE" in kind:
            negatives.append((first, last))
        elif kind == "cut" and "AMBIGUOUS" in note:
            ambiguous.append(frame)
        elif kind == "cut":
            cuts.append(frame)
        else:
            gradual.append((first, last))
    return ShotTruth(cuts, ambiguous, gradual, negatives, frames)


def read_hard_negatives(path: Path) -> List[int]:
    """Frames of a ``*.hard_negatives.csv`` file (no shot boundary there)."""
    return [int(row["frame"]) for row in _rows(path)]


def read_corrections(path: Path, clip: str) -> List[Tuple[int, int]]:
    """``(first, last)`` transition spans a corrections file adds to ``clip``'s annotation.

    The file (``benchmarks/annotation_corrections.csv``) has ``clip,first,last,kind,evidence``
    rows and ``#`` comments; each row is a transition the published annotation misses or lists
    as a hard negative, checked by eye.
    """
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return [(int(r[1]), int(r[2])) for r in csv.reader(lines) if r and r[0] == clip]


def with_corrections(truth: ShotTruth, negatives: List[int], spans: List[Tuple[int, int]]
                     ) -> Tuple[ShotTruth, List[int]]:
    """``truth`` with each of ``spans`` a gradual transition, and no hard cut or hard negative
    (within 2 frames) left inside one. Returns ``truth`` itself when ``spans`` is empty."""
    if not spans:
        return truth, negatives

    def inside(frame: int, slack: int = 0) -> bool:
        return any(a - slack <= frame <= b + slack for a, b in spans)

    fixed = ShotTruth([c for c in truth.hard_cuts if not inside(c)], truth.ambiguous,
                      sorted(truth.gradual + list(spans)), truth.not_boundaries)
    return fixed, [n for n in negatives if not inside(n, 2)]
