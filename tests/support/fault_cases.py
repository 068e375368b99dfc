"""The fault corpus: bad inputs and faults a hostile user hits, one :class:`Case` each.

Every case builds its own fault in a fresh workspace (no binary fixtures: media come from
:mod:`trailersmith.core.synthetic`, damage is made by the case) and returns the CLI arguments.
Categories: media, options, paths, disk, permissions, cache, signals, concurrency, dataset,
checkpoints. :mod:`.fault_contract` runs them and checks the contract.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import List

from .fault_contract import FAST, Case, Ctx

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


def _train_argv(c: Ctx, *extra, out="m.pt") -> List[str]:
    return ["train", "--generator", "ipot", str(c.media.dataset), "-o", str(c.out(out)),
            "--epochs", "1", *[str(e) for e in extra]]


# ---- media -----------------------------------------------------------------------------------
MEDIA = [
    Case("media-movie-missing", lambda c: suggest(c, movie=c.ws / "nope.mp4"),
         says="not found|no such|missing"),
    Case("media-movie-empty", lambda c: suggest(c, movie=_file(c, "e.mp4", b""))),
    Case("media-movie-truncated", lambda c: suggest(c, movie=_damaged_movie(c, "truncated"))),
    Case("media-movie-random-bytes",
         lambda c: suggest(c, movie=_file(c, "r.mp4", os.urandom(50000)))),
    Case("media-movie-text",
         lambda c: suggest(c, movie=_file(c, "notes.mp4", b"hello\n" * 100))),
    Case("media-movie-is-folder", lambda c: suggest(c, movie=c.ws)),
    Case("media-movie-is-audio", lambda c: suggest(c, movie=c.media.music)),
    Case("media-movie-zeroed-middle", lambda c: suggest(c, movie=_damaged_movie(c, "zeroed")),
         rc=(0, 2)),
    Case("media-music-missing", lambda c: suggest(c, music=c.ws / "nope.wav")),
    Case("media-music-empty", lambda c: suggest(c, music=_file(c, "e.wav", b""))),
    Case("media-music-random-bytes",
         lambda c: suggest(c, music=_file(c, "r.wav", os.urandom(30000)))),
    Case("media-music-is-silent-video", lambda c: suggest(c, music=c.media.movie)),
    Case("media-music-silence", lambda c: suggest(c, music=_silence(c)), rc=(0, 2)),
    Case("media-music-longer-than-movie",
         lambda c: suggest(c, movie=c.media.rates["12"], music=c.media.music),
         says="longer|material"),
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
    Case("option-imagebind-without-weights", _opt("--backend", "imagebind"),
         says="weights|imagebind"),
    Case("option-unknown-flag", _opt("--frobnicate"), says="frobnicate"),
    Case("option-output-suffix-unknown", lambda c: suggest(c, None, None, "t.mov"),
         says="mov|format|suffix"),
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
         lambda c: ((c.ws / "d.otio").mkdir(), suggest(c, None, None, "d.otio"))[1]),
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
