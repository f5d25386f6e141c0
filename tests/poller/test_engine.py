"""The engine: what it says at startup about the instance keys it keeps but does not emulate, the page size it asks
the hub for."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from cwmock.core.clock import ManualClock
from cwmock.core.instance.config import parse_instance
from cwmock.fixtures import read_fixture
from cwmock.poller.engine import EngineSettings, PollerEngine, RawMode, not_emulated_lines
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


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("raw", "settings", "asked"),
    [("page", {}, "10"), ("chunk", {}, "1000"), ("page", {"pageSize": 7}, "7"), ("chunk", {"pageSize": 7}, "7")],
)
async def test_the_page_size_asked_of_the_hub(
    raw: RawMode, settings: dict[str, Any], asked: str, tmp_path: Path
) -> None:
    """The instance's `pageSize`, else 10 under raw `page` (each notification repeats its page) and the hub's largest
    page, 1,000, under raw `chunk`."""
    instance = parse_instance({**seed_with(**settings), "id": 7})
    state = PollerState.open(tmp_path / "state")
    with respx.mock() as router:
        route = router.get(url__startswith="http://hub.test/").mock(return_value=httpx.Response(200, json=[]))
        engine = PollerEngine(
            instance,
            hub_url="http://hub.test",
            hub_auth="a",
            state=state,
            clock=ManualClock(S0),
            start=S0,
            settings=EngineSettings(raw=raw),
        )
        await engine.run_window()
    state.close()
    assert [call.request.url.params["pageSize"] for call in route.calls] == [asked]
