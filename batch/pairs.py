"""The rows of ``batch suggest``: a pairs CSV (movie, music, options per row) or every
combination of ``--movies`` and ``--music``; plus the movie list of ``batch analyze``."""
from __future__ import annotations

import csv
import dataclasses
import os
from typing import List, Sequence

from trailersmith.core.errors import ParameterError

from .jobs import SuggestSpec

#: Per-row option columns (a header may write ``spoiler-guard`` or ``spoiler_guard``).
ROW_OPTIONS = ("generator", "backend", "spoiler_guard", "seed", "pace", "segmentation",
               "detector")


def read_movie_list(path: str) -> List[str]:
    """Paths in a list file, one a line (``#`` comments; relative to the file's folder)."""
    if not os.path.isfile(path):
        raise ParameterError(f"Movie list not found: {path}. Give a text file, one path a line.")
    base = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8-sig") as fh:
        return [os.path.normpath(os.path.join(base, os.path.expanduser(ln.strip())))
                for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]


def _row_id(movie: str, music: str) -> str:
    stem = lambda p: os.path.splitext(os.path.basename(p))[0]  # noqa: E731
    return f"{stem(movie)}__{stem(music)}"


def _convert(options, name: str, text: str):
    default = getattr(options, name)
    try:
        return type(default)(text)
    except ValueError:
        raise ParameterError(f"Column {name}: {text!r} is not a {type(default).__name__}.") \
            from None


def combinations(movies: Sequence[str], music: Sequence[str], options) -> List[SuggestSpec]:
    """Every movie with every track, all with the same options."""
    return _unique([SuggestSpec(_row_id(m, t), os.path.abspath(m), os.path.abspath(t), options)
                    for m in movies for t in music])


def read_pairs(path: str, options) -> List[SuggestSpec]:
    """Rows of ``PAIRS.csv``: columns ``movie``, ``music``, optional ``id`` and any of
    :data:`ROW_OPTIONS` (an empty cell keeps the command line's value)."""
    if not os.path.isfile(path):
        raise ParameterError(f"Pairs file not found: {path}. Give a CSV with columns "
                             f"movie,music[,id][,{','.join(ROW_OPTIONS)}].")
    base = os.path.dirname(os.path.abspath(path))
    with open(path, newline="", encoding="utf-8-sig") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    cols = [(c or "").strip().lower().replace("-", "_") for c in (reader.fieldnames or [])]
    unknown = set(cols) - {"movie", "music", "id", *ROW_OPTIONS}
    if not {"movie", "music"} <= set(cols) or unknown:
        raise ParameterError(f"{path}: the header needs movie and music columns and may add id, "
                             f"{', '.join(ROW_OPTIONS)} (found: {', '.join(cols) or 'none'}).")
    rows = []
    for n, raw in enumerate(reader, start=2):
        rec = {(k or "").strip().lower().replace("-", "_"): (v or "").strip()
               for k, v in raw.items()}
        if not rec.get("movie") or not rec.get("music"):
            raise ParameterError(f"{path} line {n}: movie and music must not be empty.")
        movie, music = (os.path.normpath(os.path.join(base, os.path.expanduser(rec[k])))
                        for k in ("movie", "music"))
        changes = {k: _convert(options, k, rec[k]) for k in ROW_OPTIONS if rec.get(k)}
        rows.append(SuggestSpec(rec.get("id") or _row_id(movie, music), movie, music,
                                dataclasses.replace(options, **changes)))
    if not rows:
        raise ParameterError(f"{path} lists no pairs.")
    return _unique(rows)


def _unique(rows: List[SuggestSpec]) -> List[SuggestSpec]:
    seen = set()
    for row in rows:
        if row.row_id in seen:
            raise ParameterError(f"Row id {row.row_id!r} is used twice; give each row its own "
                                 "id (an id column in the pairs CSV).")
        seen.add(row.row_id)
    return rows
