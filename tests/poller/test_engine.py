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
from cwmock.poller import hub_client
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


CONTACTS = [
    {"id": n, "firstName": name, "score": 2.5, "_info": {"lastUpdated": "2026-01-01T00:04:00Z", "dateEntered": stamp}}
    for n, name, stamp in ((1, "Zoë", "2026-01-01T00:04:00Z"), (2, "Ann", "2025-06-01T00:00:00Z"), (3, "Bo", "x"))
]


async def _bodies(tmp_path: Path, page: bytes, raw: RawMode) -> list[bytes]:
    """The notification bodies one window queues when the hub answers every page with `page`."""
    instance = parse_instance({**seed_with(), "id": 7})
    state = PollerState.open(tmp_path)
    with respx.mock() as router:
        router.get(url__startswith="http://hub.test/").mock(
            side_effect=[httpx.Response(200, content=page), httpx.Response(200, content=b"[]")]
        )
        engine = PollerEngine(
            instance,
            hub_url="http://hub.test",
            hub_auth="a",
            state=state,
            clock=ManualClock(datetime(2026, 1, 1, 0, 5, tzinfo=timezone.utc)),
            start=S0,
            settings=EngineSettings(raw=raw),
        )
        await engine.poll(httpx.AsyncClient())
    bodies = [entry.body for entry in state.pending()]
    state.close()
    return bodies


@pytest.mark.anyio
@pytest.mark.parametrize("raw", ["page", "chunk"])
async def test_records_are_passed_on_as_the_hub_wrote_them(
    raw: RawMode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compact pages (the emulator's, ConnectWise's) give the very bytes the records dumped again gave; any other
    spelling is passed on as written, the same JSON."""
    compact = json.dumps(CONTACTS, separators=(",", ":"), ensure_ascii=False).encode()
    spaced = json.dumps(CONTACTS, indent=1).encode()  # spaces, newlines, \u escapes
    spliced = await _bodies(tmp_path / "compact", compact, raw)
    spaced_bodies = await _bodies(tmp_path / "spaced", spaced, raw)
    # The records dumped again, as when the page is read by the strict path:
    monkeypatch.setattr(hub_client, "read_json_elements", lambda body, key: (json.loads(body), None))
    dumped = await _bodies(tmp_path / "dumped", spaced, raw)
    assert spliced == dumped
    assert len(dumped) == 1
    assert spaced_bodies != dumped
    assert "\\u00eb" in spaced_bodies[0].decode()
    assert '"score": 2.5' in spaced_bodies[0].decode()
    assert [json.loads(body) for body in spaced_bodies] == [json.loads(body) for body in dumped]
