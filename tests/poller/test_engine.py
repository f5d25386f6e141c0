"""The engine: what it says at startup about the instance keys it keeps but does not emulate, the page size it asks
the hub for."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from cwmock.core.clock import ManualClock
from cwmock.core.instance.config import parse_instance
from cwmock.fixtures import read_fixture
from cwmock.poller import engine as engine_module
from cwmock.poller import hub_client
from cwmock.poller.engine import EngineSettings, PollerEngine, RawMode, not_emulated_lines
from cwmock.poller.state import NewNotification, PollerState, StateTransaction

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


NOW = datetime(2026, 1, 1, 0, 5, tzinfo=timezone.utc)


def _contact(n: int, stamp: str | None = "2026-01-01T00:04:00Z") -> dict[str, Any]:
    return {"id": n, "firstName": f"C{n}", "_info": {"lastUpdated": stamp}}


def _page(records: list[dict[str, Any]], dated: bool, status: int = 200) -> httpx.Response:
    headers = {"Date": format_datetime(NOW, usegmt=True)} if dated else {}
    return httpx.Response(status, content=json.dumps(records, separators=(",", ":")).encode(), headers=headers)


class ScriptedHub(httpx.AsyncBaseTransport):
    """Each resource's pages in turn (by the path's last part); page `hold` of `held` waits for `gate`."""

    def __init__(self, pages: dict[str, list[httpx.Response]], held: str = "", hold: int = 0) -> None:
        self.pages = pages
        self.asked: dict[str, int] = {}
        self.held, self.hold = held, hold
        self.reached, self.gate = asyncio.Event(), asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        self.asked[name] = number = self.asked.get(name, 0) + 1
        if (name, number) == (self.held, self.hold):
            self.reached.set()
            await self.gate.wait()
        answers = self.pages[name]
        return answers[number - 1] if number <= len(answers) else _page([], dated=True)


def _two_resources() -> dict[str, Any]:
    body = seed_with()
    resources = body["configuration"]["event.poller.configuration"]
    resources["accounts"] = {
        **resources["contacts"],
        "url": resources["contacts"]["url"].replace("contacts", "accounts"),
    }
    return {**body, "id": 7}


def _engine(tmp_path: Path, hub: ScriptedHub, body: dict[str, Any], raw: RawMode = "page") -> PollerEngine:
    return PollerEngine(
        parse_instance(body),
        hub_url="http://hub.test",
        hub_auth="a",
        state=PollerState.open(tmp_path),
        clock=ManualClock(NOW),
        start=S0,
        settings=EngineSettings(raw=raw),
        transport=hub,
    )


def _outbox(state: PollerState) -> list[tuple[Any, ...]]:
    return [(e.number, e.webhook_id, e.resource, e.headers, e.body, e.events) for e in state.pending()]


# 27 records over three pages of ten: one without a date (skipped), one served twice (de-duplicated).
BURST = [
    [_contact(n) for n in range(1, 11)],
    [_contact(11, None), _contact(5), *[_contact(n) for n in range(12, 20)]],
    [_contact(n) for n in range(20, 27)],
]


@pytest.mark.anyio
@pytest.mark.parametrize("raw", ["page", "chunk"])
async def test_notifications_written_as_pages_arrive_are_those_written_at_the_end(raw: RawMode, tmp_path: Path) -> None:
    """With the hub's `Date` on the first page the window's time is known at once and each notification is written
    as soon as it is full; without it, only at the end (the clock's time, here the same second). Either way the
    same outbox, seen versions and cursor."""
    outcomes = []
    for dated in (True, False):
        hub = ScriptedHub({"contacts": [_page(page, dated) for page in BURST]})
        engine = _engine(tmp_path / str(dated), hub, {**seed_with(pageSize=10), "id": 7}, raw)
        report = await engine.poll(httpx.AsyncClient(transport=hub))
        state = engine.state
        outcomes.append((_outbox(state), state.seen_keys("contacts"), state.last_poll("contacts"), report.summary()))
        state.close()
    assert outcomes[0] == outcomes[1]
    outbox, seen, last_poll, summary = outcomes[0]
    assert "contacts: complete, 27 served, 25 new, 3 notification(s)" in summary
    assert [events for *_, events in outbox] == [10, 10, 5]
    assert len(seen) == 25
    assert last_poll == NOW


@pytest.mark.anyio
@pytest.mark.parametrize("failing", ["contacts", "accounts"])
async def test_a_resource_that_breaks_off_leaves_nothing_and_the_others_commit(failing: str, tmp_path: Path) -> None:
    """A resource whose second page fails had written its first page's notification in the window: it is undone
    alone; the complete resource's notifications commit, numbered from 1, with its cursor and seen versions."""
    broken = [_page(BURST[0], dated=True), _page([], dated=True, status=500)]
    whole = [_page(page, dated=True) for page in BURST]
    pages = {"contacts": whole, "accounts": whole, failing: broken}
    hub = ScriptedHub(pages)
    engine = _engine(tmp_path, hub, _two_resources())
    report = await engine.poll(httpx.AsyncClient(transport=hub))
    complete = "accounts" if failing == "contacts" else "contacts"
    outbox = _outbox(engine.state)
    assert [(number, resource, events) for number, _, resource, _, _, events in outbox] == [
        (1, complete, 10),
        (2, complete, 10),
        (3, complete, 5),
    ]
    assert engine.state.last_poll(failing) is None
    assert engine.state.seen_keys(failing) == set()
    assert engine.state.last_poll(complete) == NOW
    assert len(engine.state.seen_keys(complete)) == 25
    assert [(r.resource, r.complete, r.notifications) for r in report.resources] == [
        ("contacts", failing != "contacts", 0 if failing == "contacts" else 3),
        ("accounts", failing != "accounts", 0 if failing == "accounts" else 3),
    ]
    engine.state.close()


@pytest.mark.anyio
async def test_a_window_writing_is_seen_by_no_reader_and_requeueing_waits_for_it(tmp_path: Path) -> None:
    """While a window awaits a page, what it wrote is not in the outbox any reader of the state sees (a delivery
    pass, the dashboard), and parked notifications are queued again only once it has committed."""
    hub = ScriptedHub({"contacts": [_page(page, dated=True) for page in BURST]}, held="contacts", hold=3)
    engine = _engine(tmp_path, hub, {**seed_with(), "id": 7})
    window = asyncio.ensure_future(engine.poll(httpx.AsyncClient(transport=hub)))
    await hub.reached.wait()
    requeue = asyncio.ensure_future(engine.requeue())
    for _ in range(5):
        await asyncio.sleep(0)
    assert engine.state.pending() == []
    assert engine.state.meta("last_number") is None
    assert not requeue.done()
    hub.gate.set()
    await window
    assert await requeue == 0
    assert [entry.number for entry in engine.state.pending()] == [1, 2, 3]
    engine.state.close()


@pytest.mark.anyio
async def test_a_window_writes_its_notifications_a_batch_of_bytes_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notifications are written once those made hold `WRITE_BATCH_BYTES` (here about one and a half bodies), the
    rest at the end: a window holds a batch, not its burst. Each write is one statement."""
    body = {**seed_with(pageSize=10), "id": 7}
    first = ScriptedHub({"contacts": [_page(page, dated=True) for page in BURST]})
    engine = _engine(tmp_path / "sizes", first, body, "chunk")
    await engine.poll(httpx.AsyncClient(transport=first))
    sizes = [len(entry.body) for entry in engine.state.pending()]
    engine.state.close()
    writes: list[list[int]] = []
    enqueue_many = StateTransaction.enqueue_many

    def spy(tx: StateTransaction, notifications: Sequence[NewNotification], now: datetime) -> None:
        writes.append([notification.number for notification in notifications])
        enqueue_many(tx, notifications, now)

    monkeypatch.setattr(StateTransaction, "enqueue_many", spy)
    monkeypatch.setattr(engine_module, "WRITE_BATCH_BYTES", sizes[0] + sizes[1] // 2)
    hub = ScriptedHub({"contacts": [_page(page, dated=True) for page in BURST]})
    engine = _engine(tmp_path / "batched", hub, body, "chunk")
    await engine.poll(httpx.AsyncClient(transport=hub))
    assert writes == [[1, 2], [3]]
    assert [len(entry.body) for entry in engine.state.pending()] == sizes
    engine.state.close()
