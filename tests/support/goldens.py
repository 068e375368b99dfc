"""Golden suggest timelines: record them with the code before a refactor, compare after it.

``record()`` runs the library ``suggest`` with fixed, explicit options on the real media cases
below and writes each plan's clips (shot, source and record frames) with its frame rate and
length as JSON under ``tests/support/golden/``. Recorded once with the unchanged code::

    PYTHONPATH=/tmp/oldpkg TRAILERSMITH_MEDIA=/work/shared/media \
        python tests/support/goldens.py

(``/tmp/oldpkg/trailersmith`` pointing at a checkout of the old tree). The integration test
``tests/integration/test_golden_timelines.py`` re-runs the same cases with the current code.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"

#: name -> (movie, music, seconds of the music's start to use or None for all), relative to
#: the media folder. The VFR clip (9.97 s) has one watchable shot before the 0.9 guard, so its
#: case takes the trumpet's first 2 s (two segments) and the whole clip (guard 1.0).
CASES = {
    "bbb_frantic": ("video/bbb/bbb_full_720p24.mp4", "music/wesnoth/frantic.ogg", None),
    "goldeneye_vfr_trumpet": ("video/pyscenedetect/goldeneye-vfr-drop3.mp4",
                              "music/librosa/sorohanro_-_solo-trumpet-06.hq.ogg", 2.0),
}

#: The options every golden run uses (all explicit, so a changed default cannot hide).
OPTIONS = dict(detector="histogram", backend="affect", generator="ot", seed=0, pace=1.0,
               spoiler_guard=0.9)
#: Per-case changes to :data:`OPTIONS`.
CASE_OPTIONS = {"goldeneye_vfr_trumpet": {"spoiler_guard": 1.0}}


def media_dir() -> Path:
    """The real media folder (``$TRAILERSMITH_MEDIA`` or ``../shared/media``)."""
    return Path(os.environ.get("TRAILERSMITH_MEDIA",
                               Path(__file__).resolve().parents[3] / "shared" / "media"))


def plan_record(plan) -> dict:
    """The comparable part of a cut plan: frame rate, length and every clip's frames."""
    return {
        "fps": f"{plan.fps.numerator}/{plan.fps.denominator}",
        "duration_frames": int(plan.duration_frames),
        "clips": [{"shot": int(c.shot), "source_start": int(c.source_start),
                   "source_end": int(c.source_end), "record_start": int(c.record_start),
                   "record_end": int(c.record_end)} for c in plan.clips],
    }


def options(name: str) -> dict:
    """The explicit suggest options of case ``name``."""
    return {**OPTIONS, **CASE_OPTIONS.get(name, {})}


def music_file(name: str, scratch: Path) -> Path:
    """The case's music: the media file, or its first seconds as 22.05 kHz mono WAV in
    ``scratch`` (cut by ffmpeg, which decodes deterministically)."""
    import subprocess

    _, music, seconds = CASES[name]
    source = media_dir() / music
    if seconds is None:
        return source
    out = Path(scratch) / f"{name}-music.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-t", str(seconds),
                    "-ac", "1", "-ar", "22050", "-c:a", "pcm_s16le", str(out)], check=True)
    return out


def run_case(name: str, scratch: Path, cache_dir=None):
    """Run ``suggest`` on golden case ``name`` with its options; returns the SuggestResult."""
    from trailersmith.core.pipeline import SuggestOptions, suggest

    movie = media_dir() / CASES[name][0]
    return suggest(str(movie), str(music_file(name, scratch)),
                   SuggestOptions(cache_dir=cache_dir, **options(name)))


def load(name: str) -> dict:
    """The recorded golden of case ``name``."""
    with open(GOLDEN_DIR / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def record(names=None, cache_dir=None) -> None:
    """Run every case (or ``names``) and write its golden JSON (with the code on the path)."""
    import tempfile

    import trailersmith

    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name in names or CASES:
        with tempfile.TemporaryDirectory() as scratch:
            result = run_case(name, Path(scratch), cache_dir)
        movie, music, seconds = CASES[name]
        rec = {"case": name, "movie": movie, "music": music, "music_seconds": seconds,
               "options": options(name),
               "recorded_with": os.path.dirname(os.path.realpath(trailersmith.__file__)),
               **plan_record(result.plan)}
        path = GOLDEN_DIR / f"{name}.json"
        path.write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8")
        print(f"{name}: {len(rec['clips'])} clips, {rec['duration_frames']} frames -> {path}")


if __name__ == "__main__":
    import sys

    record(sys.argv[1:] or None, cache_dir=os.environ.get("GOLDEN_CACHE"))
