"""The harness end to end: served emulator, served receiver, an external poller run window by window."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.reference_adapter import CrashOnce, ReferencePoller
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings
from cwmock.contract_tests.harness.targets import ExternalCommandTarget, PollOutcome, WindowContext, parse_next_due
from cwmock.contract_tests.oracle.inputs import VersionKey
from cwmock.contract_tests.oracle.verdict import FindingKind
from cwmock.fixtures import read_fixture
from cwmock.receiver.server import ReceiverServer
from cwmock.testing.plugin import LiveEmulator

pytestmark = pytest.mark.anyio

NAIVE = [sys.executable, "-m", "cwmock.contract_tests.zoo.naive_poller"]


@pytest.fixture
async def harness(cwmock_live: LiveEmulator, receiver_server: ReceiverServer, tmp_path: Path) -> AsyncIterator[Harness]:
    control = EmulatorControl(cwmock_live.url)
    body = json.loads(read_fixture("instances/seed_example_polling.json"))
    settings = HarnessSettings(cwmock_live.url, f"{receiver_server.url}/hooks", tmp_path)
    harness = Harness(control, receiver_server.receiver, ExternalCommandTarget(NAIVE), body, settings)
    await harness.start()
    yield harness
    await control.aclose()


async def test_the_instance_json_is_the_seed_body_plus_platform_fields(harness: Harness) -> None:
    written = json.loads(harness.instance_path.read_text())
    assert written["id"] == 1
    assert written["createdDate"] == "2026-01-01T00:00:00Z"
    assert written["token"]
    assert written["configuration"]["event.notification.callback.url"].endswith("/hooks")
    assert written["configuration"]["event.poller.configuration"]["contacts"]["idField"] == "id"
    env = harness.context(harness.start_instant).environment()
    assert env["TZ"] == "Asia/Kathmandu"
    assert env["CWMOCK_HUB_URL"].endswith("/elements/api-v2")
    assert env["CWMOCK_START"] == env["CWMOCK_NOW"] == "2026-01-01T00:00:00Z"
    assert env["CWMOCK_HUB_AUTH"].endswith(f"Element {written['token']}")


async def test_one_create_reaches_the_receiver_through_an_external_poller(harness: Harness) -> None:
    created = await harness.control.create_contact(
        "cloudelements", {"firstName": "Ada"}, stamp=harness.start_instant + timedelta(minutes=1)
    )
    [window] = await harness.run_windows(1)
    assert not window.outcome.crashed, window.outcome.detail
    assert window.end_seq > window.begin_seq
    [arrival] = harness.receiver.arrivals()
    body: dict[str, Any] = arrival.json()
    assert [e["objectId"] for e in body["message"]["events"]] == [str(created["id"])]


async def test_a_crash_is_recorded_and_the_next_window_continues(harness: Harness) -> None:
    harness.target = ExternalCommandTarget([sys.executable, "-c", "import sys; sys.exit(3)"])
    crashed = await harness.run_window()
    assert crashed.outcome.crashed
    assert crashed.outcome.detail == "exit status 3"
    assert not crashed.outcome.injected
    harness.target = ExternalCommandTarget(NAIVE)
    assert not (await harness.run_window()).outcome.crashed


async def test_a_protocol_error_is_a_crash_with_what_the_poller_printed(harness: Harness) -> None:
    harness.target = ExternalCommandTarget([sys.executable, "-c", "import sys; print('oops', file=sys.stderr)"])
    record = await harness.run_window()
    assert record.outcome.crashed
    assert record.outcome.detail.startswith("protocol error: the poller printed nothing")
    assert record.outcome.output == "oops"


async def test_a_kill_is_injected_only_where_the_suite_armed_one(harness: Harness) -> None:
    kill = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]
    harness.target = ExternalCommandTarget(kill)
    unarmed = await harness.run_window()
    assert (unarmed.outcome.detail, unarmed.outcome.injected) == ("killed by signal SIGKILL", False)
    harness.target = ExternalCommandTarget(kill, injected_crash="after_fetch")
    armed = await harness.run_window()
    assert (armed.outcome.detail, armed.outcome.injected) == ("killed by signal SIGKILL at after_fetch", True)
    harness.target = ExternalCommandTarget([sys.executable, "-c", "raise SystemExit(4)"], injected_crash="after_fetch")
    other = await harness.run_window()
    assert (other.outcome.detail, other.outcome.injected) == ("exit status 4", False)


@dataclass
class Raises:
    """An in-process target whose window raises."""

    name: str = "raises KeyError"

    async def poll_once(self, context: WindowContext) -> PollOutcome:
        raise KeyError("id")


async def test_an_in_process_target_that_raises_is_recorded_as_its_crash_and_judged_crashed(harness: Harness) -> None:
    harness.target = Raises()
    record = await harness.run_window()
    assert (record.outcome.crashed, record.outcome.injected) == (True, False)
    assert record.outcome.detail == "raised KeyError: 'id'"
    assert record.outcome.output.startswith("Traceback (most recent call last):")
    verdict = await harness.settle_and_judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.CRASHED, FindingKind.CRASHED, FindingKind.UNSETTLED]
    assert "    | KeyError: 'id'" in verdict.report()


async def test_a_reference_poller_crash_the_suite_did_not_arm_is_not_injected(harness: Harness) -> None:
    def broken_hook(point: str) -> None:
        raise ValueError(f"bug at {point}")

    harness.target = ReferencePoller(crash=broken_hook)
    record = await harness.run_window()
    assert (record.outcome.detail, record.outcome.injected) == ("raised ValueError: bug at after_fetch", False)
    harness.target = ReferencePoller(crash=CrashOnce("after_fetch"))
    record = await harness.run_window()
    assert (record.outcome.detail, record.outcome.injected) == (
        "raised InjectedCrash: simulated crash at after_fetch",
        True,
    )


async def test_a_poller_past_its_timeout_is_killed(harness: Harness) -> None:
    harness.target = ExternalCommandTarget(
        [sys.executable, "-c", "import threading; threading.Event().wait(30)"], timeout=0.5
    )
    record = await harness.run_window()
    assert record.outcome.crashed
    assert "--poller-timeout" in record.outcome.detail


@pytest.mark.parametrize(
    ("stdout", "problem"),
    [("", "printed nothing"), ("hello\n", "JSON"), ('{"due": 1}\n', "next_due"), ('{"next_due": 5}', "ISO")],
)
def test_the_last_line_protocol_is_enforced(stdout: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_next_due(stdout)


def test_next_due_is_read_from_the_last_line() -> None:
    assert parse_next_due('log line\n{"next_due": null}\n') is None
    due = parse_next_due('{"next_due": "2026-01-01T00:00:08Z"}')
    assert due is not None
    assert due.isoformat() == "2026-01-01T00:00:08+00:00"


async def test_the_judge_catches_the_naive_poller_losing_an_update_in_the_windows_own_second(
    harness: Harness,
) -> None:
    """The proof that the judge judges: strict `>` on a second-precision cursor loses same-second updates."""
    await harness.advance(15 * 60)
    window_start = await harness.control.now()
    await harness.run_window()  # window 1 polls at 00:15:00 and moves its cursor to 00:15:00
    late = await harness.control.create_contact("cloudelements", {"firstName": "Late"}, stamp=window_start)
    await harness.run_windows(1)  # window 2 asks for lastUpdated > 00:15:00 and never sees it
    verdict = await harness.settle_and_judge()
    assert not verdict.passed, verdict.report()
    assert [f.version for f in verdict.missing] == [VersionKey(late["id"], window_start)]
    assert not verdict.duplicated
    assert not verdict.malformed, verdict.report()
    assert "MISSING contact" in verdict.report()


async def test_the_naive_poller_passes_when_nothing_lands_on_a_window_boundary(harness: Harness) -> None:
    start = harness.start_instant
    await harness.control.create_contact("cloudelements", {"firstName": "Ada"}, stamp=start + timedelta(minutes=3))
    await harness.run_windows(2)
    await harness.control.create_contact("cloudelements", {"firstName": "Bob"}, stamp=start + timedelta(minutes=40))
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 2
