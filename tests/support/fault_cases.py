"""The fault corpus: bad inputs and faults a hostile user hits, one :class:`Case` each.

Every case builds its own fault in a fresh workspace (no binary fixtures: media come from
:mod:`trailersmith.core.synthetic`, damage is made by the case) and returns the CLI arguments.
Categories: media, options, paths, disk, permissions, cache, signals, concurrency, dataset,
checkpoints. :mod:`.fault_contract` runs them and checks the contract.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import List

from .fault_contract import FAST, Case, Ctx, check_cache, cli_command, cli_env, sha

CLI, ADAPTERS = "cli room", "adapters room"


def _x(item: int, room: str) -> str:
    return f"issue 10 item {item}, {room}"


def suggest(ctx: Ctx, movie=None, music=None, out="t.otio", *extra) -> List[str]:
    """``suggest MOVIE MUSIC -o OUT`` on the shared media unless told otherwise."""
    outs = [out] if isinstance(out, str) else list(out)
    argv = ["suggest", str(movie or ctx.media.movie), str(music or ctx.media.music)]
    for name in outs:
        argv += ["-o", str(ctx.out(name))]
    return argv + list(FAST) + [str(e) for e in extra]


def _file(ctx: Ctx, name: str, data: bytes) -> Path:
    path = ctx.ws / name
    path.write_bytes(data)
    ctx.sources.append(path)
    return path


def _copy(ctx: Ctx, src: Path, name: str) -> Path:
    path = ctx.ws / name
    shutil.copyfile(src, path)
    ctx.sources.append(path)
    return path


def _damaged_movie(ctx: Ctx, how: str) -> Path:
    data = bytearray(ctx.media.movie.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 3]
    elif how == "zeroed":
        mid = len(data) // 2
        data[mid - len(data) // 4: mid + len(data) // 4] = bytes(len(data) // 2)
    return _file(ctx, f"{how}.mp4", bytes(data))


def _silence(ctx: Ctx) -> Path:
    import numpy as np
    import soundfile as sf
    path = ctx.ws / "silence.wav"
    sf.write(str(path), np.zeros(22050 * 4, np.float32), 22050)
    ctx.sources.append(path)
    return path


# ---- media -----------------------------------------------------------------------------------
MEDIA = [
    Case("media-movie-missing", lambda c: suggest(c, movie=c.ws / "nope.mp4"), says="not found|no such|missing"),
    Case("media-movie-empty", lambda c: suggest(c, movie=_file(c, "e.mp4", b""))),
    Case("media-movie-truncated", lambda c: suggest(c, movie=_damaged_movie(c, "truncated"))),
    Case("media-movie-random-bytes", lambda c: suggest(c, movie=_file(c, "r.mp4", os.urandom(50000)))),
    Case("media-movie-text", lambda c: suggest(c, movie=_file(c, "notes.mp4", b"hello\n" * 100))),
    Case("media-movie-is-folder", lambda c: suggest(c, movie=c.ws)),
    Case("media-movie-is-audio", lambda c: suggest(c, movie=c.media.music)),
    Case("media-movie-zeroed-middle", lambda c: suggest(c, movie=_damaged_movie(c, "zeroed")),
         rc=(0, 2)),
    Case("media-music-missing", lambda c: suggest(c, music=c.ws / "nope.wav")),
    Case("media-music-empty", lambda c: suggest(c, music=_file(c, "e.wav", b""))),
    Case("media-music-random-bytes", lambda c: suggest(c, music=_file(c, "r.wav", os.urandom(30000)))),
    Case("media-music-is-silent-video", lambda c: suggest(c, music=c.media.movie)),
    Case("media-music-silence", lambda c: suggest(c, music=_silence(c)), rc=(0, 2)),
    Case("media-music-longer-than-movie",
         lambda c: suggest(c, movie=c.media.rates["12"], music=c.media.music), says="longer|material"),
    Case("media-shots-on-missing-movie", lambda c: ["shots", str(c.ws / "nope.mp4")]),
    Case("media-music-cmd-on-empty-file", lambda c: ["music", str(_file(c, "e.ogg", b""))]),
    Case("media-rate-12fps-otio", lambda c: suggest(c, c.media.rates["12"], c.media.short_music),
         rc=(0,), xfail=_x(2, ADAPTERS)),
    Case("media-rate-120fps-otio", lambda c: suggest(c, c.media.rates["120"], c.media.short_music),
         rc=(0,), xfail=_x(2, ADAPTERS)),
    Case("media-rate-15fps-edl",
         lambda c: suggest(c, c.media.rates["15"], c.media.short_music, "t.edl"), rc=(0, 2),
         xfail=_x(2, ADAPTERS)),
    Case("media-rate-12fps-fcp7",
         lambda c: suggest(c, c.media.rates["12"], c.media.short_music, "t.xml"), rc=(0, 2),
         xfail=_x(2, ADAPTERS)),
]

# ---- options ---------------------------------------------------------------------------------
def _opt(*extra):
    return lambda c: suggest(c, None, None, "t.otio", *extra)


OPTIONS = [
    Case("option-seed-negative", _opt("--seed", "-1"), says="seed", xfail=_x(9, CLI)),
    Case("option-pace-zero", _opt("--pace", "0"), says="pace"),
    Case("option-pace-negative", _opt("--pace", "-2"), says="pace"),
    Case("option-pace-nan", _opt("--pace", "nan"), says="pace"),
    Case("option-pace-text", _opt("--pace", "fast"), says="pace"),
    Case("option-spoiler-guard-zero", _opt("--spoiler-guard", "0"), says="spoiler"),
    Case("option-spoiler-guard-above-one", _opt("--spoiler-guard", "1.5"), says="spoiler"),
    Case("option-generator-unknown", _opt("--generator", "nope"), says="generator|nope"),
    Case("option-backend-unknown", _opt("--backend", "nope"), says="backend|nope"),
    Case("option-detector-unknown", _opt("--detector", "nope"), says="detector|nope"),
    Case("option-ipot-without-checkpoint", _opt("--generator", "ipot"), says="checkpoint"),
    Case("option-imagebind-without-weights", _opt("--backend", "imagebind"), says="weights|imagebind"),
    Case("option-unknown-flag", _opt("--frobnicate"), says="frobnicate"),
    Case("option-output-suffix-unknown", lambda c: suggest(c, None, None, "t.mov"), says="mov|format|suffix"),
    Case("option-no-output", lambda c: ["suggest", str(c.media.movie), str(c.media.music)]),
]


# ---- paths -----------------------------------------------------------------------------------
def _existing_output(c: Ctx):
    path = _file(c, "t.otio", b"my own timeline\n")
    c.outputs.remove(path) if path in c.outputs else None
    return ["suggest", str(c.media.movie), str(c.media.music), "-o", str(path), *FAST]


def _output_is_the_movie(c: Ctx):
    movie = _copy(c, c.media.movie, "film.otio")
    return ["suggest", str(movie), str(c.media.music), "-o", str(movie), "--force", *FAST]


def _same_output_via_symlink(c: Ctx):
    (c.ws / "real").mkdir()
    (c.ws / "link").symlink_to(c.ws / "real")
    return ["suggest", str(c.media.movie), str(c.media.music), "-o", str(c.ws / "real/t.otio"),
            "-o", str(c.ws / "link/t.otio"), *FAST]


def _newline_movie(c: Ctx, suffix: str):
    movie = _copy(c, c.media.movie, "two\nlines.mp4")
    return suggest(c, movie, None, f"t{suffix}")


def _edl_has_no_injected_event(c: Ctx, result):
    text = (c.ws / "t.edl").read_text(errors="replace")
    assert not any(line.startswith("lines.mp4") for line in text.splitlines()), text


PATHS = [
    Case("path-output-exists", _existing_output, says="exists|force"),
    Case("path-output-is-the-movie", _output_is_the_movie, says="input|movie|source",
         xfail=_x(11, ADAPTERS)),
    Case("path-two-outputs-same-file-via-symlink", _same_output_via_symlink, says="same",
         xfail=_x(4, ADAPTERS)),
    Case("path-two-outputs-identical", lambda c: suggest(c, None, None, ["t.otio", "t.otio"]),
         says="same|twice|once"),
    Case("path-output-parent-is-a-file",
         lambda c: (_file(c, "afile", b"x"), suggest(c, None, None, "afile/t.otio"))[1]),
    Case("path-output-is-a-folder",
         lambda c: ((c.ws / "d.otio").mkdir(), suggest(c, None, None, "d.otio"))[1],
         xfail=_x(5, CLI)),
    Case("path-output-name-250-bytes", lambda c: suggest(c, None, None, "n" * 245 + ".otio"),
         says="long|name", xfail=_x(5, CLI)),
    Case("path-missing-movie-with-newline", lambda c: suggest(c, movie=c.ws / "a\nb.mp4"),
         xfail=_x(6, ADAPTERS)),
    Case("path-movie-name-with-newline-edl", lambda c: _newline_movie(c, ".edl"), rc=(0,),
         after=_edl_has_no_injected_event, xfail=_x(6, ADAPTERS)),
    Case("path-movie-name-with-control-char-fcp7",
         lambda c: suggest(c, _copy(c, c.media.movie, "bell\x07.mp4"), None, "t.xml"), rc=(0,),
         xfail=_x(6, ADAPTERS)),
    Case("path-demo-output-is-a-file",
         lambda c: ["demo", "-o", str(_file(c, "demo.txt", b"mine\n"))], xfail=_x(5, CLI)),
    Case("path-cache-dir-is-a-file",
         lambda c: suggest(c) + ["--cache-dir", str(_file(c, "cachefile", b"x"))],
         says="cache", xfail=_x(5, CLI)),
    Case("path-cache-env-is-a-file",
         lambda c: (c.env.update(TRAILERSMITH_CACHE=str(_file(c, "cachefile", b"x"))),
                    suggest(c))[1], says="cache", xfail=_x(5, CLI)),
]


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


def _limited(c: Ctx, suffix: str):
    c.warm().preexec = _fsize_limit(4096)
    return suggest(c, None, None, f"t{suffix}")


DISK = [
    Case("disk-full-otio", lambda c: (c.warm(), suggest(c, None, None, f"{_full_disk(c).name}/t.otio"))[1],
         says="space|full", needs="mount", xfail=_x(1, ADAPTERS)),
    Case("disk-full-kdenlive",
         lambda c: (c.warm(), suggest(c, None, None, f"{_full_disk(c).name}/t.kdenlive"))[1],
         says="space|full", needs="mount", xfail=_x(1, ADAPTERS)),
    Case("disk-full-cache", lambda c: (setattr(c, "cache", _full_disk(c, 0) / "cache"), suggest(c))[1],
         rc=(0, 2), says="space|full|cache", needs="mount", xfail=_x(5, CLI)),
    Case("disk-file-size-limit-otio", lambda c: _limited(c, ".otio"), says="space|full|large|write",
         xfail=_x(1, ADAPTERS)),
    Case("disk-file-size-limit-edl", lambda c: _limited(c, ".edl"), says="space|full|large|write",
         xfail=_x(1, ADAPTERS)),
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
    Case("perm-read-only-output-folder", _ro_folder, says="writ|permission", needs="setpriv",
         xfail=_x(5, CLI)),
    Case("perm-unreadable-movie", lambda c: _unreadable(c, "movie"), says="read|permission",
         needs="setpriv"),
    Case("perm-unreadable-music", lambda c: _unreadable(c, "music"), says="read|permission",
         needs="setpriv", xfail=_x(5, CLI)),
    Case("perm-read-only-fresh-cache", lambda c: _ro_cache(c, warm=False), says="cache",
         needs="setpriv", xfail=_x(5, CLI)),
    Case("perm-read-only-warm-cache-still-works", lambda c: _ro_cache(c, warm=True), rc=(0,),
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


def _train_argv(c: Ctx, *extra, out="m.pt") -> List[str]:
    return ["train", "--generator", "ipot", str(c.media.dataset), "-o", str(c.out(out)),
            "--epochs", "1", *[str(e) for e in extra]]


def _train_interrupt(c: Ctx, argv):
    proc = subprocess.Popen(cli_command(argv), cwd=c.ws, env=cli_env(c.cache, c.env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    # a finished run is as good as an interrupted one here; the contract is checked either way
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


SIGNALS = [
    Case("signal-sigint-mid-analysis", _long, rc=(130,), says="interrupt", run=_interrupt(signal.SIGINT)),
    Case("signal-sigterm-mid-analysis", _long, rc=(130, 143), says="interrupt|terminat",
         run=_interrupt(signal.SIGTERM), xfail="issue 10 'Also' (signals), cli room"),
    Case("signal-sigkill-mid-analysis-then-rerun", _long, rc=(2,), run=_interrupt(signal.SIGKILL, True)),
    Case("signal-sigint-while-training",
         lambda c: _train_argv(c, "--epochs", "400", "--patience", "400"), rc=(130,),
         says="interrupt", run=_train_interrupt),
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


# ---- dataset ---------------------------------------------------------------------------------
def _csv(c: Ctx, text: bytes) -> Path:
    return _file(c, "pairs.csv", text)


def _build(c: Ctx, csv: Path, out: str = "ds") -> List[str]:
    c.outputs.append(c.ws / out)
    return ["dataset", "build", str(csv), str(c.ws / out), *FAST]


def _dataset_json(c: Ctx, text: bytes) -> List[str]:
    (c.ws / "ds").mkdir()
    _file(c, "ds/dataset.json", text)
    return ["train", "--generator", "ipot", str(c.ws / "ds"), "-o", str(c.out("m.pt")),
            "--epochs", "1"]


DATASET = [
    Case("dataset-csv-names-missing-files",
         lambda c: _build(c, _csv(c, b"movie,trailer\nnope.mp4,nope2.mp4\n")), says="nope|missing|not found",
         xfail=_x(12, CLI)),
    Case("dataset-csv-invalid-utf8",
         lambda c: _build(c, _csv(c, b"movie,trailer\n\xff\xfe\xfa.mp4,b.mp4\n")), says="utf|encod",
         xfail=_x(12, CLI)),
    Case("dataset-out-dir-is-a-file",
         lambda c: _build(c, _csv(c, b"movie,trailer\n%s,%s\n" % (str(c.media.movie).encode(),
                                                                  str(c.media.movie).encode())),
                          out="outfile") if _file(c, "outfile", b"x") else [],
         xfail=_x(12, CLI)),
    Case("dataset-csv-empty", lambda c: _build(c, _csv(c, b"")), xfail=_x(12, CLI)),
    Case("dataset-csv-without-columns", lambda c: _build(c, _csv(c, b"a,b\n1,2\n")), says="movie|column",
         xfail=_x(12, CLI)),
    Case("dataset-planted-one-movie",
         lambda c: ["dataset", "planted", "--movies", "1", str(c.ws / "p")], says="movies"),
    Case("dataset-train-on-missing-folder",
         lambda c: ["train", "--generator", "ipot", str(c.ws / "nods"), "-o", str(c.out("m.pt"))]),
    Case("dataset-train-on-empty-index", lambda c: _dataset_json(c, b"")),
    Case("dataset-train-on-garbage-index", lambda c: _dataset_json(c, b"{\"pairs\": 7}")),
    Case("dataset-eval-on-missing-folder",
         lambda c: ["eval", "--generator", "ot", str(c.ws / "nods")]),
]


# ---- checkpoints -----------------------------------------------------------------------------
def _bad_checkpoint(c: Ctx, **changes) -> Path:
    import torch
    blob = torch.load(c.media.checkpoint, weights_only=True)
    if changes.pop("empty_config", False):
        blob["config"] = {}
    blob["config"].update(changes)
    path = c.ws / "bad.pt"
    torch.save(blob, path)
    c.sources.append(path)
    return path


def _foreign(c: Ctx, kind: str, name: str = "foreign.pt") -> Path:
    if kind == "pickle":
        return _file(c, name, pickle.dumps({"weights": [1, 2, 3], "f": os.getcwd}))
    return _file(c, name, b"not a checkpoint\n")


def _with_ckpt(c: Ctx, path: Path, generator: str = "ipot") -> List[str]:
    return suggest(c.warm(), None, None, "t.otio", "--generator", generator, "--checkpoint", path)


def _eval_ckpt(c: Ctx, path: Path) -> List[str]:
    return ["eval", "--generator", "ipot", "--checkpoint", str(path), str(c.media.dataset)]


CHECKPOINTS = [
    Case("ckpt-model-option-not-a-number", lambda c: _train_argv(c, "--model-option", "hidden=abc"),
         says="hidden"),
    Case("ckpt-model-option-huge", lambda c: _train_argv(c, "--model-option", "hidden=60000"),
         says="hidden"),
    Case("ckpt-model-option-zero-heads", lambda c: _train_argv(c, "--model-option", "heads=0"),
         says="heads"),
    Case("ckpt-model-option-unknown", lambda c: _train_argv(c, "--model-option", "colour=1"),
         says="colour"),
    Case("ckpt-train-resume-onto-foreign-file",
         lambda c: (_foreign(c, "text", "m.pt"), _train_argv(c, "--resume"))[1], says="resume"),
    Case("ckpt-train-foreign-resume-file",
         lambda c: (_foreign(c, "pickle", "m.pt.resume"), _train_argv(c, "--resume"))[1],
         says="resume"),
    Case("ckpt-train-output-exists", lambda c: (_foreign(c, "text", "m.pt"), _train_argv(c))[1],
         says="exists|force"),
    Case("ckpt-train-zero-epochs", lambda c: _train_argv(c, "--epochs", "0"), says="epoch"),
    Case("ckpt-train-val-fraction-two", lambda c: _train_argv(c, "--val-fraction", "2"),
         says="val"),
    Case("ckpt-suggest-missing-checkpoint", lambda c: _with_ckpt(c, c.ws / "none.pt"),
         says="checkpoint"),
    Case("ckpt-suggest-text-checkpoint", lambda c: _with_ckpt(c, _foreign(c, "text")),
         says="checkpoint"),
    Case("ckpt-suggest-pickle-checkpoint", lambda c: _with_ckpt(c, _foreign(c, "pickle")),
         says="checkpoint"),
    Case("ckpt-suggest-empty-config", lambda c: _with_ckpt(c, _bad_checkpoint(c, empty_config=True)),
         says="damaged|config"),
    Case("ckpt-suggest-huge-hidden", lambda c: _with_ckpt(c, _bad_checkpoint(c, hidden=60000)),
         says="hidden"),
    Case("ckpt-suggest-zero-heads", lambda c: _with_ckpt(c, _bad_checkpoint(c, heads=0)),
         says="heads"),
    Case("ckpt-suggest-wrong-generator", lambda c: _with_ckpt(c, c.media.checkpoint, "ssmp"),
         says="ipot"),
    Case("ckpt-eval-pickle-checkpoint", lambda c: _eval_ckpt(c, _foreign(c, "pickle")),
         says="checkpoint"),
    Case("ckpt-eval-nan-dropout", lambda c: _eval_ckpt(c, _bad_checkpoint(c, dropout=float("nan"))),
         says="dropout"),
]

ALL = MEDIA + OPTIONS + PATHS + DISK + PERMISSIONS + CACHE + SIGNALS + CONCURRENCY + DATASET \
    + CHECKPOINTS
