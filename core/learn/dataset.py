"""Movie-trailer pairs as training examples, and their on-disk format (docs/dataset_format.md).

A dataset folder holds ``dataset.json`` (the index: format, version, feature backend, one entry
per pair with its file and match report) and ``pairs/<id>.npz`` (the arrays of one pair). Every
file is written to a temporary name and moved into place, so an interrupted build leaves either
the old file or the new one, never half of one.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..errors import ParameterError
from ..fileio import atomic_file, write_atomic
from ..model import GenerationProblem, ShotList
from ..music.beats import DEFAULT_BEAT_PERIOD_S
from ..options import default
from ..problem import guarded_shots, make_problem

FORMAT = "trailersmith-dataset"
VERSION = 1
INDEX_NAME = "dataset.json"
_REQUIRED = ("movie_features", "movie_durations_s", "movie_scenes", "music_features",
             "music_durations_s", "match")
_OPTIONAL = ("match_confidence", "plan_features", "plan_durations_s",
             # what suggest's problem needs beyond the features (builder version 2)
             "movie_shots", "movie_frame_times_s", "movie_fps", "movie_quality",
             "movie_watchable", "movie_credits", "music_energy", "plan_energy",
             "music_beat_period_s")
_ARRAYS = _REQUIRED + _OPTIONAL


@dataclass
class PairExample:
    """One movie with one trailer: what a learned generator trains on and is measured against.

    ``match[j]`` is the movie shot that trailer shot ``j`` came from, or -1 when the builder could
    not tell (title cards, footage not in the movie); the alignment matrix ``T`` of the papers is
    ``T[i, j] = (match[j] == i)``. ``music_features[j]`` describe the trailer's music under trailer
    shot ``j`` and ``music_durations_s[j]`` its length. ``plan_features``/``plan_durations_s``
    (optional) describe the same sound cut where ``suggest`` would cut it (its own beat-based
    plan), to compare shot count and length with the official trailer.

    The ``movie_*`` frame arrays (shot frame ranges, decoded-frame times, exact rate as
    ``[num, den]``), shot quality, watchability and credits share, the segments' energy and the
    music's beat period let :meth:`problem` pose exactly the problem ``suggest`` solves; pairs
    without them (synthetic ones) get the same rule in seconds.
    """

    pair_id: str
    movie_id: str
    movie_features: np.ndarray
    movie_durations_s: np.ndarray
    movie_scenes: np.ndarray
    music_features: np.ndarray
    music_durations_s: np.ndarray
    match: np.ndarray
    match_confidence: Optional[np.ndarray] = None
    plan_features: Optional[np.ndarray] = None
    plan_durations_s: Optional[np.ndarray] = None
    movie_shots: Optional[np.ndarray] = None
    movie_frame_times_s: Optional[np.ndarray] = None
    movie_fps: Optional[np.ndarray] = None
    movie_quality: Optional[np.ndarray] = None
    movie_watchable: Optional[np.ndarray] = None
    movie_credits: Optional[np.ndarray] = None
    music_energy: Optional[np.ndarray] = None
    plan_energy: Optional[np.ndarray] = None
    music_beat_period_s: Optional[np.ndarray] = None
    meta: Dict = field(default_factory=dict)

    @property
    def n_shots(self) -> int:
        return int(len(self.movie_durations_s))

    def matched(self) -> "PairExample":
        """The same pair restricted to the trailer shots with a known source (match >= 0)."""
        keep = self.match >= 0
        conf = None if self.match_confidence is None else self.match_confidence[keep]
        energy = None if self.music_energy is None else self.music_energy[keep]
        return dataclasses.replace(self, music_features=self.music_features[keep],
                                   music_durations_s=self.music_durations_s[keep],
                                   match=self.match[keep], match_confidence=conf,
                                   music_energy=energy, meta=dict(self.meta))

    def shot_list(self) -> Optional[ShotList]:
        """The movie's shots as a :class:`ShotList` (frames and timestamps), when stored."""
        if self.movie_shots is None or self.movie_fps is None:
            return None
        times = self.movie_frame_times_s
        num, den = (int(x) for x in self.movie_fps)
        count = int(len(times)) if times is not None else int(self.movie_shots[-1, 1])
        return ShotList(fps=Fraction(num, den), frame_count=count,
                        shots=np.asarray(self.movie_shots, np.int64),
                        kinds=["start"] + ["cut"] * (len(self.movie_shots) - 1),
                        scenes=np.asarray(self.movie_scenes, np.int64),
                        frame_times_s=None if times is None else np.asarray(times, np.float64))

    def guarded(self, spoiler_guard: float = default("spoiler_guard")
                ) -> Tuple[np.ndarray, np.ndarray]:
        """``(durations_s, starts_before_guard)`` of the shots under the spoiler guard.

        From the stored frames exactly as ``suggest`` computes them
        (:func:`~trailersmith.core.problem.guarded_shots`); for pairs without frames, the same
        rule in seconds (the guard at ``spoiler_guard`` of the running time).
        """
        shots = self.shot_list()
        if shots is not None:
            durations, before, _ = guarded_shots(shots, spoiler_guard)
            return durations, before
        d = np.asarray(self.movie_durations_s, np.float64)
        starts = np.concatenate([[0.0], np.cumsum(d)[:-1]])
        end = spoiler_guard * float(d.sum())
        return np.clip(np.minimum(starts + d, end) - starts, 0.0, None), starts < end

    def eligible(self, spoiler_guard: float = default("spoiler_guard")) -> np.ndarray:
        """The shots a generator may use: ``suggest``'s eligibility rule on this pair."""
        return self.problem(spoiler_guard).eligible

    def problem(self, spoiler_guard: float = default("spoiler_guard"), segments: str = "official"
                ) -> GenerationProblem:
        """The generation problem this pair poses: its movie's shots against its music.

        ``segments="official"``: one segment per official trailer shot; ``"plan"``: the music
        cut where ``suggest`` would cut it (needs ``plan_features``).
        """
        if segments == "plan":
            if self.plan_features is None:
                raise ParameterError(f"Pair {self.pair_id} has no music plan; rebuild the "
                                     "dataset with 'trailersmith dataset build'.")
            feats, durs, energy = self.plan_features, self.plan_durations_s, self.plan_energy
        elif segments == "official":
            feats, durs = self.music_features, self.music_durations_s
            energy = self.music_energy
        else:
            raise ParameterError(f"Unknown segments {segments!r}; use official or plan.")
        durations, before = self.guarded(spoiler_guard)
        period = (DEFAULT_BEAT_PERIOD_S if self.music_beat_period_s is None
                  else float(self.music_beat_period_s))
        return make_problem(
            shot_features=self.movie_features, durations_s=durations, before_guard=before,
            scenes=self.movie_scenes, segment_features=feats, segment_durations_s=durs,
            shot_quality=self.movie_quality, watchable=self.movie_watchable,
            credits=self.movie_credits, segment_energy=energy, beat_period_s=period)


def safe_id(text: str) -> str:
    """A file-name-safe id: readable prefix plus a short hash of the full text."""
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:40].strip("_")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{stem}-{digest}" if stem else digest


def save_pair(folder: str, example: PairExample) -> str:
    """Write one pair's arrays to ``folder/pairs/<id>.npz``; returns the path relative to folder."""
    rel = f"pairs/{safe_id(example.pair_id)}.npz"
    arrays = {name: getattr(example, name) for name in _ARRAYS
              if getattr(example, name) is not None}
    arrays["ids"] = np.array([example.pair_id, example.movie_id])
    os.makedirs(os.path.join(folder, "pairs"), exist_ok=True)
    with atomic_file(os.path.join(folder, rel)) as fh:
        np.savez_compressed(fh, **arrays)
    return rel


def load_pair(folder: str, entry: Dict) -> PairExample:
    """Read one pair named by an index entry."""
    path = os.path.join(folder, entry["file"])
    if not os.path.isfile(path):
        raise ParameterError(f"Dataset file missing: {path}. Re-run 'trailersmith dataset build' "
                             "to rebuild it.")
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [n for n in _REQUIRED + ("ids",) if n not in z]
            if missing:
                raise ParameterError(f"{path} lacks {', '.join(missing)}; it is not a pair file "
                                     "of this dataset format. Rebuild the dataset.")
            data = {n: z[n] for n in _ARRAYS if n in z}
            pair_id, movie_id = (str(x) for x in z["ids"])
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ParameterError(f"{path} is unreadable ({exc.__class__.__name__}); rebuild the "
                             "dataset with 'trailersmith dataset build --rebuild'.") from None
    ex = PairExample(pair_id=pair_id, movie_id=movie_id, meta=dict(entry), **data)
    _check_shapes(ex, path)
    return ex


def _check_shapes(ex: PairExample, where: str) -> None:
    i, j = len(ex.movie_durations_s), len(ex.music_durations_s)
    ok = (ex.movie_features.ndim == 2 and ex.movie_features.shape[0] == i
          and ex.music_features.ndim == 2 and ex.music_features.shape[0] == j
          and len(ex.movie_scenes) == i and len(ex.match) == j
          and (ex.match < i).all() and i > 0)
    per_shot = (ex.movie_shots, ex.movie_quality, ex.movie_watchable, ex.movie_credits)
    ok = ok and all(a is None or len(a) == i for a in per_shot)
    ok = ok and (ex.music_energy is None or len(ex.music_energy) == j)
    if not ok:
        raise ParameterError(f"Inconsistent array shapes in {where}; rebuild the dataset.")


def write_index(folder: str, index: Dict) -> None:
    """Write ``dataset.json`` atomically."""
    index = {**index, "format": FORMAT, "version": VERSION}
    text = json.dumps(index, indent=1, sort_keys=True).encode("utf-8")
    os.makedirs(folder, exist_ok=True)
    write_atomic(os.path.join(folder, INDEX_NAME), text)


def read_index(folder: str) -> Dict:
    """Read and check ``dataset.json`` of a dataset folder."""
    path = os.path.join(folder, INDEX_NAME)
    if not os.path.isfile(path):
        raise ParameterError(f"No dataset at {folder} ({INDEX_NAME} missing). Build one with "
                             "'trailersmith dataset build PAIRS.csv OUT_DIR'.")
    try:
        with open(path, encoding="utf-8") as fh:
            index = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{path} is unreadable ({exc.__class__.__name__}); rebuild the "
                             "dataset.") from None
    if index.get("format") != FORMAT:
        raise ParameterError(f"{path} is not a Trailersmith dataset index.")
    if int(index.get("version", 0)) > VERSION:
        raise ParameterError(f"{path} has format version {index.get('version')}, newer than this "
                             f"Trailersmith reads ({VERSION}); update Trailersmith.")
    return index


def save_dataset(folder: str, examples: List[PairExample], *, backend: str,
                 extra: Optional[Dict] = None) -> None:
    """Write a whole in-memory dataset (pairs then index)."""
    entries = [{"id": ex.pair_id, "movie_id": ex.movie_id, "file": save_pair(folder, ex)}
               for ex in examples]
    write_index(folder, {"backend": backend, "pairs": entries, **(extra or {})})


def load_dataset(folder: str) -> Tuple[Dict, List[PairExample]]:
    """Read a dataset folder: its index and every pair in it."""
    index = read_index(folder)
    examples = [load_pair(folder, e) for e in index.get("pairs", []) if e.get("file")]
    if not examples:
        raise ParameterError(f"The dataset at {folder} has no pairs; check the build report.")
    dims = {(ex.movie_features.shape[1], ex.music_features.shape[1]) for ex in examples}
    if len(dims) > 1:
        raise ParameterError(f"The dataset at {folder} mixes feature sizes {sorted(dims)}; "
                             "build it with one feature backend.")
    return index, examples


def split_by_movie(examples: List[PairExample], fractions: Tuple[float, ...], seed: int = 0
                   ) -> List[List[PairExample]]:
    """Split pairs into groups by movie (all trailers of a movie stay in one group).

    ``fractions`` are the shares of movies of every group but the last, which takes the rest.
    The split depends only on the movie ids and ``seed``, not on the order of ``examples``.
    """
    movies = sorted({ex.movie_id for ex in examples})
    order = sorted(movies, key=lambda m: hashlib.sha1(f"{seed}:{m}".encode()).hexdigest())
    bounds, acc = [], 0.0
    for f in fractions:
        acc += f
        bounds.append(int(round(acc * len(order))))
    group_of = {}
    for rank, movie in enumerate(order):
        group_of[movie] = sum(rank >= b for b in bounds)
    groups: List[List[PairExample]] = [[] for _ in range(len(fractions) + 1)]
    for ex in examples:
        groups[group_of[ex.movie_id]].append(ex)
    return groups
