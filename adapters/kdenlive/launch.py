"""Open a generated project in Kdenlive when it is installed; otherwise say how to open it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Callable, Optional, Sequence


def find_kdenlive() -> Optional[str]:
    """The ``kdenlive`` executable on PATH (or the macOS app bundle), else None."""
    found = shutil.which("kdenlive")
    if found:
        return found
    bundle = "/Applications/kdenlive.app/Contents/MacOS/kdenlive"
    return bundle if sys.platform == "darwin" and os.path.exists(bundle) else None


def how_to_open(project_path: str) -> str:
    """The sentence shown when Kdenlive is not installed here."""
    otio = os.path.splitext(project_path)[0] + ".otio"
    return (f"Kdenlive is not installed on this computer. Copy {project_path} to a machine "
            "with Kdenlive and open it with File > Open (Kdenlive 22.12 or newer), or export "
            f"{os.path.basename(otio)} and use File > Import > OpenTimelineIO in Kdenlive 25.04+.")


def _spawn(argv: Sequence[str]) -> None:
    # A detached process: Kdenlive keeps running when the panel closes.
    kwargs = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
              "stderr": subprocess.DEVNULL, "close_fds": True}
    if os.name == "posix":
        kwargs["start_new_session"] = True
    subprocess.Popen(list(argv), **kwargs)  # noqa: S603 - fixed executable, a file argument


def open_in_kdenlive(project_path: str, *, executable: Optional[str] = None,
                     spawn: Callable[[Sequence[str]], None] = _spawn) -> tuple:
    """Launch ``kdenlive PROJECT``; returns ``(launched, message)``."""
    exe = executable or find_kdenlive()
    if exe is None:
        return False, how_to_open(project_path)
    try:
        spawn([exe, os.path.abspath(project_path)])
    except OSError as exc:
        return False, f"Could not start Kdenlive ({exc}). {how_to_open(project_path)}"
    return True, f"Opening {os.path.basename(project_path)} in Kdenlive."
