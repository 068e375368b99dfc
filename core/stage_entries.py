"""What a cached stage entry must hold to be used; anything else is discarded and recomputed.

The stage cache (:mod:`.cache`) checks an entry's checksum; these checks add what the checksum
cannot see: an entry written by a buggy or foreign version with the right bytes but wrong content.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .cache import ArraySpec

#: How shot ``i`` begins, stored as an index into this tuple.
SHOT_KINDS = ("start", "cut", "gradual")

MOVIE_REQUIRED = {"shots": ArraySpec("iu", 2, width=2), "scenes": ArraySpec("iu"),
                  "transitions": ArraySpec("iu", None), "kinds": ArraySpec("iu"),
                  "frame_times_s": ArraySpec("f")}
MUSIC_REQUIRED = {"beats_s": ArraySpec("f"), "downbeats_s": ArraySpec("f"),
                  "sections_s": ArraySpec("f", 2, width=2), "cuts_s": ArraySpec("f"),
                  "energy": ArraySpec("f"), "segment_features": ArraySpec("f", 2),
                  "waveform": ArraySpec("f", None)}


def _numeric(name: str, a: np.ndarray) -> None:
    if a.dtype.kind not in "iufb" or (a.dtype.kind == "f" and np.isnan(a).any()):
        raise ValueError(f"{name} is not numeric or holds NaN")


def check_movie_entry(arrays, meta) -> None:
    """Raise ValueError unless a cached movie entry describes a usable shot list."""
    fps, n = Fraction(meta["fps"]), meta["frame_count"]
    if fps <= 0 or not isinstance(n, int) or n < 1 or not np.isfinite(meta["duration_s"]) \
            or not float(meta["duration_s"]) > 0:
        raise ValueError("bad fps, frame count or duration")
    shots, kinds = arrays["shots"], arrays["kinds"]
    if len(shots) < 1 or shots[0, 0] != 0 or shots[-1, 1] != n \
            or (shots[1:, 0] != shots[:-1, 1]).any() or (shots[:, 1] <= shots[:, 0]).any():
        raise ValueError("shots do not cover the movie")
    if len(kinds) != len(shots) or len(arrays["scenes"]) != len(shots) \
            or ((kinds < 0) | (kinds >= len(SHOT_KINDS))).any() or arrays["transitions"].size % 2:
        raise ValueError("kinds, scenes or transitions do not fit the shots")
    for name, a in arrays.items():
        if name.startswith("state_"):
            _numeric(name, a)


def check_music_entry(arrays, meta) -> None:
    """Raise ValueError unless a cached music entry describes a usable music analysis."""
    duration, sr, tempo = (float(meta[k]) for k in ("duration_s", "sample_rate", "tempo_bpm"))
    if not (np.isfinite(duration) and duration > 0 and sr > 0 and np.isfinite(tempo)):
        raise ValueError("bad duration, sample rate or tempo")
    if (np.diff(arrays["cuts_s"]) < 0).any():
        raise ValueError("cuts are not sorted")
    for name, a in arrays.items():
        if name.startswith("cue_"):
            _numeric(name, a)
            if len(a) != len(arrays["segment_features"]):
                raise ValueError(f"{name} does not fit the segments")


#: Stage name -> (required arrays, content check), for every cached stage.
ENTRY_CHECKS = {"movie": (MOVIE_REQUIRED, check_movie_entry),
                "music": (MUSIC_REQUIRED, check_music_entry)}
