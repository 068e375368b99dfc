"""Issue 10 items 5, 9, 10, 12: unwritable places, bad files and bad options are found before
any analysis: exit 2, exactly one line on stderr, nothing written (no output, no cache entry,
no dataset.json)."""
import contextlib
import os
import subprocess
from pathlib import Path

import pytest

from trailersmith.cli import main
from trailersmith.core import synthetic

ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("preflight_media")
    movie = d / "movie.mp4"
    synthetic.make_movie(str(movie), shot_lengths=[48] * 12, size=(160, 90), seed=1)
    music = d / "music.wav"
    synthetic.make_music(str(music), duration_s=8.0)
    return str(movie), str(music)


@pytest.fixture
def no_analysis(monkeypatch):
    """Any analysis at all fails the test: every check must come before it."""
    def refuse(*a, **k):
        raise AssertionError("analysis started before the checks")

    for name in ("analyze_movie", "analyze_music_track", "suggest"):
        monkeypatch.setattr(f"trailersmith.core.pipeline.{name}", refuse)
    monkeypatch.setattr("trailersmith.core.learn.builder.build_dataset", refuse)
    monkeypatch.setattr("trailersmith.core.learn.train.train", refuse)


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder no file can be created in: chmod for a user; for root, sysfs (root ignores modes)."""
    if ROOT:
        return Path("/sys")
    d = tmp_path / "read_only"
    d.mkdir()
    d.chmod(0o555)
    return d


def unreadable_file(tmp_path: Path, name: str) -> Path:
    """A non-empty file open() refuses: chmod 000 for a user; for root, a write-only sysfs file."""
    link = tmp_path / name
    if not ROOT:
        link.write_bytes(b"RIFF" + b"\0" * 100)
        link.chmod(0)
        return link
    for candidate in Path("/sys/devices").glob("pci*/*/rescan"):
        try:
            open(candidate, "rb").read(1)
        except PermissionError:
            link.symlink_to(candidate)
            return link
        except OSError:
            continue
    pytest.skip("no unreadable file can be made here")


@contextlib.contextmanager
def full_folder(tmp_path: Path):
    """A folder on a full file system: a small tmpfs filled to the last byte (root only)."""
    if not ROOT:
        pytest.skip("filling a file system needs root (tmpfs mount)")
    d = tmp_path / "full"
    d.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(d)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with open(d / "filler", "wb", buffering=0) as f, contextlib.suppress(OSError):
            while True:
                f.write(b"\0" * 4096)
        yield d
    finally:
        subprocess.run(["umount", str(d)], check=True)


def one_line_exit_2(capsys, argv, *, match):
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert match.lower() in err.lower(), err
    return err


def test_read_only_output_folder(media, tmp_path, capsys, no_analysis):
    folder = unwritable_folder(tmp_path)
    one_line_exit_2(capsys, ["suggest", *media, "-o", str(folder / "t.otio")],
                    match="not writable")


def test_output_name_too_long_for_the_folder(media, tmp_path, capsys, no_analysis):
    out = tmp_path / ("x" * 251 + ".otio")  # 256 bytes: one more than ext4 and tmpfs allow
    one_line_exit_2(capsys, ["suggest", *media, "-o", str(out)], match="too long")
    assert not list(tmp_path.glob(".*"))


def test_output_name_of_250_bytes_is_written(media, tmp_path, capsys):
    """Its temporary name is shortened by the writer; the preflight must not refuse it."""
    out = tmp_path / ("x" * 245 + ".otio")
    assert main(["suggest", *media, "-o", str(out), "-q"]) == 0, capsys.readouterr().err
    assert out.is_file() and not list(tmp_path.glob(".*"))


@pytest.mark.parametrize("how", ["flag", "env"])
def test_cache_dir_that_is_a_file(media, tmp_path, capsys, monkeypatch, no_analysis, how):
    cache = tmp_path / "cache"
    cache.write_text("not a folder")
    argv = ["suggest", *media, "-o", str(tmp_path / "t.otio")]
    if how == "flag":
        argv += ["--cache-dir", str(cache / "sub")]
    else:
        monkeypatch.setenv("TRAILERSMITH_CACHE", str(cache))
    one_line_exit_2(capsys, argv, match="is a file")
    assert cache.read_text() == "not a folder"


def test_read_only_cache_dir(media, tmp_path, capsys, no_analysis):
    folder = unwritable_folder(tmp_path)
    one_line_exit_2(capsys, ["music", media[1], "--cache-dir", str(folder)],
                    match="not writable")
    one_line_exit_2(capsys, ["shots", media[0], "--cache-dir", str(folder / "trailersmith")],
                    match="cache folder")


def test_full_cache_dir(media, tmp_path, capsys, no_analysis):
    with full_folder(tmp_path) as full:
        one_line_exit_2(capsys, ["suggest", *media, "-o", str(tmp_path / "t.otio"),
                                 "--cache-dir", str(full / "cache")], match="full")
    assert not (tmp_path / "t.otio").exists()


def test_unreadable_music_file(media, tmp_path, capsys, no_analysis):
    music = unreadable_file(tmp_path, "music.wav")
    one_line_exit_2(capsys, ["suggest", media[0], str(music), "-o", str(tmp_path / "t.otio")],
                    match="cannot be read")
    one_line_exit_2(capsys, ["music", str(music)], match="cannot be read")


def test_demo_output_that_is_a_file(tmp_path, capsys, no_analysis, monkeypatch):
    monkeypatch.setattr("trailersmith.core.synthetic.make_movie", lambda *a, **k: 1 / 0)
    target = tmp_path / "demo.txt"
    target.write_text("mine")
    one_line_exit_2(capsys, ["demo", "-o", str(target)], match="is a file")
    assert target.read_text() == "mine"


def test_missing_checkpoint(media, tmp_path, capsys, no_analysis):
    one_line_exit_2(capsys, ["suggest", *media, "-o", str(tmp_path / "t.otio"),
                             "--generator", "ssmp", "--checkpoint", str(tmp_path / "no.pt")],
                    match="--checkpoint file not found")
    one_line_exit_2(capsys, ["suggest", *media, "-o", str(tmp_path / "t.otio"),
                             "--generator", "ipot"], match="needs --checkpoint")


def test_warning_then_error_is_still_one_line(media, tmp_path, capsys, monkeypatch):
    """Item 10: a warning logged before the error goes to the log file, not to stderr."""
    import logging

    log = tmp_path / "log" / "trailersmith.log"
    monkeypatch.setenv("TRAILERSMITH_LOG", str(log))
    from trailersmith.core import preflight

    real = preflight.check_cache_dir

    def warn_first(root=None):
        logging.getLogger("trailersmith.core.cache").warning("ignoring a damaged cache entry")
        return real(str(tmp_path / "cache_is_a_file" / "x"))

    (tmp_path / "cache_is_a_file").write_text("x")
    monkeypatch.setattr(preflight, "check_cache_dir", warn_first)
    one_line_exit_2(capsys, ["suggest", *media, "-o", str(tmp_path / "t.otio")], match="cache")
    assert "ignoring a damaged cache entry" in log.read_text()


# --- dataset build / train (item 12) ---------------------------------------------------------

def _csv(tmp_path, text, encoding="utf-8"):
    p = tmp_path / "pairs.csv"
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def _nothing_left(out: Path):
    assert not out.exists() or (out.is_dir() and not any(out.iterdir())), list(out.iterdir())


def test_dataset_csv_naming_missing_files(media, tmp_path, capsys, no_analysis):
    csv = _csv(tmp_path, f"movie,trailer\n{media[0]},missing_trailer.mp4\n")
    out = tmp_path / "out"
    one_line_exit_2(capsys, ["dataset", "build", str(csv), str(out)], match="not found")
    _nothing_left(out)


def test_dataset_csv_not_utf8(media, tmp_path, capsys, no_analysis):
    csv = _csv(tmp_path, b"movie,trailer\n\xff\xfe caf\xe9.mp4,t.mp4\n")
    out = tmp_path / "out"
    one_line_exit_2(capsys, ["dataset", "build", str(csv), str(out)], match="UTF-8")
    _nothing_left(out)


def test_dataset_out_dir_that_is_a_file(media, tmp_path, capsys, no_analysis):
    csv = _csv(tmp_path, f"movie,trailer\n{media[0]},{media[0]}\n")
    out = tmp_path / "out"
    out.write_text("mine")
    one_line_exit_2(capsys, ["dataset", "build", str(csv), str(out)], match="is a file")
    assert out.read_text() == "mine"


def test_train_model_option_of_the_wrong_type(tmp_path, capsys, monkeypatch):
    data = str(tmp_path / "ds")
    assert main(["dataset", "planted", data, "--movies", "3"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("trailersmith.core.learn.train.train",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("trained")))
    ckpt = tmp_path / "c.pt"
    one_line_exit_2(capsys, ["train", data, "--generator", "ssmp", "-o", str(ckpt),
                             "--model-option", "hidden=abc"], match="hidden")
    one_line_exit_2(capsys, ["train", data, "--generator", "ipot", "-o", str(ckpt),
                             "--model-option", "dropout=yes"], match="dropout")
    assert not ckpt.exists() and not list(tmp_path.glob(".c.pt*"))
