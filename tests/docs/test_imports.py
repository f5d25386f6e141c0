"""Every import the README and the docs show works: `from cwmock... import ...` lines and dotted `cwmock.` names."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[2]
# `from cwmock.x import a, b as c` on one line, or with the names in parentheses over several lines.
FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(cwmock(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)", re.MULTILINE)
PLAIN_IMPORT = re.compile(r"^[ \t]*import[ \t]+(cwmock(?:\.\w+)*)(?:[ \t]+as[ \t]+\w+)?[ \t]*$", re.MULTILINE)
# A dotted name in prose (`cwmock.testing.wall_clock.pinned_wall_clock`), not part of a host (`http://cwmock.test`).
DOTTED_NAME = re.compile(r"(?<![\w/.:-])cwmock(?:\.\w+)+")
# mutmut names a mutant `module.x_function__mutmut_N` (docs/contributing/mutation.md): an id, not an importable name.
MUTANT_ID = re.compile(r"__mutmut_\d+$")


def pages() -> list[Path]:
    """README.md and every page of the docs site."""
    found = [ROOT / "README.md"] if (ROOT / "README.md").is_file() else []
    return found + sorted((ROOT / "docs").rglob("*.md"))


def shown_imports(text: str) -> list[tuple[str, str | None]]:
    """(module, name) for each name a `from ... import` line imports; (module, None) for `import module`."""
    found: list[tuple[str, str | None]] = []
    for module, names in FROM_IMPORT.findall(text):
        for item in names.strip("()").replace("\n", " ").split(","):
            name = item.split("#", 1)[0].strip().split(" as ")[0].strip()
            if name:
                found.append((module, name))
    found += [(module, None) for module in PLAIN_IMPORT.findall(text)]
    return found


def resolve(dotted: str) -> object:
    """The object a dotted name names: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError as error:
            if error.name is None or not dotted.startswith(error.name):
                raise  # the module exists but imports something missing: a real failure
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


IMPORTS = sorted(
    {(page.relative_to(ROOT).as_posix(), *imp) for page in pages() for imp in shown_imports(page.read_text())}
)
NAMES = sorted(
    {
        (page.relative_to(ROOT).as_posix(), m)
        for page in pages()
        for m in DOTTED_NAME.findall(page.read_text())
        if not MUTANT_ID.search(m)
    }
)
needs_docs = pytest.mark.skipif(
    not (ROOT / "docs").is_dir(),
    reason=f"docs/ is not beside the tests ({ROOT}): cwmock installed without its sources",
)


def test_parsing_finds_every_form_of_import() -> None:
    text = (
        "from cwmock.a import b, c as d\n    from cwmock.e import (\n        f,\n        g,\n    )\nimport cwmock.h\n"
    )
    assert shown_imports(text) == [("cwmock.a", "b"), ("cwmock.a", "c"), ("cwmock.e", "f"), ("cwmock.e", "g"),
                                   ("cwmock.h", None)]  # fmt: skip
    assert DOTTED_NAME.findall("`cwmock.x.y()` at http://cwmock.test and `python -m cwmock.z`") == [
        "cwmock.x.y",
        "cwmock.z",
    ]


@needs_docs
def test_the_docs_show_imports() -> None:
    assert len(IMPORTS) >= 10, IMPORTS
    assert len(NAMES) >= 10, NAMES


@needs_docs
@pytest.mark.parametrize(("page", "module", "name"), IMPORTS, ids=[f"{p}:{m}:{n}" for p, m, n in IMPORTS])
def test_a_shown_import_works(page: str, module: str, name: str | None) -> None:
    imported: ModuleType = importlib.import_module(module)
    if name is not None:
        assert hasattr(imported, name) or importlib.util.find_spec(f"{module}.{name}") is not None, (
            f"{page} shows `from {module} import {name}`, but {module} has no {name}: fix the page or re-export it"
        )


@needs_docs
@pytest.mark.parametrize(("page", "dotted"), NAMES, ids=[f"{p}:{d}" for p, d in NAMES])
def test_a_dotted_name_in_the_docs_exists(page: str, dotted: str) -> None:
    try:
        resolve(dotted)
    except (ImportError, AttributeError) as error:
        pytest.fail(f"{page} names `{dotted}`, which does not exist ({error}): fix the page or the code")
