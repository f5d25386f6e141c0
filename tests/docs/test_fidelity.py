"""The fidelity page holds its promise: every row names a test, and every test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "fidelity.md"
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
COLUMNS = ["behaviour", "real (source)", "cwmock", "switch", "test"]

needs_docs = pytest.mark.skipif(not PAGE.is_file(), reason=f"docs/ is not beside the tests ({ROOT})")


def table_rows(text: str) -> list[list[str]]:
    """The cells of every row of every behaviour table on the page (header and rule lines excluded)."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|") or set(line) <= {"|", "-", " "}:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if cells == COLUMNS:
            continue
        rows.append(cells)
    return rows


def defined_tests(path: Path) -> set[str]:
    """Names of the module-level test functions (sync or async) in a test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


@needs_docs
def test_every_row_has_five_cells_and_names_a_test() -> None:
    rows = table_rows(PAGE.read_text(encoding="utf-8"))
    assert len(rows) >= 30, "the fidelity page lists the emulated behaviours"
    for cells in rows:
        assert len(cells) == len(COLUMNS), f"a row needs {COLUMNS}: {cells}"
        assert TEST_REFERENCE.search(cells[-1]), f"row {cells[0]!r} names no `tests/...py::test_name`"


@needs_docs
def test_every_named_test_exists() -> None:
    missing = []
    for file, name in TEST_REFERENCE.findall(PAGE.read_text(encoding="utf-8")):
        path = ROOT / file
        if not path.is_file() or name not in defined_tests(path):
            missing.append(f"{file}::{name}")
    assert not missing, f"docs/fidelity.md names tests that do not exist: {missing}"
