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
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..errors import ParameterError
from ..fileio import atomic_file, write_atomic
from ..model import GenerationProblem

FORMAT = "trailersmith-dataset"
VERSION = 1
INDEX_NAME = "dataset.json"
_REQUIRED = ("movie_features", "movie_durations_s", "movie_scenes", "music_features",
             "music_durations_s", "match")
_OPTIONAL = ("match_confidence", "plan_features", "plan_durations_s")
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
    meta: Dict = field(default_factory=dict)

    @property
    def n_shots(self) -> int:
        return int(len(self.movie_durations_s))

    def matched(self) -> "PairExample":
        """The same pair restricted to the trailer shots with a known source (match >= 0)."""
        keep = self.match >= 0
        conf = None if self.match_confidence is None else self.match_confidence[keep]
        return dataclasses.replace(self, music_features=self.music_features[keep],
                                   music_durations_s=self.music_durations_s[keep],
                                   match=self.match[keep], match_confidence=conf,
                                   meta=dict(self.meta))

    def eligible(self, spoiler_guard: float = 0.9) -> np.ndarray:
        """Shots starting within the first ``spoiler_guard`` share of the movie's running time."""
        starts = np.concatenate([[0.0], np.cumsum(self.movie_durations_s)[:-1]])
        total = float(np.sum(self.movie_durations_s))
        return starts < spoiler_guard * total if total > 0 else np.ones(self.n_shots, bool)

    def problem(self, spoiler_guard: float = 0.9, segments: str = "official"
                ) -> GenerationProblem:
        """The generation problem this pair poses: its movie's shots against its music.

        ``segments="official"``: one segment per official trailer shot; ``"plan"``: the music
        cut where ``suggest`` would cut it (needs ``plan_features``).
        """
        if segments == "plan":
            if self.plan_features is None:
                raise ParameterError(f"Pair {self.pair_id} has no music plan; rebuild the "
                                     "dataset with 'trailersmith dataset build'.")
            feats, durs = self.plan_features, self.plan_durations_s
        elif segments == "official":
            feats, durs = self.music_features, self.music_durations_s
        else:
            raise ParameterError(f"Unknown segments {segments!r}; use official or plan.")
        return GenerationProblem(
            shot_features=self.movie_features.astype(np.float64),
            shot_durations_s=self.movie_durations_s.astype(np.float64),
            segment_features=np.asarray(feats, np.float64),
            segment_durations_s=np.asarray(durs, np.float64),
            eligible=self.eligible(spoiler_guard), scenes=self.movie_scenes.astype(np.int64))


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
