"""Citations in the code lead somewhere: every `docs/...md#anchor` exists; nothing cites a document outside the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SOURCES = ("cwmock", "emulator", "poller", "contract_tests", "fixtures", "tests", "bench", "docs", ".ci")
TOP_FILES = ("README.md", "pyproject.toml", "tox.ini", "mkdocs.yml")
SUFFIXES = {".py", ".json", ".java", ".md", ".toml", ".ini", ".yml", ".txt", ""}
CITATION = re.compile(r"(?<![\w/.-])docs/((?:[\w-]+/)*[\w-]+\.md)(?:#([\w-]+))?")
EXPLICIT_ID = re.compile(r"\{#([\w-]+)\}")
# Documents that are not in the repository; spelled in pieces so this file does not cite them itself.
OUTSIDE = (
    "DESIGN" + ".md",
    "../" + "shared",
    "§",
    "open-connectors-" + "polling.md",
    "fidelity-" + "evidence",
    "anchors" + ".md",
)


def source_files() -> list[Path]:
    """Every text file a reader of the repository can open, but the site's build output."""
    found = [ROOT / name for name in TOP_FILES if (ROOT / name).is_file()]
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                found.append(path)
    return found


def citations() -> list[tuple[str, str, str | None]]:
    """(citing file, cited page, anchor or None) for every docs page cited outside docs/."""
    found = []
    for path in source_files():
        if path.is_relative_to(ROOT / "docs"):
            continue  # pages link to each other relatively; the strict mkdocs build checks those
        for page, anchor in CITATION.findall(path.read_text(encoding="utf-8", errors="replace")):
            found.append((path.relative_to(ROOT).as_posix(), page, anchor or None))
    return sorted(set(found), key=lambda cited: (cited[0], cited[1], cited[2] or ""))


needs_docs = pytest.mark.skipif(
    not (ROOT / "docs").is_dir(),
    reason=f"docs/ is not beside the tests ({ROOT}): cwmock installed without its sources",
)
CITATIONS = citations() if (ROOT / "docs").is_dir() else []


@needs_docs
def test_the_code_cites_the_docs() -> None:
    cited = {page for _, page, _ in CITATIONS}
    assert {"design.md", "contract-suite/protocol.md"} <= cited, cited


@needs_docs
@pytest.mark.parametrize(("source", "page", "anchor"), CITATIONS, ids=[f"{s}->{p}#{a}" for s, p, a in CITATIONS])
def test_a_cited_page_and_anchor_exist(source: str, page: str, anchor: str | None) -> None:
    target = ROOT / "docs" / page
    assert target.is_file(), f"{source} cites docs/{page}, which does not exist"
    if anchor is not None:
        ids = EXPLICIT_ID.findall(target.read_text(encoding="utf-8"))
        assert anchor in ids, (
            f"{source} cites docs/{page}#{anchor}, but that page has no heading with {{#{anchor}}}; "
            "cite one of its anchors or give the heading that id"
        )


@needs_docs
def test_nothing_cites_a_document_outside_the_repository() -> None:
    me = Path(__file__).resolve()
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in source_files()
        if path.resolve() != me
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if any(word in line for word in OUTSIDE)
    ]
    assert not offenders, "cite a docs page (docs/<page>.md#<anchor>) or a named public source:\n" + "\n".join(
        offenders
    )
