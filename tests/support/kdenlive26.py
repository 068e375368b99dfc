"""Run Debian sid's Kdenlive 26.x from the chroot ``scripts/install_kdenlive26.sh`` makes.

:func:`chroot_session` mounts ``proc``, binds ``/dev`` and the given folders at the same paths
inside the chroot (so the paths in projects mean the same inside and out), starts a
:class:`~tests.support.kdenlive_session.KdenliveSession` whose Kdenlive runs under ``chroot``, and
always unmounts what it bound, innermost first. Never delete the chroot while ``/dev`` is bound into
it: ``rm -r`` would go through the bind into the host's ``/dev``.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator, Optional, Sequence

from tests.support.kdenlive_session import KdenliveSession, missing_host_tools

ROOT = Path(os.environ.get("TRAILERSMITH_KDENLIVE26_ROOT", "/var/lib/trailersmith/kdenlive26-sid"))
MARKER = ".trailersmith-kdenlive26-ready"
# The first-run dialog and the welcome screen would block a headless start.
KDENLIVERC = """[startup]
showWelcome=false

[version]
lastSeenVersionMajor=26
lastSeenVersionMinor=8
"""
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            # Without an audio device the monitor fails: "Could not create the video preview
            # window".
            "SDL_AUDIODRIVER": "dummy"}


def unavailable_reason(root: Path = ROOT) -> Optional[str]:
    """Why the chroot cannot run Kdenlive here, or None when it can."""
    if not (root / MARKER).is_file():
        return (f"no Kdenlive 26 chroot at {root}: run scripts/install_kdenlive26.sh "
                "(needs root, debootstrap and network to deb.debian.org)")
    if os.geteuid() != 0:
        return "the Kdenlive 26 chroot needs root (chroot, mount --bind)"
    missing = missing_host_tools(["chroot", "mount", "umount"])
    if missing:
        return f"needs {', '.join(missing)} on the host: run scripts/install_kdenlive.sh"
    return None


def version(root: Path = ROOT) -> str:
    """The chroot's Kdenlive package version, as the installer recorded it."""
    return (root / MARKER).read_text().split()[-1]


def _mount(args: Sequence[str]) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, timeout=60)


def _unmount(target: Path) -> None:
    done = subprocess.run(["umount", str(target)], capture_output=True, timeout=60)
    if done.returncode != 0:  # still busy (a child not yet gone): detach it now, free it later
        subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=60)


@contextlib.contextmanager
def mounted(folders: Sequence[Path], read_only: Sequence[Path] = (),
            root: Path = ROOT) -> Iterator[Path]:
    """``proc``, ``/dev``, ``folders`` (read-write) and ``read_only`` bound into ``root``."""
    done = []
    made = []
    try:
        _mount(["-t", "proc", "proc", str(root / "proc")])
        done.append(root / "proc")
        _mount(["--bind", "/dev", str(root / "dev")])
        done.append(root / "dev")
        for folder, writable in [*((f, True) for f in folders), *((f, False) for f in read_only)]:
            folder = Path(folder).resolve()
            target = root / folder.relative_to("/")
            if not target.exists():
                missing = [p for p in [target, *target.parents] if not p.exists()]
                target.mkdir(parents=True)
                made.extend(missing)
            _mount(["--bind", str(folder), str(target)])
            done.append(target)
            if not writable:
                _mount(["-o", "remount,bind,ro", str(target)])
        yield root
    finally:
        for target in reversed(done):
            _unmount(target)
        for folder in sorted(made, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                if not os.path.ismount(folder):
                    folder.rmdir()  # only our empty mount points, never anything with content


@contextlib.contextmanager
def chroot_session(project: Optional[Path], scratch: Path, *, bind: Sequence[Path] = (),
                   read_only: Sequence[Path] = (), root: Path = ROOT
                   ) -> Iterator[KdenliveSession]:
    """A Kdenlive 26 session in the chroot; ``scratch``, ``bind`` and the X socket folder are
    bound read-write, ``read_only`` read-only."""
    scratch.mkdir(parents=True, exist_ok=True)
    short = Path("/tmp/tskd26")
    short.mkdir(exist_ok=True)
    folders = [*bind, short]
    if not any(Path(scratch).resolve().is_relative_to(Path(f).resolve()) for f in bind):
        folders.insert(0, scratch)
    if os.path.isdir("/tmp/.X11-unix"):
        folders.append(Path("/tmp/.X11-unix"))
    with mounted(folders, read_only, root=root):
        chroot = shutil.which("chroot") or "/usr/sbin/chroot"
        session = KdenliveSession(project, scratch, prefix=[chroot, str(root)],
                                  base_env=BASE_ENV, kdenliverc=KDENLIVERC, short_dir=short)
        with session:
            yield session
    with contextlib.suppress(OSError):
        short.rmdir()

