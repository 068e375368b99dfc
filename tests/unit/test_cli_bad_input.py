"""Bad input: exit 2, one clear line on stderr, no output file, no partial cache entry."""
from pathlib import Path

import pytest

from trailersmith.cli import main
from trailersmith.core import synthetic


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad_input_media")
    movie = d / "movie.mp4"
    synthetic.make_movie(str(movie), shot_lengths=[48] * 12, size=(160, 90), seed=1)
    music = d / "music.wav"
    synthetic.make_music(str(music), duration_s=8.0)
    long_music = d / "long_music.wav"
    synthetic.make_music(str(long_music), duration_s=40.0)
    return {"movie": movie, "music": music, "long_music": long_music, "dir": d}


def _assert_clean_failure(capsys, argv, out: Path, cache: Path, match: str):
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert match.lower() in err.lower(), err
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}*")), "temporary output left behind"
    if cache.exists():
        files = [p for p in cache.rglob("*") if p.is_file()]
        assert not [p for p in files if p.suffix == ".tmp"], files
        from trailersmith.core.fingerprint import MEMO_DIR

        # remembered file hashes are single JSON files, not stage entries
        stems = {(p.parent, p.stem) for p in files if p.parent.name != MEMO_DIR}
        for parent, stem in stems:  # every entry complete: arrays and metadata both present
            assert (parent / f"{stem}.npz").exists() and (parent / f"{stem}.json").exists()


def _case(name, media, tmp_path):
    d = tmp_path
    text = d / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    empty = d / "empty.mp4"
    empty.write_bytes(b"")
    truncated = d / "truncated.mp4"
    data = media["movie"].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    out = d / "trailer.otio"
    movie, music = str(media["movie"]), str(media["music"])
    cases = {
        "missing file": ([str(d / "nope.mp4"), music], "not found"),
        "empty file": ([str(empty), music], "empty"),
        "text named mp4": ([str(text), music], "cannot be read"),
        "truncated mp4": ([str(truncated), music], "movie"),
        "audio-only movie": ([music, music], "no video stream"),
        "silent video as music": ([movie, movie], "no audio"),
        "music longer than material": ([movie, str(media["long_music"])], "longer than"),
    }
    if name == "missing output folder":
        return ["suggest", movie, music, "-o", str(d / "no_such_dir" / "t.otio")], \
            d / "no_such_dir" / "t.otio", "does not exist"
    if name == "existing output":
        out.write_text("the editor's own file")
        return ["suggest", movie, music, "-o", str(out)], None, "--force"
    args, match = cases[name]
    return ["suggest", *args, "-o", str(out)], out, match


CASES = ["missing file", "empty file", "text named mp4", "truncated mp4", "audio-only movie",
         "silent video as music", "music longer than material", "missing output folder",
         "existing output"]


@pytest.mark.parametrize("name", CASES)
def test_bad_input_fails_cleanly(name, media, tmp_path, capsys, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRAILERSMITH_CACHE", str(cache))
    argv, out, match = _case(name, media, tmp_path)
    if out is None:  # an existing file must be left exactly as it was
        target = tmp_path / "trailer.otio"
        code = main(argv)
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1 and "--force" in err
        assert target.read_text() == "the editor's own file"
        return
    _assert_clean_failure(capsys, argv, out, cache, match)


def test_unknown_option_is_usage_error(capsys):
    assert main(["suggest", "--no-such-flag"]) == 2
    assert "error" in capsys.readouterr().err


def test_bad_suffix_and_bad_spoiler_guard(media, tmp_path, capsys):
    movie, music = str(media["movie"]), str(media["music"])
    assert main(["suggest", movie, music, "-o", str(tmp_path / "t.mov")]) == 2
    assert ".otio" in capsys.readouterr().err
    assert main(["suggest", movie, music, "-o", str(tmp_path / "t.otio"),
                 "--spoiler-guard", "1.5"]) == 2
    assert "spoiler-guard" in capsys.readouterr().err
    assert not (tmp_path / "t.otio").exists()


def test_decoding_is_passed_to_ssmp_and_refused_for_other_generators(media, tmp_path, capsys):
    from trailersmith.cli import build_parser
    from trailersmith.cli.commands import options_from_args

    movie, music = str(media["movie"]), str(media["music"])
    args = build_parser().parse_args(["suggest", movie, music, "-o", "t.otio",
                                      "--generator", "ssmp", "--checkpoint", "x.pt",
                                      "--decoding", "self-corrective"])
    assert options_from_args(args).generator_options == {"checkpoint": "x.pt",
                                                         "decoding": "self-corrective"}
    out = tmp_path / "t.otio"
    assert main(["suggest", movie, music, "-o", str(out), "--decoding", "greedy"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--generator ssmp" in err
    assert not out.exists()
