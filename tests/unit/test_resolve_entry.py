"""`trailersmith install-resolve` and the entry script it installs, run against the fake Resolve:
the script takes the handle Resolve injects, opens the panel with the media pool's clips (the
selected one preselected), and Send to Resolve creates a new timeline."""
import sys
from pathlib import Path

import pytest

from tests.support.fakes.fake_pipeline import make_fake_suggest
from tests.support.fakes.fake_resolve import FakeResolve
from tests.support.timecoded_media import timecoded_movie_and_music
from trailersmith.adapters.resolve.install import ENTRY_NAME, resolve_scripts_dir
from trailersmith.cli import main

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")
pytestmark = pytest.mark.resolve  # against the fake Resolve (tests/support/fakes)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    movie, music = timecoded_movie_and_music(tmp_path_factory.mktemp("entry_media"), 12, 6)
    return str(movie), str(music)


@pytest.fixture
def no_event_loop(monkeypatch, tmp_path):
    from trailersmith.plugin import app, jobs

    monkeypatch.setattr(app, "_run_event_loop", lambda qapp: 0)
    monkeypatch.setattr(jobs, "default_suggest", lambda: make_fake_suggest())
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    yield
    for panel in app._open_panels:
        panel.close()
        panel.deleteLater()
    app._open_panels.clear()


def resolve_with_pool(movie, music, product="DaVinci Resolve Studio", version=(19, 1, 3, 7, "")):
    fake = FakeResolve(product, version)
    project = fake.GetProjectManager().CreateProject("Demo")
    pool = project.GetMediaPool()
    movie_item, music_item = pool.ImportMedia([movie, music])
    pool.SetSelectedClip(movie_item)
    pool.CreateEmptyTimeline("Edit v1")
    return fake, project


def run_entry_script(path: Path, **injected):
    scope = {"__name__": "__main__", "__file__": str(path), **injected}
    exec(compile(path.read_text(), str(path), "exec"), scope)  # as Resolve runs a menu script
    from trailersmith.plugin import app

    return app._open_panels[-1] if app._open_panels else None


def test_dry_run_prints_the_destination_for_this_os(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    assert main(["install-resolve", "--dry-run"]) == 0
    out = capsys.readouterr().out
    expected = resolve_scripts_dir() / ENTRY_NAME
    assert f"Would install the DaVinci Resolve entry script to: {expected}" in out
    assert str(expected).startswith(str(tmp_path)) and "Utility" in str(expected)
    assert not expected.exists() and "21.1" in out


@pytest.mark.parametrize("platform, parts", [
    ("linux", (".local", "share", "DaVinciResolve", "Fusion", "Scripts", "Utility")),
    ("darwin", ("Library", "Application Support", "Blackmagic Design", "DaVinci Resolve",
                "Fusion", "Scripts", "Utility")),
    ("win32", ("Roaming", "Blackmagic Design", "DaVinci Resolve", "Support", "Fusion", "Scripts",
               "Utility")),
])
def test_scripts_folder_per_os(platform, parts):
    path = resolve_scripts_dir(platform, env={"APPDATA": "/u/AppData/Roaming"}, home="/u")
    assert path.parts[-len(parts):] == parts


def test_install_and_uninstall_only_touch_our_file(tmp_path, capsys):
    dest = tmp_path / "Utility"
    assert main(["install-resolve", "--dest", str(dest)]) == 0
    script = dest / ENTRY_NAME
    text = script.read_text()
    assert "trailersmith-entry-script" in text and "TRAILERSMITH_SITE_DIRS = ['" in text
    assert f"TRAILERSMITH_PYTHON = '{sys.version_info[0]}.{sys.version_info[1]}'" in text
    assert main(["install-resolve", "--dest", str(dest)]) == 0  # re-install over our own file
    assert main(["install-resolve", "--dest", str(dest), "--uninstall"]) == 0
    assert not script.exists()
    script.write_text("print('somebody else')\n")
    capsys.readouterr()
    assert main(["install-resolve", "--dest", str(dest)]) == 2
    assert "not written by Trailersmith" in capsys.readouterr().err
    assert main(["install-resolve", "--dest", str(dest), "--uninstall"]) == 2
    assert script.read_text() == "print('somebody else')\n"


def test_entry_script_opens_the_panel_with_the_pool_and_sends_a_timeline(
        tmp_path, media, no_event_loop, qtbot):
    movie, music = media
    dest = tmp_path / "Utility"
    assert main(["install-resolve", "--dest", str(dest)]) == 0
    fake, project = resolve_with_pool(movie, music)
    panel = run_entry_script(dest / ENTRY_NAME, resolve=fake)
    assert panel is not None and panel.host is not None
    assert panel.resolve_button.isVisibleTo(panel)
    # the selected media pool clip is preselected as the movie
    assert panel.movie_input.path == movie
    assert panel.movie_input.pool_combo.currentData() == movie
    music_index = panel.music_input.pool_combo.findData(music)
    assert music_index > 0
    panel.music_input.pool_combo.setCurrentIndex(music_index)
    panel.music_input.pool_combo.activated.emit(music_index)
    assert panel.music_input.path == music
    assert "Connected to DaVinci Resolve Studio 19.1.3" in panel.message_label.text()

    with qtbot.waitSignal(panel.run_finished, timeout=20000):
        panel.suggest_button.click()
    names_before = [t.GetName() for t in project.timelines]
    assert panel.send_to_resolve()
    assert panel.send_to_resolve()
    names = [t.GetName() for t in project.timelines]
    assert names[:len(names_before)] == names_before
    assert names[len(names_before):] == ["Trailer - movie x music", "Trailer - movie x music (2)"]
    assert "Trailer - movie x music (2)" in panel.message_label.text()
    assert project.GetCurrentTimeline().GetName() == "Trailer - movie x music (2)"
    markers = project.GetCurrentTimeline().GetMarkers()
    assert sorted(markers) == [float(s[0]) for s in panel.run.result.plan.sections]


def test_entry_script_uses_bmd_when_resolve_is_not_injected(tmp_path, media, no_event_loop):
    dest = tmp_path / "Utility"
    main(["install-resolve", "--dest", str(dest)])
    fake, _ = resolve_with_pool(*media)

    class Bmd:
        @staticmethod
        def scriptapp(name):
            return fake if name == "Resolve" else None

    panel = run_entry_script(dest / ENTRY_NAME, bmd=Bmd())
    assert panel is not None and panel.movie_input.path == media[0]


def test_free_resolve_21_1_limit_is_shown_and_old_resolve_cannot_send(tmp_path, media,
                                                                      no_event_loop):
    dest = tmp_path / "Utility"
    main(["install-resolve", "--dest", str(dest)])
    fake, _ = resolve_with_pool(*media, product="DaVinci Resolve", version=(21, 1, 0, 3, ""))
    panel = run_entry_script(dest / ENTRY_NAME, resolve=fake)
    assert "no longer runs Python scripts" in panel.message_label.text()
    old, _ = resolve_with_pool(*media, version=(18, 1, 4, 9, ""))
    panel = run_entry_script(dest / ENTRY_NAME, resolve=old)
    assert "18.5" in panel.message_label.text()
    assert "18.5" in panel.resolve_button.toolTip()


def test_entry_script_explains_a_python_version_mismatch(tmp_path, capsys, no_event_loop):
    dest = tmp_path / "Utility"
    main(["install-resolve", "--dest", str(dest)])
    script = dest / ENTRY_NAME
    script.write_text(script.read_text().replace(
        f"TRAILERSMITH_PYTHON = '{sys.version_info[0]}.{sys.version_info[1]}'",
        "TRAILERSMITH_PYTHON = '2.7'"))
    count = len(__import__("trailersmith.plugin.app", fromlist=["x"])._open_panels)
    run_entry_script(script, resolve=FakeResolve())
    out = capsys.readouterr().out
    assert "installed for Python 2.7" in out
    assert len(__import__("trailersmith.plugin.app", fromlist=["x"])._open_panels) == count


def test_entry_script_without_resolve_says_how_to_start_it(tmp_path, capsys, no_event_loop,
                                                           monkeypatch):
    dest = tmp_path / "Utility"
    main(["install-resolve", "--dest", str(dest)])
    monkeypatch.setitem(sys.modules, "DaVinciResolveScript", None)
    assert run_entry_script(dest / ENTRY_NAME) is None
    assert "Workspace > Scripts > Trailersmith" in capsys.readouterr().err
