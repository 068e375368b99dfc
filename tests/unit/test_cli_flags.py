"""CLI conventions: global flags after the sub-command, -q/-v, suggest --json, the log file,
python -m and the demo calling the suggest job directly."""
import json
import logging
import subprocess
import sys

import pytest

from trailersmith.cli import build_parser, main
from trailersmith.core import synthetic


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_flags_media")
    movie = d / "movie.mp4"
    synthetic.make_movie(str(movie), shot_lengths=[48] * 12, size=(160, 90), seed=1)
    music = d / "music.wav"
    synthetic.make_music(str(music), duration_s=8.0)
    return str(movie), str(music)


@pytest.mark.parametrize("argv", [
    ["--debug", "suggest", "m", "a", "-o", "t.otio"],
    ["suggest", "m", "a", "-o", "t.otio", "--debug"],
    ["suggest", "-v", "m", "a", "-o", "t.otio"],
    ["-q", "music", "a"],
    ["music", "a", "-vv"],
    ["dataset", "build", "p.csv", "out", "--debug", "-q"],
])
def test_global_flags_are_accepted_before_and_after_the_sub_command(argv):
    args = build_parser().parse_args(argv)
    assert args.debug == ("--debug" in argv)
    assert args.quiet == ("-q" in argv)
    assert args.verbose == (2 if "-vv" in argv else 1 if "-v" in argv else 0)


def test_debug_after_the_sub_command_shows_the_traceback(monkeypatch, media):
    from trailersmith.cli import commands

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(commands, "suggest_job", boom)
    movie, music = media
    assert main(["suggest", movie, music, "-o", "t.otio"]) == 1
    with pytest.raises(RuntimeError, match="boom"):
        main(["suggest", movie, music, "-o", "t.otio", "--debug"])


def test_suggest_json_prints_what_was_written_the_clips_and_figures(media, tmp_path, capsys):
    movie, music = media
    out = tmp_path / "t.otio"
    edl = tmp_path / "t.edl"
    assert main(["suggest", movie, music, "-o", str(out), "-o", str(edl), "--json", "-q"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["written"] == [str(out), str(edl)] and out.is_file() and edl.is_file()
    clips = data["clips"]
    assert len(clips) == data["figures"]["clips"] > 0
    assert clips[0]["record_start"] == 0 and clips[-1]["record_end"] == data["duration_frames"]
    for a, b in zip(clips, clips[1:]):
        assert a["record_end"] == b["record_start"]
        assert a["source_end"] - a["source_start"] == a["record_end"] - a["record_start"]
    assert data["fps"] == "24/1" and data["figures"]["music_s"] == pytest.approx(8.0, abs=0.1)
    assert captured.err == ""  # -q: nothing but errors


def test_warnings_go_to_the_log_file_not_to_stderr(tmp_path, monkeypatch, capsys):
    from trailersmith.cli import commands

    log = tmp_path / "state" / "trailersmith.log"
    monkeypatch.setenv("TRAILERSMITH_LOG", str(log))

    def warn_then_fail(args):
        logging.getLogger("trailersmith.core.cache").warning("a damaged cache entry")
        from trailersmith.core.errors import MediaError
        raise MediaError("Music file x.wav cannot be read; check it plays.")

    monkeypatch.setattr(commands, "run_music", warn_then_fail)  # main() registers it anew
    assert main(["music", "x.wav"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["trailersmith: error: Music file x.wav cannot be read; check it plays."]
    assert "a damaged cache entry" in log.read_text()


def test_python_dash_m_runs_the_cli(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "trailersmith", "suggest", "m.mp4", "a.wav",
                           "-o", "t.otio", "--seed", "-1"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "--seed" in proc.stderr


def test_demo_calls_the_suggest_job_without_an_argv(monkeypatch, tmp_path):
    from trailersmith.cli import commands

    seen = {}

    def fake_job(movie, music, outputs, options, *, force, args=None):
        seen.update(movie=movie, outputs=outputs, force=force, options=options)
        return {"written": outputs}

    monkeypatch.setattr(commands, "suggest_job", fake_job)
    monkeypatch.setattr("trailersmith.core.synthetic.make_movie", lambda p, **k: open(p, "w"))
    monkeypatch.setattr("trailersmith.core.synthetic.make_music", lambda p, **k: open(p, "w"))
    assert main(["demo", "-o", str(tmp_path / "demo")]) == 0
    assert seen["force"] and [o.rsplit(".", 1)[1] for o in seen["outputs"]] == [
        "otio", "edl", "xml", "kdenlive"]
    from trailersmith.core.options import SuggestOptions
    assert seen["options"] == SuggestOptions()


def test_the_panels_unexpected_error_points_to_a_log_file_that_exists(tmp_path, monkeypatch):
    from trailersmith.plugin.worker import error_sentence

    log = tmp_path / "state" / "log" / "trailersmith.log"
    monkeypatch.setenv("TRAILERSMITH_LOG", str(log))
    text = error_sentence(RuntimeError("disk on fire"))
    assert str(log) in text and log.is_file()


def test_user_folders_follow_the_platform_and_the_overrides(tmp_path, monkeypatch):
    from trailersmith.core import userdirs
    from trailersmith.core.cache import default_cache_dir

    monkeypatch.delenv("TRAILERSMITH_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    assert default_cache_dir() == tmp_path / "xdg-cache" / "trailersmith"
    assert userdirs.config_dir() == tmp_path / "xdg-config" / "trailersmith"
    monkeypatch.setenv("TRAILERSMITH_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
