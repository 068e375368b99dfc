"""``trailersmith dataset build``: movie-trailer pairs -> a training dataset (dataset.py format).

For each movie, every trailer is decoded once (shots + small frames), then the movie is decoded
once through ``suggest``'s movie stage (:func:`~trailersmith.core.stages.analyze_movie`: shot
detection, the feature backend and the frame matcher riding the same pass), so a dataset holds
the features, quality and eligibility cues ``suggest`` uses. Each trailer shot is voted onto the
movie shot it came from (frame_match.py); the trailer's sound (or the music-only track, when the
CSV names one) goes through ``suggest``'s music stage and is also cut at the trailer's shot
boundaries, described by the same backend. A pair already built from unchanged files is
kept, so an interrupted build resumes where it stopped.
"""
from __future__ import annotations

import csv
import dataclasses
import os
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..errors import Cancelled, MediaError, ParameterError, TrailersmithError
from ..progress import Reporter, ensure_reporter
from .dataset import PairExample, read_index, safe_id, save_pair, write_index
from .frame_match import MovieFrames, TrailerFrames, match_shots

#: 2: pairs carry suggest's problem inputs (shot frames and times, quality, energy, beat period).
BUILDER_VERSION = "2"
#: A trailer shot whose winner got less than this share of the votes is reported as doubtful.
LOW_VOTE_SHARE = 0.5


@dataclasses.dataclass(frozen=True)
class PairRow:
    """One movie-trailer pair named by the CSV (absolute paths)."""

    pair_id: str
    movie: str
    trailer: str
    music: Optional[str]


def read_pairs(csv_path: str) -> List[PairRow]:
    """Rows of ``PAIRS.csv``: columns ``movie``, ``trailer`` (several separated by ``;``),
    optional ``music`` and ``id``; paths relative to the CSV's folder; ``#`` lines are comments."""
    if not os.path.isfile(csv_path):
        raise ParameterError(f"Pairs file not found: {csv_path}. Give a CSV with columns "
                             "movie,trailer[,music][,id].")
    base = os.path.dirname(os.path.abspath(csv_path))
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    cols = {c.strip().lower() for c in (reader.fieldnames or [])}
    if not {"movie", "trailer"} <= cols:
        raise ParameterError(f"{csv_path} needs a header with at least 'movie' and 'trailer' "
                             f"columns (found: {', '.join(sorted(cols)) or 'none'}).")
    rows: List[PairRow] = []
    seen = set()
    for n, raw in enumerate(reader, start=2):
        rec = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not rec.get("movie") or not rec.get("trailer"):
            raise ParameterError(f"{csv_path} line {n}: movie and trailer must not be empty.")

        def path(p: str) -> str:
            return os.path.normpath(os.path.join(base, os.path.expanduser(p)))
        trailers = [t.strip() for t in rec["trailer"].split(";") if t.strip()]
        for k, trailer in enumerate(trailers):
            pid = rec.get("id") or (f"{os.path.splitext(os.path.basename(rec['movie']))[0]}__"
                                    f"{os.path.splitext(os.path.basename(trailer))[0]}")
            if rec.get("id") and len(trailers) > 1:
                pid = f"{pid}-{k + 1}"
            if pid in seen:
                raise ParameterError(f"{csv_path} line {n}: pair id {pid!r} is used twice; "
                                     "give each pair its own id.")
            seen.add(pid)
            rows.append(PairRow(pid, path(rec["movie"]), path(trailer),
                                path(rec["music"]) if rec.get("music") else None))
    if not rows:
        raise ParameterError(f"{csv_path} lists no pairs.")
    return rows


def _signature(row: PairRow) -> Dict:
    out = {}
    for p in (row.movie, row.trailer, row.music):
        if p:
            st = os.stat(p)
            out[p] = [st.st_size, int(st.st_mtime)]
    return out


def _check_files(row: PairRow) -> None:
    for role, p in (("Movie", row.movie), ("Trailer", row.trailer), ("Music", row.music)):
        if p and not os.path.isfile(p):
            raise MediaError(f"{role} file of pair {row.pair_id!r} not found: {p}. Fix the "
                             "path in the CSV (relative paths start at the CSV's folder).")


def build_dataset(pairs_csv: str, out_dir: str, *, backend: str = "affect",
                  backend_options: Optional[Dict] = None, detector: str = "auto",
                  movie_stride: int = 2, rebuild: bool = False,
                  reporter: Optional[Reporter] = None, engine=None) -> Dict:
    """Build (or resume building) a dataset; returns the build report.

    ``engine`` (a batch engine: ``map(fn, jobs)`` yielding outcomes with ``index``, ``value``,
    ``error``) builds the movies in parallel, e.g. on Ray; None builds them here, one at a time.

    The report has ``pairs`` (one entry per pair: id, file or error, match report), and the
    counts ``built``, ``kept`` (already up to date) and ``failed``. A pair that fails (unreadable
    file, no sound) is reported and skipped; the others are still built.
    """
    from ..features import get_backend

    reporter = ensure_reporter(reporter)
    rows = read_pairs(pairs_csv)
    get_backend(backend, **(backend_options or {}))  # fail early when it is unavailable
    os.makedirs(out_dir, exist_ok=True)
    try:
        index = read_index(out_dir)
    except ParameterError:
        if os.path.exists(os.path.join(out_dir, "dataset.json")):
            raise
        index = {"pairs": []}
    if index.get("pairs") and index.get("backend") not in (None, backend):
        raise ParameterError(f"{out_dir} was built with the {index.get('backend')} backend; "
                             f"use --backend {index.get('backend')} or another OUT_DIR.")
    entries = {e["id"]: e for e in index.get("pairs", [])}
    report = {"pairs": [], "built": 0, "kept": 0, "failed": 0}
    groups: Dict[str, List[PairRow]] = {}
    for row in rows:
        groups.setdefault(row.movie, []).append(row)

    def save_index():
        write_index(out_dir, {"backend": backend, "builder_version": BUILDER_VERSION,
                              "pairs": sorted(entries.values(), key=lambda e: e["id"])})

    jobs: List[MovieJob] = []
    for movie, group in groups.items():
        todo = []
        for row in group:
            old = entries.get(row.pair_id)
            try:
                _check_files(row)
                fresh = (not rebuild and old and old.get("source") == _signature(row)
                         and old.get("builder_version") == BUILDER_VERSION
                         and os.path.isfile(os.path.join(out_dir, old.get("file", ""))))
            except MediaError as exc:
                report["failed"] += 1
                report["pairs"].append({"id": row.pair_id, "error": str(exc)})
                continue
            if fresh:
                report["kept"] += 1
                report["pairs"].append(old)
            else:
                todo.append(row)
        if todo:
            jobs.append(MovieJob(movie, tuple(todo), out_dir, backend, backend_options or {},
                                 detector, movie_stride))
    for index, built, error in _run_jobs(engine, jobs, reporter):
        if error is not None:
            for row in jobs[index].rows:
                report["failed"] += 1
                report["pairs"].append({"id": row.pair_id, "error": error})
            continue
        for entry in built:
            if "error" in entry:
                report["failed"] += 1
            else:
                entries[entry["id"]] = entry
                report["built"] += 1
            report["pairs"].append(entry)
        save_index()
    save_index()
    return report


@dataclasses.dataclass(frozen=True)
class MovieJob:
    """One movie's pairs still to build (picklable, so an engine can ship it to a worker)."""

    movie: str
    rows: Tuple[PairRow, ...]
    out_dir: str
    backend: str
    backend_options: Dict
    detector: str
    stride: int


def build_movie_job(job: MovieJob, reporter: Optional[Reporter] = None) -> List[Dict]:
    """Build one movie's pairs (the unit of work an engine runs)."""
    return _build_movie(job.movie, list(job.rows), job.out_dir, job.backend, job.backend_options,
                        job.detector, job.stride, ensure_reporter(reporter))


def _run_jobs(engine, jobs: List[MovieJob], reporter: Reporter):
    """``(index, built, error)`` per job: through ``engine`` or here, in order."""
    if engine is not None:
        for out in engine.map(build_movie_job, jobs):
            yield out.index, out.value, out.error
        return
    for index, job in enumerate(jobs):
        try:
            yield index, build_movie_job(job, reporter), None
        except Cancelled:
            raise
        except TrailersmithError as exc:
            yield index, None, str(exc)


def _build_movie(movie: str, rows: List[PairRow], out_dir: str, backend_name: str,
                 backend_options: Dict, detector: str, stride: int,
                 reporter: Reporter) -> List[Dict]:
    from ..media import probe_video
    from ..options import SuggestOptions
    from ..shots import detect_shots
    from ..stages import analyze_movie

    options = SuggestOptions(backend=backend_name, backend_options=dict(backend_options),
                             detector=detector)
    trailers = {}
    for row in rows:
        info = probe_video(row.trailer)
        frames = TrailerFrames(info.width, info.height)
        shots, decoded = detect_shots(row.trailer, detector=detector, extra_consumers=[frames],
                                      reporter=reporter)
        trailers[row.pair_id] = (shots, decoded, frames)
    info = probe_video(movie)
    movie_frames = MovieFrames(info.width, info.height,
                               [t[2].picture_aspect for t in trailers.values()], stride=stride)
    analysis = analyze_movie(movie, options, reporter, extra_consumers=[movie_frames])
    movie_id = safe_id(os.path.abspath(movie))
    out = []
    for row in rows:
        reporter.check()
        shots, decoded, frames = trailers[row.pair_id]
        try:
            example, match_report = _pair_example(row, movie_id, analysis, movie_frames, shots,
                                                  decoded, frames, options)
        except (MediaError, ParameterError) as exc:
            out.append({"id": row.pair_id, "error": str(exc)})
            continue
        out.append({"id": row.pair_id, "movie_id": movie_id, "file": save_pair(out_dir, example),
                    "movie": row.movie, "trailer": row.trailer, "music": row.music,
                    "source": _signature(row), "builder_version": BUILDER_VERSION,
                    "report": match_report})
    return out


def _pair_example(row, movie_id, movie, movie_frames, shots, decoded, frames, options):
    from ..features import get_backend
    from ..media import load_audio
    from ..music import SAMPLE_RATE
    from ..music.cuts import segment_energy
    from ..stages import analyze_music_track

    movie_shots = movie.shots
    desc, valid = movie_frames.for_aspect(frames.picture_aspect)
    match = match_shots(desc, valid, movie_frames.indices, movie_shots.shots,
                        frames.descriptors, frames.valid, frames.indices, shots.shots)
    sound = row.music or row.trailer
    try:
        y = load_audio(sound, SAMPLE_RATE, role="Music" if row.music else "Trailer sound")
        music = analyze_music_track(sound, options)
    except MediaError as exc:
        raise MediaError(f"{exc} (pair {row.pair_id}: name a music-only track in the CSV's "
                         "music column)") from None
    analysis = music.analysis
    video_s = float(decoded.info.duration_s)
    starts = decoded.frame_times_s[shots.shots[:, 0]]
    end = min(video_s, analysis.duration_s)
    cuts = starts[1:][starts[1:] < end - 0.05]
    official = dataclasses.replace(analysis, duration_s=end, cuts_s=cuts)
    backend = get_backend(options.backend, **options.backend_options)
    music_features, _ = backend.music_features(y, SAMPLE_RATE, official)
    durations = official.segments_s[:, 1] - official.segments_s[:, 0]
    n = len(durations)  # trailer shots past the end of the sound are left out
    plan = analysis.segments_s
    plan_edges = np.concatenate([plan[:, 0], plan[-1:, 1]])
    plan_energy = (np.zeros(len(plan)) if analysis.energy is None
                   else np.asarray(analysis.energy, float))
    # Official segments' energy: the plan's (time-weighted) over each official segment.
    official_energy = segment_energy(cuts, plan_edges, plan_energy, end)
    example = PairExample(
        pair_id=row.pair_id, movie_id=movie_id,
        movie_features=np.asarray(movie.shot_features, np.float32),
        movie_durations_s=movie_shots.durations_s().astype(np.float32),
        movie_scenes=np.asarray(movie_shots.scenes, np.int64),
        music_features=np.asarray(music_features, np.float32),
        music_durations_s=durations.astype(np.float32), match=match.shot[:n],
        match_confidence=match.vote_share[:n].astype(np.float32),
        plan_features=np.asarray(music.segment_features, np.float32),
        plan_durations_s=(plan[:, 1] - plan[:, 0]).astype(np.float32),
        music_energy=official_energy, **problem_inputs(movie, analysis))
    matched = match.shot[:n] >= 0
    match_report = {
        "trailer_shots": int(n), "matched": int(matched.sum()),
        "mean_vote_share": float(match.vote_share[:n][matched].mean()) if matched.any() else 0.0,
        "mean_similarity": float(match.similarity[:n][matched].mean()) if matched.any() else 0.0,
        "low_confidence": int((matched & (match.vote_share[:n] < LOW_VOTE_SHARE)).sum()),
        "picture_box": [float(x) for x in frames.box],
        "movie_shots": int(len(movie_shots.shots))}
    return example, match_report


def problem_inputs(movie, analysis) -> Dict[str, np.ndarray]:
    """The pair arrays, beyond features, that let ``PairExample.problem`` pose ``suggest``'s
    problem: shot frames, frame times and rate, quality, watchability, credits share, the plan's
    segment energy and the beat period (from a MovieAnalysis and a MusicAnalysis)."""
    from ..music.beats import beat_period

    shots = movie.shots
    n = len(shots.shots)
    cues = movie.shot_cues
    times = shots.frame_times_s
    energy = analysis.energy if analysis.energy is not None else np.zeros(len(analysis.segments_s))
    return {
        "movie_shots": np.asarray(shots.shots, np.int64),
        "movie_frame_times_s": None if times is None else np.asarray(times, np.float64),
        "movie_fps": np.array([shots.fps.numerator, shots.fps.denominator], np.int64),
        "movie_quality": np.asarray(movie.shot_quality, np.float64),
        "movie_watchable": np.asarray(cues.get("watchable", movie.shot_quality), np.float64),
        "movie_credits": np.asarray(cues.get("credits_fraction", np.zeros(n)), np.float64),
        "plan_energy": np.asarray(energy, np.float64),
        "music_beat_period_s": np.array(beat_period(analysis.beats_s)),
    }
