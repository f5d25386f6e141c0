"""The stateful property test judges: it passes the reference poller and fails pollers known to be wrong.

Runs use the `ci` profile (derandomized, no shrinking), so a failing run stops at its first failing example.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
from cwmock.contract_tests.harness.targets import PollerTarget, PollOutcome, WindowContext
from cwmock.contract_tests.stateful.machine import PollerContractMachine, StatefulStack, machine_for
from cwmock.contract_tests.stateful.model import InstanceVariant
from cwmock.contract_tests.stateful.settings import stateful_settings
from cwmock.fixtures import read_fixture
from cwmock.poller.engine import EngineSettings
from cwmock.receiver.records import Arrival
from cwmock.receiver.server import ReceiverServer
from cwmock.testing.plugin import LiveEmulator

from support.contract_runs import pytest_in_subprocess

RunMachine = Callable[[PollerTarget, settings], None]


@pytest.fixture
def run_machine(cwmock_server: LiveEmulator, cwmock_receiver_server: ReceiverServer, tmp_path: Path) -> RunMachine:
    """Run the stateful machine against `target` with the given settings (one stack, reset per example)."""
    body = json.loads(read_fixture("instances/seed_example_polling.json"))

    def run(target: PollerTarget, profile: settings) -> None:
        stack = StatefulStack(cwmock_server, cwmock_receiver_server, target, body, tmp_path)
        run_state_machine_as_test(machine_for(stack), settings=profile)

    return run


def first_failure_only(name: str) -> settings:
    """The profile, reporting the first failure found (no shrinking in `ci`, so this stops early)."""
    return settings(stateful_settings(name), report_multiple_bugs=False)


@dataclass
class ForgetsItsState:
    """The reference poller with a new, empty state directory every window: it sends again what it sent."""

    inner: ReferencePoller = field(default_factory=ReferencePoller)
    name: str = "the reference poller, forgetting its state"
    windows: int = 0

    async def poll_once(self, context: WindowContext) -> PollOutcome:
        self.windows += 1
        fresh = context.state_dir / f"window-{self.windows}"
        fresh.mkdir(parents=True)
        return await self.inner.poll_once(replace(context, state_dir=fresh))


def test_the_reference_poller_passes_in_process(run_machine: RunMachine) -> None:
    run_machine(ReferencePoller(), settings(stateful_settings("dev"), max_examples=5))


def test_the_documented_strict_algorithm_fails_required(run_machine: RunMachine) -> None:
    with pytest.raises(AssertionError, match=r"(?s)FAIL instance .*MISSING contact"):
        run_machine(ReferencePoller(EngineSettings(strict=True)), first_failure_only("ci"))


def test_a_poller_that_forgets_what_it_sent_is_caught_duplicating(run_machine: RunMachine) -> None:
    with pytest.raises(AssertionError, match=r"DUPLICATED contact"):
        run_machine(ForgetsItsState(), first_failure_only("ci"))


@pytest.fixture
def machine(
    cwmock_server: LiveEmulator, cwmock_receiver_server: ReceiverServer, tmp_path: Path
) -> Iterator[PollerContractMachine]:
    """A machine driven by hand: started, with three contacts written one second after s₀ and one window run."""
    body = json.loads(read_fixture("instances/seed_example_polling.json"))
    machine = PollerContractMachine(
        StatefulStack(cwmock_server, cwmock_receiver_server, ReferencePoller(), body, tmp_path)
    )
    try:
        machine.start(InstanceVariant(), offset=1.0, seeded=3)
        machine.run_window()
        assert len(cwmock_receiver_server.receiver.arrivals()) == 1
        yield machine
    finally:
        machine.broken = True  # the hand-made copies would fail the settle's verdict too: only clean up
        machine.teardown()


def post_again(server: ReceiverServer, arrival: Arrival, webhook_id: str, body: bytes | None = None) -> None:
    """Send a copy of `arrival` to the receiver under another webhook id (and maybe another body)."""
    replaced = {"content-length", "elements-webhook-id"}
    headers = {name: value for name, value in arrival.headers if name.lower() not in replaced}
    headers["Elements-Webhook-Id"] = webhook_id
    httpx.post(f"{server.url}{arrival.path}", content=body or arrival.body, headers=headers, timeout=5)


def test_the_safety_invariant_fails_as_soon_as_a_version_arrives_twice(
    machine: PollerContractMachine, cwmock_receiver_server: ReceiverServer
) -> None:
    machine.nothing_forbidden_has_arrived()
    [sent] = cwmock_receiver_server.receiver.arrivals()
    post_again(cwmock_receiver_server, sent, "another-id")
    with pytest.raises(AssertionError, match=r"before the settle:\nDUPLICATED contact 1 @ 2026-01-01T00:00:01Z"):
        machine.nothing_forbidden_has_arrived()


def test_the_model_invariant_fails_on_an_event_for_a_version_never_written(
    machine: PollerContractMachine, cwmock_receiver_server: ReceiverServer
) -> None:
    machine.every_event_names_a_version_that_was_written()
    [sent] = cwmock_receiver_server.receiver.arrivals()
    document = sent.json()
    event = document["message"]["events"][0]
    assert event["date"] == "2026-01-01T00:00:01Z"
    event["date"] = "2026-01-01T00:00:02Z"
    post_again(cwmock_receiver_server, sent, "forged-id", json.dumps(document).encode())
    with pytest.raises(
        AssertionError, match=rf"contact {event['objectId']} @ 2026-01-01T00:00:02Z, a version never written"
    ):
        machine.every_event_names_a_version_that_was_written()


def test_the_stateful_test_fails_the_naive_poller_through_poller_cmd() -> None:
    naive = f"{sys.executable} -m cwmock.contract_tests.zoo.naive_poller"
    done = pytest_in_subprocess(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "cwmock.contract_tests.stateful.test_runs",
            "-p",
            "no:cacheprovider",
            "-q",
            "--poller-cmd",
            naive,
            "--cwmock-profile",
            "ci",
        ],
        timeout=240,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "1 failed" in output, output
    assert "FAIL instance" in output or "safety clauses failed" in output, output
