"""The source tree shows the architecture: every package is installed, folders stay small, names explain themselves."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CHECKOUT = Path(__file__).resolve().parents[1]
# Where each import root's folder is in the checkout (pyproject.toml maps the customer's folders under `cwmock`).
SOURCE_ROOTS = {
    "cwmock": CHECKOUT / "cwmock",
    "cwmock.emulator": CHECKOUT / "emulator",
    "cwmock.poller": CHECKOUT / "poller",
    "cwmock.contract_tests": CHECKOUT / "contract_tests",
    "cwmock.fixtures": CHECKOUT / "fixtures",
}
MAX_MODULES_PER_FOLDER = 20
# Test modules live in packages only in the contract suite; their `test_` prefix is pytest's, not a family.
PREFIX_EXEMPT = {"test"}


def _packages() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root_name, root in SOURCE_ROOTS.items():
        for init in root.rglob("__init__.py"):
            relative = init.parent.relative_to(root).parts
            if root_name == "cwmock" and relative and (CHECKOUT / relative[0]) in SOURCE_ROOTS.values():
                continue
            found[".".join((root_name, *relative))] = init.parent
    return found


PACKAGES = _packages()
TESTS = CHECKOUT / "tests"
# tests/ mirrors the packages; these folders are not packages: shared helpers, whole-stack tests, the docs' examples,
# the mutation-testing script (tests/mutation/run.py).
TEST_FOLDERS_OF_THEIR_OWN = {"support", "e2e", "docs", "mutation"}


def _test_folders() -> list[Path]:
    return sorted({path.parent for path in TESTS.rglob("test_*.py") if "__pycache__" not in path.parts})


def test_the_checkout_is_where_this_test_runs() -> None:
    assert (CHECKOUT / "pyproject.toml").is_file(), "tests/test_layout.py reads the source checkout it lives in"
    assert "cwmock.emulator.query" in PACKAGES


# The checkout's top level (docs/contributing/layout.md#folders): the installed folders, tests (mutation testing
# included), benchmarks, docs and examples (programs in other languages that use cwmock from outside); tools of the
# tests belong in tests/, not beside them.
TOP_LEVEL_FOLDERS = {
    *("cwmock", "emulator", "poller", "contract_tests", "fixtures"),
    *("tests", "bench", "docs", "examples", ".ci"),
}


def test_the_top_level_holds_only_the_documented_folders() -> None:
    tracked = subprocess.run(
        ["git", "-C", str(CHECKOUT), "ls-files"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    if not tracked:
        pytest.skip("not a git checkout")
    folders = {name.split("/", 1)[0] for name in tracked if "/" in name}
    assert folders <= TOP_LEVEL_FOLDERS, f"undocumented top-level folders: {sorted(folders - TOP_LEVEL_FOLDERS)}"


def test_every_package_is_listed_for_installation() -> None:
    pyproject = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    assert listed == set(PACKAGES), "list each folder with an __init__.py in pyproject.toml [tool.setuptools] packages"


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_folder_is_a_heap(package: str) -> None:
    modules = [path for path in PACKAGES[package].glob("*.py") if path.name != "__init__.py"]
    assert len(modules) <= MAX_MODULES_PER_FOLDER, f"{package} has {len(modules)} modules: split it by concept"


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_module_names_do_not_repeat_their_package_or_form_prefix_families(package: str) -> None:
    stems = [path.stem for path in PACKAGES[package].glob("*.py") if path.name not in ("__init__.py", "__main__.py")]
    last = package.rsplit(".", 1)[-1]
    assert last not in stems, f"{package}.{last}: a module named after its package says nothing"
    prefixes = Counter(stem.split("_", 1)[0] for stem in stems if "_" in stem)
    families = {prefix: n for prefix, n in prefixes.items() if n >= 3 and prefix not in PREFIX_EXEMPT}
    assert not families, f"{package}: modules sharing a prefix {families} belong in a folder of their own"


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_package_says_what_it_holds(package: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGES[package] / "__init__.py").read_text(encoding="utf-8")))
    assert docstring, f"{package}/__init__.py needs a one-line docstring"


def test_imports_are_absolute() -> None:
    relative = re.compile(r"^\s*from \.", re.MULTILINE)
    offenders = [
        str(path.relative_to(CHECKOUT))
        for root in SOURCE_ROOTS.values()
        for path in root.rglob("*.py")
        if relative.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, (
        f"use absolute imports (cwmock.x.y), so a module reads the same wherever it moves: {offenders}"
    )


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_what_a_package_exports_exists(package: str) -> None:
    module = importlib.import_module(package)
    exported = getattr(module, "__all__", [])
    missing = [name for name in exported if not hasattr(module, name)]
    assert not missing, f"{package}.__all__ names {missing}, which it does not define or import"


@pytest.mark.parametrize("folder", [path.relative_to(TESTS).as_posix() for path in _test_folders()])
def test_tests_mirror_the_packages(folder: str) -> None:
    parts = Path(folder).parts
    if parts and parts[0] not in TEST_FOLDERS_OF_THEIR_OWN:
        package = ".".join(("cwmock", *parts))
        assert package in PACKAGES, f"tests/{folder} mirrors no package: name it after the package its tests test"
    stems = [path.stem.removeprefix("test_") for path in (TESTS / folder).glob("test_*.py")]
    assert len(stems) <= MAX_MODULES_PER_FOLDER, f"tests/{folder} has {len(stems)} test modules: split it"
    if parts:
        assert parts[-1] not in stems, f"tests/{folder}/test_{parts[-1]}.py: name it after what it tests there"
    prefixes = Counter(stem.split("_", 1)[0] for stem in stems if "_" in stem)
    families = {prefix: n for prefix, n in prefixes.items() if n >= 3}
    assert not families, f"tests/{folder}: test modules sharing a prefix {families} belong in a folder of their own"
