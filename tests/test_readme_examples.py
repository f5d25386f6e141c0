"""The README's plugin examples run as users would run them: each marked block is its own pytest file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

README = Path(__file__).parents[1] / "README.md"
MARKER = "<!-- readme-test -->"
# A line holding only the marker, optional blank lines, then one ```python block.
MARKER_LINE = re.compile("^" + re.escape(MARKER) + r"[ \t]*$", re.MULTILINE)
MARKED_BLOCK = re.compile(MARKER_LINE.pattern + r"\n(?:[ \t]*\n)*```python\n(.*?)\n```", re.MULTILINE | re.DOTALL)


def readme_examples() -> list[str]:
    """The code of every block marked for testing, in README order."""
    text = README.read_text(encoding="utf-8")
    examples = MARKED_BLOCK.findall(text)
    if len(MARKER_LINE.findall(text)) != len(examples):
        raise ValueError(f"each {MARKER} in README.md must be followed by a ```python block")
    return examples


EXAMPLES = readme_examples() if README.is_file() else []
needs_readme = pytest.mark.skipif(
    not README.is_file(), reason=f"README.md is not next to the tests ({README}): cwmock installed without its sources"
)


@needs_readme
def test_the_readme_has_runnable_examples() -> None:
    assert len(EXAMPLES) >= 3, f"README.md should mark its plugin examples with {MARKER}"


@needs_readme
@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example-{n}" for n in range(1, len(EXAMPLES) + 1)])
def test_readme_example_runs(code: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_example=code)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
    assert result.ret == pytest.ExitCode.OK, "\n".join(result.outlines[-60:])
    outcomes = result.parseoutcomes()
    assert set(outcomes) == {"passed"}, outcomes
