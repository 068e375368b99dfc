"""Drive a real Kdenlive headless: Xvfb, a private session bus, a throw-away HOME, D-Bus actions.

One session class for every Kdenlive the tests run: the host's (22.12 on Debian 12) and Debian
sid's 26.x inside a chroot (:mod:`tests.support.kdenlive26` gives the command prefix and the
mounts). The X server, the bus, ``gdbus``, ``xdotool``, ``xwininfo`` and ``import`` always run on
the host; only Kdenlive itself may run under a prefix. Both reach the X server and the bus through
sockets in folders the chroot binds at the same path.

* Dialogs: every named top-level window is listed with ``xwininfo -root -tree``; anything but the
  main window and Qt's helper windows is a dialog.
* Menu actions: KXmlGui exports each action as ``/kdenlive/MainWindow_1/actions/<name>`` on the
  bus (``org.qtproject.Qt.QAction.trigger``); Kdenlive's file dialogs then take a typed path.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

HOST_TOOLS = ["Xvfb", "dbus-daemon", "gdbus", "xwininfo", "xdotool", "import"]
# Top-level windows every Kdenlive session has that are not dialogs. "Welcome to Kdenlive" flashes
# by at a first start while Kdenlive checks its set-up (it stays only when that check fails, and
# then the project never loads, which the tests notice).
HELPER_TITLES = {"kdenlive", "Qt Selection Owner for kdenlive", "Kdenlive", "Welcome to Kdenlive",
                 "Splash Screen — Kdenlive"}
_WINDOW = re.compile(r'^ {5}(0x[0-9a-f]+) "(.*)": \(')


def missing_host_tools(extra: Sequence[str] = ()) -> list:
    """The tools a session needs on the host that are not on ``PATH``."""
    return [tool for tool in [*HOST_TOOLS, *extra] if shutil.which(tool) is None]


class KdenliveSession:
    """Xvfb + a private session bus + Kdenlive (on ``project``, or on a new document when it is
    None); everything stopped on exit.

    ``prefix`` runs Kdenlive under another command (a chroot) with exactly ``base_env`` plus the
    session's variables, instead of the host environment. ``kdenliverc`` is written to the
    throw-away ``~/.config/kdenliverc`` before the start.
    """

    def __init__(self, project: Optional[Path], scratch: Path, *, prefix: Sequence[str] = (),
                 base_env: Optional[Mapping[str, str]] = None, kdenliverc: str = "",
                 short_dir: Optional[Path] = None):
        self.project = project
        self.scratch = scratch
        self.prefix = list(prefix)
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.kdenliverc = kdenliverc
        self.short_dir = short_dir
        self.processes = []
        self.env = {}
        self.short = None
        self.kdenlive = None

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            self.__exit__(None, None, None)  # no Xvfb or bus left behind by a failed start
            raise

    def _start(self):
        self.scratch.mkdir(parents=True, exist_ok=True)
        # KIO and Kdenlive put Unix sockets in the runtime and temp folders: a pytest tmp_path is
        # too long for a socket address (108 bytes), so these live in a short folder, which also
        # holds the bus socket.
        parent = self.short_dir or ("/tmp" if os.path.isdir("/tmp") else None)
        self.short = Path(tempfile.mkdtemp(prefix="tskd-", dir=parent))
        home, runtime, temp = self.scratch / "home", self.short / "run", self.short / "tmp"
        for folder in (home, runtime, temp, home / ".config"):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.kdenliverc:
            (home / ".config" / "kdenliverc").write_text(self.kdenliverc)
        with open(self.scratch / "x-and-bus.log", "wb") as log:
            xvfb = self._spawn(["Xvfb", "-displayfd", "1", "-screen", "0", "1600x1000x24",
                                "-nolisten", "tcp"], stdout=subprocess.PIPE, stderr=log)
            bus = self._spawn(["dbus-daemon", "--session", "--nofork", "--print-address=1",
                               f"--address=unix:path={self.short / 'bus'}"],
                              stdout=subprocess.PIPE, stderr=log)
        display = ":" + xvfb.stdout.readline().decode().strip()
        address = bus.stdout.readline().decode().strip()
        session_env = {"DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": address,
                       "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                       "XDG_DATA_HOME": str(home / ".local/share"),
                       "XDG_CACHE_HOME": str(home / ".cache"), "XDG_RUNTIME_DIR": str(runtime),
                       # Kdenlive keeps a start-up lock in the temp folder; a private one means an
                       # earlier killed instance cannot trigger its "crashed on last startup" box.
                       "TMPDIR": str(temp), "QT_QPA_PLATFORM": "xcb"}
        self.env = {**os.environ, **session_env}
        self.env.pop("SESSION_MANAGER", None)
        kdenlive_env = {**self.base_env, **session_env}
        kdenlive_env.pop("SESSION_MANAGER", None)
        argv = [*self.prefix, "kdenlive"] + ([str(self.project)] if self.project else [])
        with open(self.scratch / "kdenlive.log", "wb") as log:
            self.kdenlive = self._spawn(argv, stdout=log, stderr=subprocess.STDOUT,
                                        env=kdenlive_env)
        return self

    def __exit__(self, *exc):
        if self.kdenlive is not None and self.kdenlive.poll() is None:
            self.call("/kdenlive/MainWindow_1", "org.kde.kdenlive.MainWindow.exitApp", timeout=10)
            stop(self.kdenlive, grace=20)
        for process in self.processes:  # our gdbus calls, the bus and the X server
            stop(process, grace=0)
            if process.stdout:
                process.stdout.close()
        if self.short is not None:
            shutil.rmtree(self.short, ignore_errors=True)

    def _spawn(self, cmd, **kwargs):
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, **kwargs)
        self.processes.append(process)
        return process

    def windows(self) -> list:
        """``(id, title)`` of every named top-level window."""
        out = subprocess.run(["xwininfo", "-root", "-tree"], env=self.env, capture_output=True,
                             text=True, timeout=20).stdout
        return [m.groups() for m in map(_WINDOW.match, out.splitlines()) if m]

    def dialogs(self, main_prefixes: Sequence[str] = ()) -> list:
        """Named top-level windows that are neither helpers nor a main window.

        A main window's title starts with ``"<project stem> / "`` (a ``*`` in front when
        modified) or with one of ``main_prefixes``."""
        prefixes = [f"{self.project.stem} / "] if self.project else []
        prefixes += list(main_prefixes)
        return [(wid, title) for wid, title in self.windows()
                if title not in HELPER_TITLES
                and not any(title.lstrip("*").startswith(p) for p in prefixes)]

    def wait_for(self, condition: Callable, timeout: float, what: str):
        """Poll ``condition`` until it is truthy and return its value; fail with a screenshot."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            if self.kdenlive.poll() is not None:
                raise AssertionError(f"Kdenlive exited ({self.kdenlive.returncode}) waiting for "
                                     f"{what}; see {self.scratch / 'kdenlive.log'}")
            time.sleep(0.5)
        shot = self.screenshot(self.scratch / "kdenlive_timeout.png")
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; windows: "
                             f"{self.windows()}; screenshot {shot}")

    def call(self, path: str, method: str, *args, timeout: float = 20):
        """One blocking ``gdbus call`` to Kdenlive."""
        cmd = ["gdbus", "call", "--session", "--dest", f"org.kde.kdenlive-{self.kdenlive.pid}",
               "--object-path", path, "--method", method, *args]
        return subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout)

    def trigger_action(self, name: str):
        """Trigger a menu action; returns at once, since the action may open a modal box."""
        path = f"/kdenlive/MainWindow_1/actions/{name}"
        method = ["org.qtproject.Qt.QAction.trigger"]
        if self.call(path, "org.qtproject.Qt.QAction.setEnabled", "true").returncode != 0:
            # Only some actions have their own object (KStandardAction ones such as file_save);
            # Kdenlive's own, like 26.x's import_project (File > OpenTimelineIO Import), are
            # reached through the main window's KMainWindow interface.
            path, method = "/kdenlive/MainWindow_1", ["org.kde.KMainWindow.activateAction", name]
        cmd = ["gdbus", "call", "--session", "--dest", f"org.kde.kdenlive-{self.kdenlive.pid}",
               "--object-path", path, "--method", *method]
        self._spawn(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def open_project_window(self, stem: str, settle_s: float = 8.0):
        """Wait for the project window ("STEM / ..."), then watch ``settle_s`` seconds for
        dialogs: clips load in the background, and complaints about them come then.

        Returns ``(project windows, set of dialogs seen)``.
        """
        main = self.wait_for(lambda: [w for w in self.windows() if w[1].startswith(f"{stem} / ")],
                             180, "the project window")
        seen = set()
        until = time.monotonic() + settle_s
        while time.monotonic() < until:
            seen.update(self.dialogs())
            time.sleep(0.5)
        return main, seen

    def save_project(self, project: Path, written: bytes, timeout: float = 60) -> None:
        """File > Save, then wait until ``project`` differs from ``written`` and no box is open.

        Kdenlive 22.12 (document version 1.04) tells once that it upgraded our 1.00 document and
        kept a backup copy; that notice is the only box accepted here.
        """
        self.trigger_action("file_save")
        backup = project.with_name(f"{project.stem}_backup0.kdenlive")

        def saved():
            for wid, title in self.dialogs():
                if title.startswith("Information") and backup.exists():
                    self.press_return(wid)
            return project.read_bytes() != written and not self.dialogs()

        self.wait_for(saved, timeout, "Kdenlive to save the project")
        time.sleep(1)

    def press_return(self, window_id: str):
        """Focus ``window_id`` and press Return (accepts a message box's default button)."""
        self.keys(window_id, "Return")

    def keys(self, window_id: str, *keys: str):
        """Focus ``window_id`` and press ``keys`` (xdotool key names) one after another."""
        subprocess.run(["xdotool", "windowfocus", "--sync", window_id, "key", "--delay", "80",
                        *keys], env=self.env, capture_output=True, timeout=20)

    def enter_path(self, window_id: str, path: Path):
        """Type ``path`` into the focused field of a file dialog, replacing it, and accept."""
        self.keys(window_id, "ctrl+a", "BackSpace")
        subprocess.run(["xdotool", "windowfocus", "--sync", window_id, "type", "--delay", "20",
                        str(path)], env=self.env, capture_output=True, timeout=60)
        time.sleep(0.5)
        self.keys(window_id, "Return")

    def screenshot(self, path: Path) -> Path:
        """A screenshot of the whole screen at ``path``, copied to ``$TRAILERSMITH_ARTIFACTS``."""
        subprocess.run(["import", "-window", "root", str(path)], env=self.env,
                       capture_output=True, timeout=60)
        artifacts = os.environ.get("TRAILERSMITH_ARTIFACTS")
        if artifacts and path.exists():
            Path(artifacts).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(artifacts) / path.name)
        return path


def stop(process, grace: float) -> None:
    """Wait ``grace`` seconds for ``process`` to end, then terminate it, then kill it."""
    try:
        process.wait(timeout=grace)
        return
    except subprocess.TimeoutExpired:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
