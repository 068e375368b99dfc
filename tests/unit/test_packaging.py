"""Packaging: the wheel's package list names every package folder, and there is one version."""
from __future__ import annotations

import importlib.metadata

import pytest

import trailersmith
from tests.support.package import package_modules, package_root

PYPROJECT = package_root() / "pyproject.toml"


def _pyproject() -> dict:
    if not PYPROJECT.is_file():
        pytest.skip("no pyproject.toml beside the package: running against an installed wheel")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads(PYPROJECT.read_text())


def test_every_package_folder_is_in_the_wheel_list():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    folders = {name for name, path in package_modules().items() if path.name == "__init__.py"}
    assert folders - listed == set(), "add to [tool.setuptools] packages in pyproject.toml"
    assert listed - folders == set(), "listed in pyproject.toml but not a package folder"


def test_the_version_is_read_from_one_place():
    project = _pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    attr = _pyproject()["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "trailersmith.__version__"


def test_installed_metadata_has_the_package_version():
    try:
        installed = importlib.metadata.version("trailersmith")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("trailersmith is imported from a checkout, not installed")
    assert installed == trailersmith.__version__


def test_the_package_says_it_is_typed():
    assert (package_root() / "py.typed").is_file()
