"""The modules of the installed (or checked-out) ``trailersmith`` package, found by walking files.

Used by the import-graph and module-size tests. A module is a ``.py`` file whose folders up to
the package root all have an ``__init__.py``; ``tests/``, ``benchmarks/``, ``scripts/`` and
``docs/`` sit in the checkout's root but are not part of the package.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict

import trailersmith

NOT_PACKAGED = {"tests", "benchmarks", "scripts", "docs"}


def package_root() -> Path:
    """The folder that ``import trailersmith`` loads."""
    return Path(trailersmith.__file__).resolve().parent


def package_modules(root: Path | None = None) -> Dict[str, Path]:
    """``{"trailersmith.core.model": Path(...), ...}``; a package maps to its ``__init__.py``."""
    root = Path(root or package_root())
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in NOT_PACKAGED or any(p.startswith(".") for p in rel.parts):
            continue
        folders = [root.joinpath(*rel.parts[:i]) for i in range(1, len(rel.parts))]
        if not all((folder / "__init__.py").is_file() for folder in folders):
            continue  # e.g. resources/resolve/Trailersmith.py: a script the editor runs
        parts = ["trailersmith", *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out
