"""The panel driven offscreen with a small stand-in pipeline: threads, progress, cancel, errors,
shot details, options, actions. End-to-end runs on real media are in test_panel_end_to_end.py."""
import os
import subprocess
import sys
import threading
import time

import pytest

from tests.support.fakes.fake_pipeline import make_fake_suggest
from tests.support.timecoded_media import timecoded_movie_and_music
from trailersmith.core.errors import MediaError

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """A 12 s movie starting at timecode 01:00:00:00 and a 6 s music file."""
    return timecoded_movie_and_music(tmp_path_factory.mktemp("panel_media"), 12, 6,
                                     pattern="testsrc2", size="320x180", tone_hz=220,
                                     encoder_options=("-g", "24"))


@pytest.fixture
def make_panel(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    def make(suggest=None, host=None):
        from trailersmith.plugin.panel import TrailerPanel

        panel = TrailerPanel(host, suggest=suggest or make_fake_suggest(),
                             settings_file=tmp_path / "panel.json")
        qtbot.addWidget(panel)
        panel.resize(1000, 700)
        panel.show()
        return panel

    return make


def pick_files(monkeypatch, qtbot, panel, movie, music):
    """Use the Browse buttons, with the file dialog answering ``movie`` then ``music``."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    answers = [str(movie), str(music)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (answers.pop(0), "")))
    qtbot.mouseClick(panel.movie_input.browse_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.music_input.browse_button, Qt.MouseButton.LeftButton)
    assert panel.movie_input.path == str(movie) and panel.music_input.path == str(music)


def click_suggest(qtbot, panel, timeout=20000):
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(panel.runner.signals.finished, timeout=timeout):
        qtbot.mouseClick(panel.suggest_button, Qt.MouseButton.LeftButton)


def test_suggest_runs_off_the_ui_thread_and_draws_the_result(make_panel, media, monkeypatch,
                                                              qtbot):
    threads, stages = [], []
    fake = make_fake_suggest(step_delay_s=0.02)

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return fake(*args, **kwargs)

    panel = make_panel(recording)
    panel.runner.signals.progress.connect(lambda p: stages.append(p.stage))
    ticks = []
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    pick_files(monkeypatch, qtbot, panel, *media)
    with qtbot.waitSignal(panel.run_finished, timeout=20000) as finished:
        panel.suggest_button.click()
        assert not panel.suggest_button.isEnabled() and panel.cancel_button.isEnabled()
    timer.stop()
    run = finished.args[0]
    assert threads and threads[0] is not threading.main_thread()
    assert len(ticks) >= 5, "the UI thread was blocked while the job ran"
    assert "Reading movie frames" in stages and stages[-1] == "Drawing shot thumbnails"
    assert panel.view.selected is None and panel.run is run
    assert len(run.thumbnails) == len(run.result.plan.clips) > 0
    assert panel.progress_bar.value() == panel.progress_bar.maximum()
    assert panel.message_label.property("kind") == "ok"
    assert f"{len(run.result.plan.clips)} shots" in panel.message_label.text()
    for button in (panel.export_button, panel.variant_button, panel.another_track_button,
                   panel.kdenlive_button):
        assert button.isEnabled()
    assert not panel.resolve_button.isVisible()  # standalone: no Resolve


def test_cancel_stops_within_a_second_and_leaves_no_result(make_panel, media, qtbot, tmp_path):
    panel = make_panel(make_fake_suggest(step_delay_s=0.05, steps=400))
    panel.movie_input.set_path(str(media[0]))
    panel.music_input.set_path(str(media[1]))
    with qtbot.waitSignal(panel.runner.signals.progress, timeout=10000):
        panel.suggest_button.click()
    qtbot.wait(200)
    started = time.monotonic()
    with qtbot.waitSignal(panel.runner.signals.cancelled, timeout=3000):
        panel.cancel_button.click()
    assert time.monotonic() - started < 1.0
    qtbot.waitUntil(lambda: panel.suggest_button.isEnabled(), timeout=2000)
    assert panel.run is None and panel.view._run is None
    assert "nothing was written" in panel.message_label.text()
    assert not panel.export_button.isEnabled()


@pytest.mark.parametrize("error, expected", [
    (MediaError("Music file is empty (0 bytes): x.wav. Pick the complete file."),
     "Music file is empty (0 bytes): x.wav. Pick the complete file."),
    (ValueError("boom"), "Something unexpected went wrong (ValueError: boom)"),
])
def test_errors_in_the_worker_reach_the_panel_as_a_sentence(make_panel, media, qtbot, error,
                                                           expected, caplog):
    def failing(*args, **kwargs):
        raise error

    panel = make_panel(failing)
    panel.movie_input.set_path(str(media[0]))
    panel.music_input.set_path(str(media[1]))
    click_suggest(qtbot, panel)
    text = panel.message_label.text()
    assert text.startswith(expected)
    assert "Traceback" not in text and "\n" not in text
    assert panel.message_label.property("kind") == "error"
    assert panel.suggest_button.isEnabled() and panel.run is None
    if not isinstance(error, MediaError):
        # an unexpected failure is logged with its traceback for the bug report
        assert any(r.exc_info for r in caplog.records)
        caplog.clear()


def test_missing_input_is_reported_before_anything_runs(make_panel, media, qtbot):
    calls = []
    panel = make_panel(make_fake_suggest(calls=calls))
    panel.suggest_button.click()
    assert panel.message_label.text() == "Pick a movie file first."
    panel.movie_input.set_path(str(media[0]))
    panel.music_input.set_path(str(media[0].parent / "nope.wav"))
    panel.suggest_button.click()
    assert "does not exist" in panel.message_label.text()
    assert not panel.runner.running and calls == []


def test_clicking_a_shot_shows_source_timecode_scene_and_why(make_panel, media, qtbot):
    from PySide6.QtCore import Qt

    panel = make_panel()
    panel.movie_input.set_path(str(media[0]))
    panel.music_input.set_path(str(media[1]))
    click_suggest(qtbot, panel)
    plan = panel.run.result.plan
    index = 2
    clip = plan.clips[index]
    rect = panel.view.clip_rect(index)
    qtbot.mouseClick(panel.view, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert panel.view.selected == index
    text = panel.details_label.text()
    # the movie starts at 01:00:00:00, 24 fps: source frame N is 01:00:SS:FF
    seconds, frames = divmod(clip.source_start, 24)
    assert f"01:00:{seconds:02d}:{frames:02d}" in text
    assert f"(scene {clip.scene})" in text and clip.reason in text
    # a click on the waveform above the shots selects nothing new
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(panel.view, Qt.MouseButton.LeftButton,
                     pos=QPoint(int(rect.center().x()), 40))
    assert panel.view.selected == index


def test_another_variant_and_another_track_rerun_with_the_right_inputs(make_panel, media, qtbot,
                                                                      monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    calls = []
    panel = make_panel(make_fake_suggest(calls=calls))
    panel.movie_input.set_path(str(media[0]))
    panel.music_input.set_path(str(media[1]))
    click_suggest(qtbot, panel)
    first = [c.shot for c in panel.run.result.plan.clips]
    with qtbot.waitSignal(panel.run_finished, timeout=20000):
        panel.variant_button.click()
    assert [c[2].seed for c in calls] == [0, 1]
    assert [c.shot for c in panel.run.result.plan.clips] != first
    other = tmp_path / "other.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=330:d=4",
                    str(other)], check=True)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(other), "")))
    with qtbot.waitSignal(panel.run_finished, timeout=20000):
        panel.another_track_button.click()
    assert calls[-1][0] == str(media[0]) and calls[-1][1] == str(other)
    assert panel.run.music_path == str(other)
    # options are remembered for next time
    from trailersmith.plugin.settings import load_settings

    assert load_settings(tmp_path / "panel.json").seed == 1


def test_unavailable_choices_are_greyed_out_with_the_reason(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox

    from trailersmith.plugin.options import fill_choices

    combo = QComboBox()
    qtbot.addWidget(combo)
    reason = "needs the ImageBind weights file; pass --weights PATH"
    fill_choices(combo, {"affect": None, "imagebind": reason}, preferred="imagebind")
    index = combo.findData("imagebind")
    assert not combo.model().item(index).isEnabled()
    assert combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == reason
    assert combo.currentData() == "affect"  # an unusable preference falls back


def test_options_reach_the_pipeline(make_panel, media, qtbot):
    calls = []
    panel = make_panel(make_fake_suggest(calls=calls))
    box = panel.options_box
    box.guard_check.setChecked(False)
    box.pace_combo.setCurrentIndex(box.pace_combo.findData(1.4))
    box.seed_spin.setValue(7)
    panel.movie_input.set_path(str(media[0]))
    panel.music_input.set_path(str(media[1]))
    click_suggest(qtbot, panel)
    options = calls[0][2]
    assert (options.spoiler_guard, options.pace, options.seed) == (1.0, 1.4, 7)
    box.guard_check.setChecked(True)
    box.guard_percent.setValue(80)
    click_suggest(qtbot, panel)
    assert calls[1][2].spoiler_guard == pytest.approx(0.8)


def test_open_in_kdenlive_launches_it_or_says_how(make_panel, media, qtbot, monkeypatch,
                                                  tmp_path):
    from trailersmith.adapters.kdenlive import launch as kdenlive_launch

    panel = make_panel()
    panel.movie_input.set_path(str(media[0]))
    panel.music_input.set_path(str(media[1]))
    click_suggest(qtbot, panel)
    project = tmp_path / "t.kdenlive"
    project.write_text("<mlt/>")
    panel.last_export = str(project)
    monkeypatch.setattr(kdenlive_launch, "find_kdenlive", lambda: None)
    assert panel.open_in_kdenlive() is False
    assert "not installed" in panel.message_label.text() and "File > Open" in \
        panel.message_label.text() and str(project) in panel.message_label.text()

    launched = []
    assert kdenlive_launch.open_in_kdenlive(str(project), executable="/usr/bin/kdenlive",
                                            spawn=launched.append)[0]
    assert launched == [["/usr/bin/kdenlive", str(project)]]


def test_standalone_panel_command_starts_offscreen(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c",
                           "from trailersmith.plugin.app import main; "
                           "raise SystemExit(main(['--quit-after', '0.5']))"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "window open" in done.stderr
