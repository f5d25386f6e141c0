"""A failing contract scenario writes its verdict as an HTML timeline and names the file in the failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SCENARIO = """
from datetime import timedelta

import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_expects_two_required_versions(cwmock_harness):
    start = cwmock_harness.start_instant
    stamp = start + timedelta(minutes=1)
    await cwmock_harness.control.create_contact("cloudelements", {"firstName": "Ada"}, stamp=stamp)
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert verdict.required == 2


async def test_fails_before_judging(cwmock_harness):
    assert False, "nothing judged"


async def test_passes(cwmock_harness):
    await cwmock_harness.settle_and_judge()
"""


def test_a_failing_judged_scenario_names_its_timeline(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_scenario=SCENARIO)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    output = result.stdout.str()
    found = re.findall(r"the verdict as a timeline \(open it in a browser\): (\S+)", output)
    assert len(found) == 1, output
    page = Path(found[0])
    assert page.name == "verdict-timeline.html"
    assert "test_expects_two" in str(page)  # in the failing test's own temporary directory
    text = page.read_text(encoding="utf-8")
    assert "PASS instance 1: 1 required version(s)" in text
    assert "contact 1" in text
