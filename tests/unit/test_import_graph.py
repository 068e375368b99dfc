"""The package's import graph: no cycle between modules, and ``core/`` stays pure.

Every module is parsed (never imported): top-level imports, imports inside functions, relative
imports and ``importlib.import_module("...")`` / ``__import__("...")`` with a constant name all
count; imports under ``if TYPE_CHECKING:`` do not (they never run). ``from pkg import name``
is an edge to ``pkg.name`` when that is a module, else to ``pkg``.
"""
from __future__ import annotations

import ast
import sys
from typing import Dict, Iterator, List, Set, Tuple

import pytest

from tests.support.package import package_modules

# What core/ must never import: Qt, the editors' scripting APIs, and the front ends.
CORE_BANNED_TOP = {"PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6",
                   "DaVinciResolveScript", "fusionscript"}
CORE_BANNED_PREFIXES = ("trailersmith.adapters", "trailersmith.plugin", "trailersmith.cli",
                        "trailersmith.commands", "trailersmith.learn_cli")

MODULES = package_modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Call)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _dynamic_name(call: ast.Call) -> str | None:
    func = call.func
    named = (isinstance(func, ast.Name) and func.id == "__import__") or (
        isinstance(func, ast.Attribute) and func.attr == "import_module")
    if named and call.args and isinstance(call.args[0], ast.Constant) \
            and isinstance(call.args[0].value, str) and not call.args[0].value.startswith("."):
        return call.args[0].value
    return None


def imported_names(module: str) -> List[Tuple[str, int]]:
    """Every module name ``module`` imports (absolute, dotted), with its line number."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append((sub if sub in MODULES else target, node.lineno))
        else:
            name = _dynamic_name(node)
            if name:
                out.append((name, node.lineno))
    return sorted(out, key=lambda item: item[1])


def import_graph() -> Dict[str, Set[str]]:
    """``module -> modules of the package it imports`` (itself excluded)."""
    graph = {}
    for module in MODULES:
        targets = set()
        for name, _ in imported_names(module):
            while name and name not in MODULES:  # `import a.b.c` of a name inside a module
                name = name.rpartition(".")[0]
            if name and name != module and name.startswith("trailersmith"):
                targets.add(name)
        graph[module] = targets
    return graph


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _one_loop(graph, component) -> List[str]:
    """A shortest path from the component's first module back to itself, for the message."""
    start, members = component[0], set(component)
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for w in sorted(graph[path[-1]] & members):
            if w == start:
                return path + [start]
            if w not in seen:
                seen.add(w)
                paths.append(path + [w])
    return component


def test_the_walk_sees_the_whole_package():
    assert "trailersmith" in MODULES and "trailersmith.core" in MODULES
    assert "trailersmith.core.model" in MODULES
    assert not any(name.startswith("trailersmith.tests") for name in MODULES)
    graph = import_graph()
    assert "trailersmith.core.errors" in graph["trailersmith.core.model"] | set().union(
        *graph.values())  # the walk finds edges at all


def test_the_walk_finds_a_planted_cycle_and_a_function_level_import(tmp_path, monkeypatch):
    pkg = tmp_path / "trailersmith"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""Root."""\n')
    (pkg / "core" / "__init__.py").write_text('"""Core."""\n')
    (pkg / "core" / "a.py").write_text("from . import b\n")
    (pkg / "core" / "b.py").write_text("def f():\n    from .a import g\n")
    (pkg / "core" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n")
    (pkg / "core" / "d.py").write_text(
        "import importlib\n\ndef show():\n    from PySide6 import QtWidgets\n"
        "    from ..adapters import formats\n    importlib.import_module('fusionscript')\n")
    monkeypatch.setattr(sys.modules[__name__], "MODULES", package_modules(pkg))
    graph = import_graph()
    assert cycles(graph) == [["trailersmith.core.a", "trailersmith.core.b"]]
    assert graph["trailersmith.core.c"] == set()
    assert core_violations("trailersmith.core.d") == [
        "line 4: PySide6", "line 5: trailersmith.adapters", "line 6: fusionscript"]


def test_no_import_cycle_between_modules():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(
        " -> ".join(_one_loop(graph, c)) + (f"  (component of {len(c)}: {', '.join(c)})"
                                            if len(c) > 2 else "") for c in found)


def core_violations(module: str) -> List[str]:
    """``"line N: name"`` for each import of ``module`` that core/ must not make."""
    return [f"line {line}: {name}" for name, line in imported_names(module)
            if name.split(".")[0] in CORE_BANNED_TOP
            or any(name == p or name.startswith(p + ".") for p in CORE_BANNED_PREFIXES)]


@pytest.mark.parametrize("module", sorted(m for m in MODULES
                                          if m == "trailersmith.core"
                                          or m.startswith("trailersmith.core.")))
def test_core_imports_no_qt_editor_api_or_front_end(module):
    bad = core_violations(module)
    assert not bad, f"{module} (core/ must stay pure) imports " + "; ".join(bad)
