"""Module length and folder docstrings (house rules): no module over 400 lines, the median under
150, and every package folder's ``__init__.py`` says in its docstring what the room is for.

``python -m pytest -s tests/unit/test_module_size.py`` prints every module's line count.
"""
from __future__ import annotations

import ast
import statistics

from tests.support.package import package_modules

MAX_LINES = 400
MEDIAN_BELOW = 150

MODULES = package_modules()


def line_counts() -> dict:
    """``{module: number of lines}`` for every module of the package."""
    return {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}


def test_module_lengths():
    counts = line_counts()
    width = max(map(len, counts))
    for name, n in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"{name:<{width}} {n:5d}")
    median = statistics.median(counts.values())
    print(f"{len(counts)} modules, median {median:g} lines, largest {max(counts.values())}")
    too_long = sorted(f"{name} ({n})" for name, n in counts.items() if n > MAX_LINES)
    assert not too_long, f"modules over {MAX_LINES} lines: " + ", ".join(too_long)
    assert median < MEDIAN_BELOW, f"median module length {median:g} >= {MEDIAN_BELOW}"


def test_every_package_folder_says_what_it_is_for():
    missing = sorted(name for name, path in MODULES.items() if path.name == "__init__.py"
                     and not ast.get_docstring(ast.parse(path.read_text())))
    assert not missing, "package folders whose __init__.py has no docstring: " + ", ".join(missing)
