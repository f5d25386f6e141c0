"""The examples of the README and the docs run as users would run them: each marked block is its own pytest file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parents[2]
MARKER = "<!-- docs-test -->"
# A line holding only the marker, optional blank lines, then one ```python block.
MARKER_LINE = re.compile("^" + re.escape(MARKER) + r"[ \t]*$", re.MULTILINE)
MARKED_BLOCK = re.compile(MARKER_LINE.pattern + r"\n(?:[ \t]*\n)*```python\n(.*?)\n```", re.MULTILINE | re.DOTALL)


def pages() -> list[Path]:
    """README.md and every page of the docs site, in a stable order."""
    found = [ROOT / "README.md"] if (ROOT / "README.md").is_file() else []
    return found + sorted((ROOT / "docs").rglob("*.md"))


def marked_examples(page: Path) -> list[str]:
    """The code of every block of `page` marked for testing, in page order."""
    text = page.read_text(encoding="utf-8")
    examples = MARKED_BLOCK.findall(text)
    if len(MARKER_LINE.findall(text)) != len(examples):
        raise ValueError(f"each {MARKER} in {page.relative_to(ROOT)} must be followed by a ```python block")
    return examples


EXAMPLES = [
    (page.relative_to(ROOT).as_posix(), n, code) for page in pages() for n, code in enumerate(marked_examples(page), 1)
]
needs_docs = pytest.mark.skipif(
    not (ROOT / "docs").is_dir(),
    reason=f"docs/ is not beside the tests ({ROOT}): cwmock installed without its sources",
)


@needs_docs
def test_the_readme_and_the_docs_have_runnable_examples() -> None:
    where = {page for page, _, _ in EXAMPLES}
    assert {"README.md", "docs/quickstart.md", "docs/testing.md"} <= where, f"examples marked {MARKER} in: {where}"
    assert len(EXAMPLES) >= 5, f"mark the plugin examples with {MARKER}"


@needs_docs
@pytest.mark.parametrize(("page", "number", "code"), EXAMPLES, ids=[f"{page}-{n}" for page, n, _ in EXAMPLES])
def test_docs_example_runs(page: str, number: int, code: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_docs_example=code)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
    assert result.ret == pytest.ExitCode.OK, f"{page}, example {number}:\n" + "\n".join(result.outlines[-60:])
    outcomes = result.parseoutcomes()
    assert set(outcomes) == {"passed"}, outcomes
