"""The engine's startup: it names the documented instance keys it keeps but does not emulate."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from cwmock.core.clock import ManualClock
from cwmock.core.instance.config import parse_instance
from cwmock.fixtures import read_fixture
from cwmock.poller.engine import PollerEngine, not_emulated_lines
from cwmock.poller.state import PollerState

S0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def seed_with(**settings: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(read_fixture("instances/seed_example_polling.json"))
    body["configuration"]["event.poller.configuration"]["contacts"].update(settings)
    return body


def test_the_seed_reports_nothing() -> None:
    assert not_emulated_lines(parse_instance(seed_with())) == []


def test_the_poller_says_at_startup_what_it_does_not_emulate(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    instance = parse_instance({**seed_with(batchSize=10, postHooks=[]), "id": 7})
    state = PollerState.open(tmp_path / "state")
    with caplog.at_level(logging.WARNING, logger="cwmock.poller"):
        PollerEngine(instance, hub_url="http://hub.test", hub_auth="a", state=state, clock=ManualClock(S0), start=S0)
    state.close()
    assert caplog.messages == [
        "instance 7, resource contacts: batchSize, postHooks kept but not emulated "
        "(docs/reference-poller.md#instance-keys)"
    ]
