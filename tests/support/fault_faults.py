"""Fault-corpus cases for faults around the run: a full disk, permissions, a damaged cache,
signals and two runs at once (see :mod:`.fault_cases` for the rest)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import List

from .fault_cases import _copy, _train_argv, suggest
from .fault_contract import Case, Ctx, cli_command, cli_env


# ---- disk ------------------------------------------------------------------------------------
def _full_disk(c: Ctx, free_bytes: int = 1024) -> Path:
    """A tiny tmpfs under the workspace, filled up to ``free_bytes`` of free space."""
    mnt = c.ws / "full"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], check=True)
    c.cleanup.append(lambda: subprocess.run(["umount", "-l", str(mnt)], check=False))
    st = os.statvfs(mnt)
    with open(mnt / "filler", "wb") as f:
        f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - free_bytes))
    return mnt


def _fsize_limit(limit: int):
    def preexec():
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def _limited(c: Ctx, suffix: str, limit: int = 4096):
    c.warm().preexec = _fsize_limit(limit)
    return suggest(c, None, None, f"t{suffix}")


DISK = [
    Case("disk-full-otio",
         lambda c: (c.warm(), suggest(c, None, None, f"{_full_disk(c).name}/t.otio"))[1],
         says="space|full", needs="mount"),
    Case("disk-full-kdenlive",
         lambda c: (c.warm(), suggest(c, None, None, f"{_full_disk(c).name}/t.kdenlive"))[1],
         says="space|full", needs="mount"),
    Case("disk-full-cache",
         lambda c: (setattr(c, "cache", _full_disk(c, 0) / "cache"), suggest(c))[1],
         rc=(0, 2), says="space|full|cache", needs="mount"),
    Case("disk-file-size-limit-otio", lambda c: _limited(c, ".otio"),
         says="space|full|large|write"),
    Case("disk-file-size-limit-edl", lambda c: _limited(c, ".edl", 200),  # an EDL is < 4 KiB
         says="space|full|large|write"),
]


# ---- permissions (root drops CAP_DAC_OVERRIDE so the mode bits count) --------------------------
def _as_user(c: Ctx) -> Ctx:
    if os.geteuid() == 0:
        c.prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    return c


def _chmod(c: Ctx, path: Path, mode: int) -> Path:
    old = path.stat().st_mode & 0o777
    os.chmod(path, mode)
    c.cleanup.append(lambda: os.chmod(path, old))
    return path


def _ro_folder(c: Ctx) -> List[str]:
    (c.ws / "ro").mkdir()
    _chmod(_as_user(c.warm()), c.ws / "ro", 0o555)
    return suggest(c, None, None, "ro/t.otio")


def _unreadable(c: Ctx, which: str) -> List[str]:
    _as_user(c.warm())
    src = c.media.movie if which == "movie" else c.media.music
    path = _chmod(c, _copy(c, src, f"locked{src.suffix}"), 0o000)
    return suggest(c, path, None) if which == "movie" else suggest(c, None, path)


def _ro_cache(c: Ctx, warm: bool) -> List[str]:
    if warm:
        c.warm()
    else:
        c.cache.mkdir()
    for p in [c.cache, *c.cache.rglob("*")]:
        if p.is_dir():
            _chmod(c, p, 0o555)
    _as_user(c)
    return suggest(c)


def _unreadable_entry(c: Ctx) -> List[str]:
    _as_user(c.warm())
    _chmod(c, next((c.cache / "movie").glob("*.npz")), 0o000)
    return suggest(c)


PERMISSIONS = [
    Case("perm-read-only-output-folder", _ro_folder, says="writ|permission", needs="setpriv"),
    Case("perm-unreadable-movie", lambda c: _unreadable(c, "movie"), says="read|permission",
         needs="setpriv"),
    Case("perm-unreadable-music", lambda c: _unreadable(c, "music"), says="read|permission",
         needs="setpriv"),
    Case("perm-read-only-fresh-cache", lambda c: _ro_cache(c, warm=False), says="cache",
         needs="setpriv"),
    # the cli room's preflight refuses a read-only cache (item 5); reading it would also do
    Case("perm-read-only-warm-cache-still-works", lambda c: _ro_cache(c, warm=True), rc=(0, 2),
         needs="setpriv"),
    Case("perm-unreadable-cache-entry-is-recomputed", _unreadable_entry, rc=(0,), needs="setpriv"),
]


# ---- cache (issue 10 item 3: a damaged entry is discarded and recomputed) ---------------------
def _damage(stage: str, how: str):
    def setup(c: Ctx) -> List[str]:
        c.warm()
        npz = next((c.cache / stage).glob("*.npz"))
        meta = npz.with_suffix(".json")
        data = bytearray(npz.read_bytes())
        if how == "empty":
            npz.write_bytes(b"")
        elif how == "truncated":
            npz.write_bytes(bytes(data[: len(data) // 2]))
        elif how == "bitflip":
            data[len(data) // 2] ^= 0x04
            npz.write_bytes(bytes(data))
        elif how == "json-garbage":
            meta.write_text("{\"format\": 2, ")
        elif how == "json-bad-values":
            wrapped = json.loads(meta.read_text())
            wrapped["meta"] = {k: "abc" for k in wrapped["meta"]}
            meta.write_text(json.dumps(wrapped))
        elif how == "no-json":
            meta.unlink()
        elif how in ("missing-array", "nan"):
            import numpy as np

            from trailersmith.core.cache import StageCache
            with np.load(npz) as z:
                arrays = {k: z[k] for k in z.files}
            name = sorted(arrays)[0]
            if how == "missing-array":
                del arrays[name]
            else:
                arrays = {k: (np.full(v.shape, np.nan) if v.dtype.kind == "f" else v)
                          for k, v in arrays.items()}
            # as a buggy writer would: a valid checksum over bad content
            StageCache(str(c.cache)).save(stage, npz.stem, arrays,
                                          json.loads(meta.read_text())["meta"])
        c.notes_key = npz.stem
        return suggest(c)
    return setup


def _entry_is_back(stage: str):
    def after(c: Ctx, result) -> None:
        assert (c.cache / stage / f"{c.notes_key}.json").is_file(), "entry was not recomputed"
    return after


CACHE = [Case(f"cache-{stage}-{how}", _damage(stage, how), rc=(0,), after=_entry_is_back(stage))
         for stage, how in [("movie", "empty"), ("movie", "truncated"), ("movie", "bitflip"),
                            ("movie", "json-garbage"), ("movie", "json-bad-values"),
                            ("movie", "missing-array"), ("movie", "no-json"),
                            ("music", "bitflip"), ("music", "nan"), ("music", "truncated")]]


def _edited_in_place(c: Ctx) -> List[str]:
    """Issue 10 item 13: a same-size edit after the analysis must not be served from the cache."""
    c.warm()
    movie = _copy(c, c.media.movie, "edited.mp4")
    first = c.run(suggest(c, movie, None, "first.otio"))
    assert first.returncode == 0, first.stderr
    c.outputs.clear()
    (c.ws / "first.otio").unlink()
    data = bytearray(movie.read_bytes())
    st = movie.stat()
    mid = len(data) // 2
    data[mid - len(data) // 4: mid + len(data) // 4] = bytes(len(data) // 2)
    movie.write_bytes(bytes(data))
    os.utime(movie, ns=(st.st_atime_ns, st.st_mtime_ns))
    c.sources.remove(movie)
    fresh = subprocess.run(cli_command(suggest(c, movie, None, "fresh.otio")), cwd=c.ws,
                           env=cli_env(c.ws / "fresh-cache"), capture_output=True, text=True)
    c.notes_fresh = fresh
    for p in (c.ws / "fresh.otio", *c.outputs):
        p.unlink(missing_ok=True)
    shutil.rmtree(c.ws / "fresh-cache", ignore_errors=True)
    c.outputs.clear()
    return suggest(c, movie, None, "t.otio")


def _same_as_a_fresh_cache(c: Ctx, result) -> None:
    assert result.returncode == c.notes_fresh.returncode, (result.stderr, c.notes_fresh.stderr)
    assert result.stdout.replace("t.otio", "") == c.notes_fresh.stdout.replace("fresh.otio", "")


CACHE.append(Case("cache-same-size-edit-is-not-served-stale", _edited_in_place, rc=(0, 2),
                  after=_same_as_a_fresh_cache))


# ---- signals ---------------------------------------------------------------------------------
def _interrupt(sig: int, rerun: bool = False):
    """Send ``sig`` once the movie analysis has started (its fingerprint is remembered)."""
    def run(c: Ctx, argv: List[str]):
        proc = subprocess.Popen(cli_command(argv), cwd=c.ws, env=cli_env(c.cache, c.env),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        memo = c.cache / "fingerprints"
        while time.monotonic() < deadline and proc.poll() is None:
            if memo.is_dir() and any(memo.glob("*.json")):
                break
            time.sleep(0.05)
        time.sleep(0.5)  # well inside the decode of the long movie
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        if rerun:  # a killed run leaves nothing that breaks the next one
            again = c.run(argv)
            assert again.returncode == 0, again.stderr
            for p in c.outputs:
                p.unlink(missing_ok=True)
            result = subprocess.CompletedProcess(proc.args, 2, "", "trailersmith: killed\n")
        return result
    return run


def _long(c: Ctx) -> List[str]:
    return suggest(c, c.media.long_movie, c.media.short_music)


def _train_interrupt(c: Ctx, argv):
    """Ctrl-C once the first epoch is saved (whatever the machine's speed)."""
    proc = subprocess.Popen(cli_command(argv), cwd=c.ws, env=cli_env(c.cache, c.env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    resume = c.ws / "m.pt.resume"
    deadline = time.monotonic() + 240
    while not resume.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _training_kept_resumable(c: Ctx, result) -> None:
    """The epochs run before the interrupt are kept: a usable checkpoint and its resume state."""
    from trailersmith.core.learn.checkpoint import load_model, safe_torch_load

    assert "--resume" in result.stderr, result.stderr
    load_model(str(c.ws / "m.pt"), "ipot")
    state = safe_torch_load(str(c.ws / "m.pt.resume"), "resume state", "rerun training")
    assert state["generator"] == "ipot" and state["epoch"] >= 1, sorted(state)


SIGNALS = [
    Case("signal-sigint-mid-analysis", _long, rc=(130, -signal.SIGINT),
         says="interrupt", run=_interrupt(signal.SIGINT)),
    Case("signal-sigterm-mid-analysis", _long, rc=(130, 143), says="interrupt|terminat",
         run=_interrupt(signal.SIGTERM)),
    Case("signal-sigkill-mid-analysis-then-rerun", _long, rc=(2,),
         run=_interrupt(signal.SIGKILL, True)),
    Case("signal-sigint-while-training",
         lambda c: _train_argv(c, "--epochs", "400", "--patience", "400"),
         rc=(130,), says="interrupt", run=_train_interrupt,
         leaves=("m.pt", "m.pt.resume"), after=_training_kept_resumable),
]


# ---- concurrency -----------------------------------------------------------------------------
def _together(c: Ctx, argv_a: List[str], argv_b: List[str]):
    procs = [subprocess.Popen(cli_command(a), cwd=c.ws, env=cli_env(c.cache, c.env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for a in (argv_a, argv_b)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    for out, err, rc in results:
        assert rc == 0, err
    return subprocess.CompletedProcess(argv_a, 0, results[0][0], results[0][1])


def _two_outputs(c: Ctx) -> List[str]:
    b = suggest(c, None, None, "b.otio")
    c.notes_b = b
    return suggest(c, None, None, "a.otio")


CONCURRENCY = [
    Case("concurrent-two-runs-one-fresh-cache", _two_outputs, rc=(0,),
         run=lambda c, argv: _together(c, argv, c.notes_b)),
    Case("concurrent-two-runs-same-output",
         lambda c: suggest(c.warm(), None, None, "t.otio", "--force"), rc=(0,),
         run=lambda c, argv: _together(c, argv, argv)),
]
