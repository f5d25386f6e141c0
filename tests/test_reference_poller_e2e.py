"""The reference poller end to end: served emulator, served receiver, in-process and as `cwmock poller once`."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cwmock.contract_tests.emulator_control import EmulatorControl
from cwmock.contract_tests.harness import Harness, HarnessSettings
from cwmock.contract_tests.notification_format import validate_notification
from cwmock.contract_tests.plugin import LiveEmulator
from cwmock.contract_tests.receiver import Receiver
from cwmock.contract_tests.receiver_server import ReceiverServer, serve_receiver
from cwmock.contract_tests.targets import ExternalCommandTarget, PollerTarget
from cwmock.fixtures import read_fixture
from cwmock.poller.reference_target import ReferencePoller

pytestmark = pytest.mark.anyio

ONCE = [sys.executable, "-m", "cwmock", "poller", "once"]
TENANT = "cloudelements"


def _target(kind: str) -> PollerTarget:
    return ReferencePoller() if kind == "in-process" else ExternalCommandTarget(ONCE)


@pytest.fixture
def receiver_server(cwmock_live: LiveEmulator) -> Iterator[ReceiverServer]:
    with serve_receiver(Receiver(cwmock_live.emulator.clock)) as server:
        yield server


@pytest.fixture(params=["in-process", "external"])
async def harness(
    request: pytest.FixtureRequest, cwmock_live: LiveEmulator, receiver_server: ReceiverServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    control = EmulatorControl(cwmock_live.url)
    body = json.loads(read_fixture("instances/seed_example_polling.json"))
    settings = HarnessSettings(cwmock_live.url, f"{receiver_server.url}/hooks", tmp_path)
    harness = Harness(control, receiver_server.receiver, _target(request.param), body, settings)
    await harness.start()
    yield harness
    await control.aclose()


def _events(harness: Harness) -> list[tuple[str, str]]:
    """(objectId, date) of every event in every acknowledged delivery, one entry per delivery."""
    found = []
    for delivery in harness.receiver.deliveries():
        body: dict[str, Any] = json.loads(delivery.arrivals[0].body)
        found += [(e["objectId"], e["date"]) for e in body["message"]["events"]]
    return found


async def test_one_create_gives_one_event(harness: Harness) -> None:
    created = await harness.control.create_contact(
        TENANT, {"firstName": "Ada"}, stamp=harness.start_instant + timedelta(minutes=1)
    )
    [window] = await harness.run_windows(1)
    assert not window.outcome.crashed, window.outcome.detail
    assert window.outcome.next_due is None
    [arrival] = harness.receiver.arrivals()
    assert validate_notification(arrival.body) == []
    assert _events(harness) == [(str(created["id"]), "2026-01-01T00:01:00Z")]
