"""The harness fixtures: a failing contract scenario writes its verdict as an HTML timeline and names the file in the
failure; the session's in-process reference pollers share one SSL context."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import pytest

from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
from cwmock.contract_tests.harness.targets import PollerTarget

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


def test_the_sessions_in_process_pollers_share_one_verifying_ssl_context(
    cwmock_poller_target: PollerTarget,
    cwmock_reference_poller: ReferencePoller,
    cwmock_reference_ssl_context: ssl.SSLContext,
) -> None:
    assert isinstance(cwmock_poller_target, ReferencePoller), "no --poller-cmd in this session: the reference poller"
    assert cwmock_poller_target.ssl_context is cwmock_reference_ssl_context
    assert cwmock_reference_poller.ssl_context is cwmock_reference_ssl_context
    assert cwmock_reference_ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert cwmock_reference_ssl_context.check_hostname
