"""``trailersmith install-resolve``: put the entry script into Resolve's Scripts/Utility folder.

Resolve lists scripts found under its per-user ``Fusion/Scripts/Utility`` folder in Workspace >
Scripts on every page. The installed script records where this Python keeps its packages, so
Resolve's own Python can import Trailersmith (it must be the same Python version). No Qt here.
"""
from __future__ import annotations

import os
import site
import sys
import sysconfig
from importlib import resources
from pathlib import Path
from typing import List, Mapping, Optional

from ...core.errors import TrailersmithError
from ...core.fileio import write_atomic

ENTRY_NAME = "Trailersmith.py"
MARKER = "trailersmith-entry-script"
FREE_21_NOTE = ("Note: the free DaVinci Resolve 21.1 and later no longer runs Python scripts from "
                "Workspace > Scripts; there, use trailersmith-panel on its own and import the "
                "exported .otio with File > Import > Timeline (Resolve Studio runs the script).")


class InstallError(TrailersmithError):
    """The entry script cannot be installed or removed where asked."""


def resolve_scripts_dir(platform: Optional[str] = None, env: Optional[Mapping[str, str]] = None,
                        home: Optional[str] = None) -> Path:
    """The current user's ``Fusion/Scripts/Utility`` folder of DaVinci Resolve for ``platform``."""
    platform = platform or sys.platform
    env = os.environ if env is None else env
    home = home or os.path.expanduser("~")
    if platform == "darwin":
        base = Path(home, "Library", "Application Support", "Blackmagic Design",
                    "DaVinci Resolve", "Fusion")
    elif platform.startswith("win"):
        appdata = env.get("APPDATA") or os.path.join(home, "AppData", "Roaming")
        base = Path(appdata, "Blackmagic Design", "DaVinci Resolve", "Support", "Fusion")
    else:
        base = Path(home, ".local", "share", "DaVinciResolve", "Fusion")
    return base / "Scripts" / "Utility"


def site_dirs() -> List[str]:
    """Folders Resolve's Python must add (with their .pth files) to import Trailersmith."""
    dirs = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    dirs += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user and os.path.isdir(user):
        dirs.append(user)
    package_dir = Path(__file__).resolve().parents[2]
    if package_dir.name == "trailersmith":  # importable from its parent folder (plain checkout)
        dirs.append(str(package_dir.parent))
    seen, unique = set(), []
    for d in dirs:
        if d and d not in seen and os.path.isdir(d):
            seen.add(d)
            unique.append(d)
    return unique


def entry_script_text(dirs: List[str], python: str) -> str:
    """The entry script with this environment's package folders and Python version filled in."""
    template = resources.files("trailersmith.resources").joinpath(
        "resolve", ENTRY_NAME).read_text(encoding="utf-8")
    filled = template.replace("TRAILERSMITH_SITE_DIRS = []",
                              f"TRAILERSMITH_SITE_DIRS = {dirs!r}", 1)
    filled = filled.replace('TRAILERSMITH_PYTHON = ""', f"TRAILERSMITH_PYTHON = {python!r}", 1)
    if filled == template:
        raise InstallError("The packaged Resolve entry script is damaged; reinstall Trailersmith.")
    return filled


def _ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(dest_dir: Path, *, dry_run: bool = False) -> Path:
    """Write the entry script into ``dest_dir``; refuses to replace a file that is not ours."""
    target = dest_dir / ENTRY_NAME
    if target.exists() and not _ours(target):
        raise InstallError(f"{target} exists and was not written by Trailersmith; move it away "
                           "and run the command again.")
    text = entry_script_text(site_dirs(), "%d.%d" % sys.version_info[:2])
    if dry_run:
        return target
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InstallError(f"Cannot create {dest_dir} ({exc.strerror or exc}); check the "
                           "folder's permissions or pass --dest.") from None
    write_atomic(str(target), text)
    return target


def uninstall(dest_dir: Path, *, dry_run: bool = False) -> Optional[Path]:
    """Remove our entry script from ``dest_dir``; returns its path, or None if it was not there."""
    target = dest_dir / ENTRY_NAME
    if not target.exists():
        return None
    if not _ours(target):
        raise InstallError(f"{target} was not written by Trailersmith; leaving it in place.")
    if not dry_run:
        try:
            target.unlink()
        except OSError as exc:
            raise InstallError(f"Cannot remove {target} ({exc.strerror or exc}).") from None
    return target


def _handle(args) -> int:
    dest = Path(args.dest).expanduser() if args.dest else resolve_scripts_dir()
    if args.uninstall:
        removed = uninstall(dest, dry_run=args.dry_run)
        if removed is None:
            print(f"Nothing to remove: {dest / ENTRY_NAME} is not there.")
        else:
            print(f"{'Would remove' if args.dry_run else 'Removed'} {removed}")
        return 0
    target = install(dest, dry_run=args.dry_run)
    if args.dry_run:
        print(f"Would install the DaVinci Resolve entry script to: {target}")
    else:
        print(f"Installed the DaVinci Resolve entry script: {target}")
        print("Restart Resolve, then open Workspace > Scripts > Trailersmith.")
    print(FREE_21_NOTE)
    return 0


def register(subparsers) -> None:
    """Add ``install-resolve`` to the ``trailersmith`` command line."""
    parser = subparsers.add_parser(
        "install-resolve", help="add Trailersmith to DaVinci Resolve's Workspace > Scripts menu",
        description="Install (or remove) the small script that opens the Trailersmith panel from "
                    "DaVinci Resolve's Workspace > Scripts menu, for the current user.")
    parser.add_argument("--dry-run", action="store_true",
                        help="print where the script would go; change nothing")
    parser.add_argument("--uninstall", action="store_true", help="remove the script")
    parser.add_argument("--dest", metavar="DIR",
                        help="install into DIR instead of Resolve's per-user Scripts/Utility")
    parser.set_defaults(func=_handle)
