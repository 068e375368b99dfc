"""The fault corpus's machinery: shared tiny media, one workspace per case, the CLI in a
subprocess, and the whole contract checked after every run.

The contract (issue 10): the expected exit code; on failure exactly one stderr line, starting
``trailersmith:``, no traceback, nothing on stdout and no output file or temporary file left
(an existing file is unchanged); on success every output exists and an ``.otio`` reads back; in
every case the cache holds only complete, valid entries and no source file changed (hashed
before and after).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

RUN_TIMEOUT_S = 180
#: Every suggest in the corpus uses the fast detector, so the warm cache matches its key.
FAST = ("--detector", "histogram")


def sha(path: Path) -> str:
    """BLAKE2b of a file's bytes (or of a folder's sorted file list and contents)."""
    h = hashlib.blake2b(digest_size=16)
    path = Path(path)
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(path)).encode("utf-8", "surrogateescape"))
                h.update(p.read_bytes())
    else:
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class Media:
    """The session's tiny synthetic media (read by every case, never written)."""

    root: Path
    movie: Path            # 920 frames, 160x90, 24 fps, 36 shots, no audio
    music: Path            # 6 s drum loop, 22.05 kHz WAV
    short_music: Path      # 3 s
    long_movie: Path       # for the signal cases: long enough to interrupt mid-analysis
    rates: Dict[str, Path]  # "12" -> a 12 fps movie, ...
    dataset: Path          # a planted dataset folder (dataset planted)
    checkpoint: Path       # a tiny trained ipot checkpoint
    warm_cache: Path       # a cache holding movie + music entries of movie/music
    hashes: Dict[Path, str] = field(default_factory=dict)

    def sources(self) -> List[Path]:
        return [self.movie, self.music, self.short_music, self.long_movie,
                *self.rates.values(), self.dataset, self.checkpoint]


def make_media(root: Path) -> Media:
    """Render the shared media once (about 10-20 s on 2 busy cores)."""
    from trailersmith.core.learn.dataset import save_dataset
    from trailersmith.core.learn.planted import make_planted
    from trailersmith.core.learn.train import TrainOptions, train
    from trailersmith.core.synthetic import make_movie, make_music

    root.mkdir(parents=True, exist_ok=True)
    movie, music, short = root / "movie.mp4", root / "music.wav", root / "short.wav"
    make_movie(str(movie), shot_lengths=[20, 30, 25, 40] * 8, size=(160, 90))
    make_music(str(music), duration_s=6.0)
    make_music(str(short), duration_s=3.0)
    long_movie = root / "long.mp4"
    _long_movie(long_movie)
    rates = {}
    for rate in ("12", "15", "120"):
        fps = Fraction(rate)
        rates[rate] = root / f"rate{rate}.mp4"
        frames = int(fps)
        make_movie(str(rates[rate]), shot_lengths=[frames, frames + 3, frames - 2] * 3,
                   fps=fps, size=(96, 54))
    dataset = root / "dataset"
    save_dataset(str(dataset), make_planted(4, seed=5), backend="planted")
    checkpoint = root / "ipot.pt"
    train("ipot", make_planted(4, seed=6), str(checkpoint),
          options=TrainOptions(epochs=1, batch_size=4), model_options={"hidden": 16},
          backend="planted")
    warm = root / "warm-cache"
    out = root / "warm.otio"
    result = run_cli(["suggest", str(movie), str(music), "-o", str(out), *FAST], cwd=root,
                     cache=warm)
    assert result.returncode == 0, result.stderr
    out.unlink()
    media = Media(root, movie, music, short, long_movie, rates, dataset, checkpoint, warm)
    media.hashes = {p: sha(p) for p in media.sources()}
    return media


def _long_movie(path: Path) -> None:
    """Four minutes of ffmpeg's test pattern, its colours jumping every 2 s (120 hard cuts),
    fast to encode; else 80 s of synthetic shots."""
    if shutil.which("ffmpeg"):
        pattern = "testsrc=size=160x90:rate=24,hue=h='floor(t/2)*77':s='1+mod(floor(t/2),3)'"
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", pattern, "-t", "240",
                        "-pix_fmt", "yuv420p", str(path)], check=True)
    else:
        from trailersmith.core.synthetic import make_movie
        make_movie(str(path), shot_lengths=[30, 45, 60, 40] * 12, size=(160, 90), seed=3)


def cli_command(argv: Sequence[str]) -> List[str]:
    return [sys.executable, "-m", "trailersmith", *[str(a) for a in argv]]


def cli_env(cache: Path, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {**os.environ, "TRAILERSMITH_CACHE": str(cache), "PYTHONUNBUFFERED": "1"}
    env.update(extra or {})
    return env


def run_cli(argv: Sequence[str], *, cwd: Path, cache: Path, env: Optional[Dict] = None,
            prefix: Sequence[str] = (), preexec: Optional[Callable] = None,
            timeout: float = RUN_TIMEOUT_S) -> subprocess.CompletedProcess:
    """``python -m trailersmith ARGV`` in ``cwd`` with a private cache; output captured."""
    return subprocess.run([*prefix, *cli_command(argv)], cwd=cwd, env=cli_env(cache, env),
                          capture_output=True, text=True, errors="replace", timeout=timeout,
                          preexec_fn=preexec)


@dataclass
class Ctx:
    """One case's workspace. ``setup`` fills ``outputs`` (files the command may write) and may
    add ``sources`` (more files that must not change), ``prefix``/``preexec``/``env``."""

    ws: Path
    cache: Path
    media: Media
    outputs: List[Path] = field(default_factory=list)
    sources: List[Path] = field(default_factory=list)
    prefix: List[str] = field(default_factory=list)
    preexec: Optional[Callable] = None
    env: Dict[str, str] = field(default_factory=dict)
    cleanup: List[Callable[[], None]] = field(default_factory=list)

    def out(self, name: str) -> Path:
        path = self.ws / name
        self.outputs.append(path)
        return path

    def run(self, argv: Sequence[str], **kw) -> subprocess.CompletedProcess:
        return run_cli(argv, cwd=self.ws, cache=self.cache, env=self.env, prefix=self.prefix,
                       preexec=self.preexec, **kw)

    def warm(self) -> "Ctx":
        """Start from a copy of the warm cache (the shared movie and music are analysed)."""
        shutil.rmtree(self.cache, ignore_errors=True)
        shutil.copytree(self.media.warm_cache, self.cache)
        return self


@dataclass
class Case:
    """One corpus case. ``setup(ctx)`` returns the CLI arguments; ``rc`` the accepted exit codes;
    ``says`` a regex the one stderr line must match; ``after(ctx, result)`` extra checks;
    ``run(ctx, argv)`` replaces the plain subprocess run (signals, concurrency)."""

    id: str
    setup: Callable[[Ctx], List[str]]
    rc: Tuple[int, ...] = (2,)
    says: str = ""
    after: Optional[Callable] = None
    run: Optional[Callable] = None
    xfail: str = ""
    needs: str = ""  # "root", "mount": skipped where the machine cannot set the fault up
    leaves: Tuple[str, ...] = ()  # files a failure keeps on purpose (and says so)


def _files(root: Path, skip: Path) -> Dict[Path, str]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == skip:
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) != skip]
        for name in filenames:
            p = Path(dirpath, name)
            try:
                out[p] = sha(p)
            except OSError:
                out[p] = "unreadable"
    return out


def snapshot(ctx: Ctx) -> Dict[Path, str]:
    """Every file in the workspace (outside the cache) with its hash."""
    return _files(ctx.ws, ctx.cache)


_TEMP = re.compile(r"(^\.|\.tmp$|\.part$|^tmp)", re.I)


def check_cache(cache: Path) -> None:
    """Only complete, valid entries and no temporary files in the cache."""
    from trailersmith.core.cache import StageCache
    from trailersmith.core.stage_entries import ENTRY_CHECKS

    if not cache.is_dir():
        return
    store = StageCache(str(cache))
    for p in cache.rglob("*"):
        assert not (p.is_file() and _TEMP.search(p.name)), f"temporary file left in cache: {p}"
    for stage, (required, check) in ENTRY_CHECKS.items():
        folder = cache / stage
        if not folder.is_dir():
            continue
        stems = {p.stem for p in folder.iterdir()}
        for stem in stems:
            assert (folder / f"{stem}.npz").is_file() and (folder / f"{stem}.json").is_file(), \
                f"partial cache entry {folder / stem}"
            assert store.load(stage, stem, required=required,
                              validate=check) is not None, f"bad entry {stem}"


def check_contract(case: Case, ctx: Ctx, result, before: Dict[Path, str]) -> None:
    """Assert the whole contract of ``case`` on ``result`` (see the module docstring)."""
    err_lines = [line for line in (result.stderr or "").splitlines() if line.strip()]
    shown = f"rc={result.returncode} stderr={result.stderr!r} stdout={result.stdout[-300:]!r}"
    assert result.returncode in case.rc, shown
    after = snapshot(ctx)
    if result.returncode != 0:
        assert len(err_lines) == 1, f"want one stderr line: {shown}"
        assert err_lines[0].startswith("trailersmith:"), shown
        assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr, shown
        assert not result.stdout.strip(), f"failure printed output: {shown}"
        if case.says:
            assert re.search(case.says, err_lines[0], re.I), f"want /{case.says}/: {shown}"
        new = sorted(str(p) for p in set(after) - set(before) if p.name not in case.leaves)
        assert not new, f"failure left files {new}: {shown}"
        changed = sorted(str(p) for p in before if p in after and after[p] != before[p])
        assert not changed, f"failure changed files {changed}"
    else:
        for out in ctx.outputs:
            assert out.is_file() and out.stat().st_size > 0, f"missing output {out}: {shown}"
            if out.suffix == ".otio":
                import opentimelineio as otio
                otio.adapters.read_from_file(str(out))
        stray = [p for p in set(after) - set(before) if _TEMP.search(p.name)]
        assert not stray, f"temporary files left: {stray}"
    for src in ctx.sources:
        if src in before:
            assert src in after and after[src] == before[src], f"source changed: {src}"
    for src, digest in ctx.media.hashes.items():
        assert sha(src) == digest, f"shared source changed: {src}"
    check_cache(ctx.cache)
    if case.after is not None:
        case.after(ctx, result)
