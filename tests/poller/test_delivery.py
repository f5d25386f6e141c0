"""Delivery against respx routes on a ManualClock: exact retry times, Retry-After, 410, timeouts, parking,
signing and the egress guard, asserted on the calls respx recorded."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
import respx

from cwmock.contract_tests.oracle.notification_format import validate_notification
from cwmock.core.clock import ManualClock
from cwmock.core.instance.config import parse_instance
from cwmock.core.timestamps import format_cw, http_date
from cwmock.poller import delivery
from cwmock.poller.delivery import DEFAULT_MAX_IN_FLIGHT, AttemptResult, Deliverer, RetryPolicy, retry_after_value
from cwmock.poller.engine import EngineSettings, PollerEngine, WindowReport
from cwmock.poller.signing import signature_header
from cwmock.poller.state import OutboxEntry, PollerState

pytestmark = pytest.mark.anyio

S0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
HUB = "http://hub.test/elements/api-v2"
CALLBACK = "http://receiver.test/hooks"
KEY = "MySecretEventSignatureKey"


def instance_body(callback: str = CALLBACK, key: str | None = None) -> dict[str, Any]:
    configuration: dict[str, Any] = {
        "baseUrl": "https://api.test/v4_6_release/apis/3.0",
        "company": "cloudelements",
        "public.key": "pub",
        "private.key": "priv",
        "event.notification.enabled": True,
        "event.notification.callback.url": callback,
        "event.poller.refresh_interval": 15,
        "event.poller.configuration": {
            "contacts": {
                "url": "/hubs/crm/contacts?where=lastUpdated>'${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'",
                "idField": "id",
                "pageSize": 1000,  # the hub below answers every record on one page, whatever the paging asked
                "datesConfiguration": {
                    "updatedDateField": "_info.lastUpdated",
                    "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'",
                    "updatedDateTimezone": "GMT",
                    "createdDateField": "_info.lastUpdated",
                    "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'",
                    "createdDateTimezone": "GMT",
                },
            }
        },
    }
    if key:
        configuration["event.notification.signature.key"] = key
    body = {"element": {"key": "connectwisecrmrest"}, "name": "Unit", "tags": ["t"], "configuration": configuration}
    return {**body, "id": 7, "token": "tok", "createdDate": "2026-01-01T00:00:00Z"}


@dataclass
class World:
    """A hub answering from `records`, a callback route, and an engine on a ManualClock."""

    clock: ManualClock
    engine: PollerEngine
    hub: respx.Route
    callback: respx.Route
    records: list[dict[str, Any]]

    async def window_at(self, instant: datetime) -> WindowReport:
        self.clock.set(instant)
        return await self.engine.run_window()


def contact(contact_id: int, at: datetime) -> dict[str, Any]:
    return {"id": contact_id, "firstName": f"C{contact_id}", "_info": {"lastUpdated": format_cw(at)}}


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    options: dict[str, Any] = getattr(request, "param", {})
    clock = ManualClock(S0)
    records: list[dict[str, Any]] = []

    def hub_answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=records, headers={"Date": http_date(clock.now())})

    with respx.mock(assert_all_called=False) as router:
        hub = router.get(url__startswith=HUB).mock(side_effect=hub_answer)
        callback = router.post(url__startswith=options.get("callback", CALLBACK)).mock(
            return_value=httpx.Response(200, json={})
        )
        state = PollerState.open(tmp_path / "state")
        engine = PollerEngine(
            parse_instance(instance_body(options.get("callback", CALLBACK), options.get("key"))),
            hub_url=HUB,
            hub_auth="User u, Organization o, Element tok",
            state=state,
            clock=clock,
            start=S0,
            settings=EngineSettings(allowed_hosts=("receiver.test",), retry=options.get("retry", RetryPolicy())),
        )
        yield World(clock, engine, hub, callback, records)
        state.close()


async def test_retry_k_is_due_8_to_the_k_seconds_after_attempt_k_failed_then_parked(world: World) -> None:
    world.callback.mock(return_value=httpx.Response(500))
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    report = await world.window_at(S0 + timedelta(minutes=1))
    expected = [S0 + timedelta(minutes=1)]
    for k in range(1, 6):
        assert report.next_due == expected[-1] + timedelta(seconds=8**k)
        expected.append(report.next_due)
        report = await world.window_at(report.next_due)
    assert report.next_due is None
    assert report.delivery.parked == 1
    assert world.callback.call_count == 6
    bodies = {call.request.content for call in world.callback.calls}
    ids = {call.request.headers["Elements-Webhook-Id"] for call in world.callback.calls}
    assert len(bodies) == 1
    assert len(ids) == 1
    [parked] = world.engine.state.parked()
    assert parked.attempts == 6
    assert parked.last_error is not None
    assert "HTTP 500" in parked.last_error


async def test_a_parked_notification_is_redelivered_on_request(world: World) -> None:
    world.callback.mock(return_value=httpx.Response(410))
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert report.delivery.parked == 1, "410 Gone parks at once"
    assert report.next_due is None
    assert world.engine.state.redeliver() == 1
    world.callback.mock(return_value=httpx.Response(204))
    report = await world.window_at(S0 + timedelta(minutes=16))
    assert report.delivery.delivered == 1
    assert world.engine.state.parked() == []
    assert world.callback.calls[0].request.content == world.callback.calls[1].request.content


@pytest.mark.parametrize(("status", "header", "wait"), [(429, "120", 120), (503, "30", 30), (500, "120", 8)])
async def test_retry_after_is_honoured_on_429_and_503(world: World, status: int, header: str, wait: int) -> None:
    world.callback.mock(return_value=httpx.Response(status, headers={"Retry-After": header}))
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert report.next_due == S0 + timedelta(minutes=1, seconds=wait)


async def test_a_retry_after_date_is_honoured(world: World) -> None:
    later = S0 + timedelta(minutes=5)
    world.callback.mock(return_value=httpx.Response(429, headers={"Retry-After": http_date(later)}))
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert report.next_due == later


async def test_a_timeout_counts_as_a_failed_attempt(world: World) -> None:
    world.callback.mock(side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200)])
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert report.delivery.failed == 1
    assert report.next_due == S0 + timedelta(minutes=1, seconds=8)
    report = await world.window_at(report.next_due)
    assert report.delivery.delivered == 1
    assert report.next_due is None


@pytest.mark.parametrize("world", [{"retry": RetryPolicy(base_seconds=2, retries=2)}], indirect=True)
async def test_the_retry_schedule_is_configurable(world: World) -> None:
    world.callback.mock(return_value=httpx.Response(500))
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    start = S0 + timedelta(minutes=1)
    first = await world.window_at(start)
    assert first.next_due == start + timedelta(seconds=2)
    assert first.next_due is not None
    second = await world.window_at(first.next_due)
    assert second.next_due == first.next_due + timedelta(seconds=4)
    assert second.next_due is not None
    third = await world.window_at(second.next_due)
    assert third.next_due is None
    assert third.delivery.parked == 1


@pytest.mark.parametrize("world", [{"key": KEY}], indirect=True)
async def test_a_signed_notification_carries_the_hmac_of_its_exact_bytes(world: World) -> None:
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    await world.window_at(S0 + timedelta(minutes=1))
    request = world.callback.calls.last.request
    expected = base64.b64encode(hmac.new(KEY.encode(), request.content, hashlib.sha256).digest()).decode()
    assert request.headers["Elements-Webhook-Signature"] == f"sha256={expected}"
    assert request.headers["Content-Type"] == "application/json"
    assert validate_notification(request.content) == []


def test_the_published_signature_vector() -> None:
    published = "sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ="
    assert signature_header(KEY, b"<INSERT_EVENT_NOTIFICATION_RESPONSE_BODY>") == published


async def test_an_unsigned_instance_sends_no_signature(world: World) -> None:
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    await world.window_at(S0 + timedelta(minutes=1))
    assert "Elements-Webhook-Signature" not in world.callback.calls.last.request.headers


@pytest.mark.parametrize("world", [{"callback": "http://mycoolapp.com/hooks"}], indirect=True)
async def test_an_outside_callback_host_is_parked_without_a_connection(world: World) -> None:
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert world.callback.call_count == 0
    assert report.delivery.parked == 1
    [parked] = world.engine.state.parked()
    assert parked.last_error is not None
    assert "egress guard" in parked.last_error


async def test_the_hub_request_renders_the_lower_bound_and_sends_the_hub_auth(world: World) -> None:
    await world.window_at(S0 + timedelta(minutes=15))
    await world.window_at(S0 + timedelta(minutes=30))
    first, second = (call.request for call in world.hub.calls)
    assert first.url.params["where"] == "lastUpdated>'2026-01-01T00:00:00Z'"
    assert second.url.params["where"] == "lastUpdated>'2026-01-01T00:14:59Z'", "start minus the 1 s overlap"
    assert first.headers["Authorization"] == "User u, Organization o, Element tok"


async def test_a_failing_hub_leaves_the_cursor_and_still_delivers_what_is_due(world: World) -> None:
    world.callback.mock(side_effect=[httpx.Response(500), httpx.Response(200)])
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert report.next_due is not None
    world.hub.mock(return_value=httpx.Response(502))
    report = await world.window_at(report.next_due)
    assert not report.resources[0].complete
    assert report.delivery.delivered == 1
    assert world.engine.state.last_poll("contacts") == S0 + timedelta(minutes=1)


async def test_the_seen_set_stays_bounded_by_the_window(world: World) -> None:
    for window in range(1, 9):
        at = S0 + timedelta(minutes=15 * window)
        world.records[:] = [contact(n, at - timedelta(seconds=n % 5)) for n in range(window * 20, window * 20 + 20)]
        await world.window_at(at)
        assert world.engine.state.seen_count() <= 40, "only versions inside the overlap are remembered"
    assert world.engine.state.delivered_count() == 8 * 2
    delivered = [json.loads(call.request.content) for call in world.callback.calls]
    assert sum(len(d["message"]["events"]) for d in delivered) == 160


async def test_deliveries_run_concurrently_up_to_the_bound_each_keeping_its_id_bytes_and_schedule(
    world: World,
) -> None:
    in_flight = 0
    most = 0
    attempts: dict[str, int] = {}

    async def receiver(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        for _ in range(5):  # let the other attempts start before this one answers
            await asyncio.sleep(0)
        in_flight -= 1
        webhook_id = request.headers["Elements-Webhook-Id"]
        attempts[webhook_id] = attempts.get(webhook_id, 0) + 1
        failing = int(json.loads(request.content)["message"]["events"][0]["objectId"]) % 3 == 0
        return httpx.Response(500 if failing and attempts[webhook_id] == 1 else 200)

    world.callback.mock(side_effect=receiver)
    world.records.extend(contact(n, S0 + timedelta(seconds=30)) for n in range(1, 100))  # one hub page
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert most == DEFAULT_MAX_IN_FLIGHT, "attempts overlap, never more than the bound"
    assert len(attempts) == 10
    assert report.delivery.delivered + report.delivery.failed == 10
    assert report.delivery.failed > 0
    assert report.next_due == S0 + timedelta(minutes=1, seconds=8), "a failed attempt keeps its retry schedule"
    first_bodies = {call.request.headers["Elements-Webhook-Id"]: call.request.content for call in world.callback.calls}
    report = await world.window_at(report.next_due)
    assert report.delivery.delivered == sum(1 for count in attempts.values() if count == 2)
    assert world.engine.state.pending() == []
    for call in world.callback.calls:
        assert call.request.content == first_bodies[call.request.headers["Elements-Webhook-Id"]]
    assert all(count <= 2 for count in attempts.values())


async def test_strict_mode_never_de_duplicates_even_over_a_remembered_seen_set(world: World) -> None:
    """The documented algorithm, literally: no de-duplication, even when the state directory holds versions the
    default mode remembered (a record stamped ahead of the window stays above the next lower bound)."""
    world.records.append(contact(1, S0 + timedelta(hours=1)))
    await world.window_at(S0 + timedelta(minutes=15))
    assert world.engine.state.seen_count() == 1
    world.engine.settings = replace(world.engine.settings, strict=True)
    await world.window_at(S0 + timedelta(minutes=30))
    assert world.callback.call_count == 2, "strict mode sends it again"


def failing_stream() -> httpx.Response:
    """A 200 whose body breaks off while it is read."""

    class Broken(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            raise httpx.ReadError("connection reset while reading the body")
            yield b""  # type: ignore[unreachable]  # only makes this an async generator; it never yields

    return httpx.Response(200, stream=Broken())


async def test_a_connection_error_fails_the_attempt_and_says_why(world: World) -> None:
    world.callback.mock(side_effect=[httpx.ConnectError("connection refused"), httpx.Response(200)])
    world.records.append(contact(1, S0 + timedelta(seconds=30)))
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert (report.delivery.delivered, report.delivery.failed) == (0, 1), "refused is not delivered"
    [pending] = world.engine.state.pending()
    assert pending.last_error == "ConnectError: connection refused"
    report = await world.window_at(S0 + timedelta(minutes=1, seconds=8))
    assert report.delivery.delivered == 1


async def attempt_once(answer: httpx.Response | Exception) -> tuple[AttemptResult, list[str]]:
    """One attempt at a callback answering `answer`; its result and the crash points it reached."""
    reached: list[str] = []
    with respx.mock() as router:
        router.post(CALLBACK).mock(side_effect=[answer])
        async with httpx.AsyncClient() as client:
            state = cast(PollerState, None)  # an attempt only sends: it never reads or writes the state
            deliverer = Deliverer(
                client, state, ManualClock(S0), allowed_hosts=("receiver.test",), crash=reached.append
            )
            entry = cast(OutboxEntry, SimpleNamespace(url=CALLBACK, headers=(), body=b"{}"))
            return await deliverer.attempt(entry), reached


async def test_a_timeout_is_recorded_as_one() -> None:
    result, _ = await attempt_once(httpx.ReadTimeout("slow"))
    assert (result.delivered, result.error) == (False, "timed out: ReadTimeout")


async def test_a_body_that_breaks_off_after_a_2xx_fails_the_attempt_after_the_send() -> None:
    """`after_send` is where the receiver has the request: it is reached even when the answer then breaks off."""
    result, reached = await attempt_once(failing_stream())
    assert (result.delivered, result.error) == (False, "ReadError: connection reset while reading the body")
    assert result.status == 200, "the status the receiver sent before the body broke off is kept"
    assert reached == ["after_send"]


@pytest.mark.parametrize(("status", "delivered"), [(199, False), (200, True), (299, True), (300, False), (301, False)])
async def test_only_2xx_is_delivered(status: int, delivered: bool) -> None:
    result, _ = await attempt_once(httpx.Response(status))
    assert result.delivered is delivered


async def test_a_refusal_records_the_status_and_the_start_of_the_answer() -> None:
    result, _ = await attempt_once(httpx.Response(500, text="x" * 300))
    assert result.error == "HTTP 500: " + "x" * 200


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("0000000000005", 5),
        ("00000000000000000000", 0),
        ("99999999999999999999", 36_500 * 86_400),
        ("9" * 5000, 36_500 * 86_400),  # longer than Python converts to an int at all
        ("7", 7),
    ],
)
def test_retry_after_seconds_may_have_leading_zeros_and_are_held_at_36500_days(header: str, seconds: int) -> None:
    assert retry_after_value(header, S0) == timedelta(seconds=seconds)


def test_no_retry_after_header_is_no_delay() -> None:
    # Both attempt paths read an absent header as "" (httpx's `.get(..., "")`, the direct path's `or ""`).
    assert retry_after_value("", S0) is None
    assert retry_after_value("   ", S0) is None


def test_a_retry_after_date_without_a_zone_is_unreadable() -> None:
    assert retry_after_value("Wed, 21 Oct 2026 07:28:00 -0000", S0) is None


async def test_one_pass_counts_every_notification_it_handled(world: World) -> None:
    world.records.extend(contact(n, S0 + timedelta(seconds=30)) for n in range(25))
    world.callback.mock(return_value=httpx.Response(500))
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert (report.delivery.delivered, report.delivery.failed, report.delivery.parked) == (0, 3, 0)
    world.callback.mock(return_value=httpx.Response(410))
    report = await world.window_at(S0 + timedelta(minutes=2))
    assert (report.delivery.delivered, report.delivery.failed, report.delivery.parked) == (0, 0, 3)
    assert world.engine.state.redeliver() == 3
    world.callback.mock(return_value=httpx.Response(200))
    report = await world.window_at(S0 + timedelta(minutes=3))
    assert (report.delivery.delivered, report.delivery.failed, report.delivery.parked) == (3, 0, 0)


class Crashed(Exception):
    """The test's stand-in for a kill at a crash point."""


async def test_acknowledgements_are_stored_in_batches_and_all_of_them_when_a_pass_breaks_off(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "ACK_BATCH", 20)
    world.records.extend(contact(n, S0 + timedelta(seconds=30)) for n in range(1, 901))  # 90 notifications, one page
    state = world.engine.state
    batches: list[int] = []
    store = state.mark_delivered_many

    def counted(numbers: Sequence[int]) -> None:
        batches.append(len(numbers))
        store(numbers)

    monkeypatch.setattr(state, "mark_delivered_many", counted)
    acks = 0

    def crash(point: str) -> None:
        nonlocal acks
        if point == "after_ack":
            acks += 1
            if acks == 50:
                raise Crashed(point)

    world.engine.crash = crash
    with pytest.raises(Crashed):
        await world.window_at(S0 + timedelta(minutes=1))
    stored = acks - 1  # every acknowledgement but the one the crash interrupted (other workers may have gone on)
    assert stored >= 49
    assert sum(batches) == stored
    assert batches[:-1] == [20] * (len(batches) - 1), "one transaction per batch, then the rest at the break"
    assert state.delivered_count() == stored
    assert len(state.pending()) == 90 - stored, "the interrupted acknowledgement and the rest stay due"
    world.engine.crash = lambda point: None
    first_pass = len(batches)
    report = await world.window_at(S0 + timedelta(minutes=2))
    assert report.delivery.delivered == 90 - stored
    assert sum(batches[first_pass:]) == 90 - stored
    assert state.pending() == []
    assert state.delivered_count() == 90


async def test_one_delivery_in_flight_means_attempts_one_after_another_oldest_first(world: World) -> None:
    world.engine.settings = replace(world.engine.settings, max_in_flight=1)
    in_flight = 0
    most = 0
    order: list[int] = []

    async def receiver(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        for _ in range(5):  # room for a second worker to start, were there one
            await asyncio.sleep(0)
        in_flight -= 1
        order.append(int(json.loads(request.content)["message"]["events"][0]["objectId"]))
        return httpx.Response(200)

    world.callback.mock(side_effect=receiver)
    world.records.extend(contact(n, S0 + timedelta(seconds=30)) for n in range(1, 51))  # 5 notifications
    report = await world.window_at(S0 + timedelta(minutes=1))
    assert report.delivery.delivered == 5
    assert most == 1, "--max-in-flight 1: never two attempts at once"
    assert order == sorted(order), "started oldest first"


async def test_an_attempt_that_raises_stops_the_other_workers_before_the_error_propagates(world: World) -> None:
    """A crash hook (or a bug) in one attempt cancels the others: nothing is attempted after the pass broke off."""
    started = 0

    async def receiver(request: httpx.Request) -> httpx.Response:
        nonlocal started
        started += 1
        for _ in range(5):
            await asyncio.sleep(0)
        return httpx.Response(200)

    crashed = False

    def crash(point: str) -> None:
        nonlocal crashed
        if point == "after_ack" and not crashed:  # only the first: workers left running would deliver the rest
            crashed = True
            raise Crashed(point)

    world.callback.mock(side_effect=receiver)
    world.engine.crash = crash
    world.records.extend(contact(n, S0 + timedelta(seconds=30)) for n in range(1, 301))  # 30 notifications
    before = asyncio.all_tasks()
    with pytest.raises(Crashed):
        await world.window_at(S0 + timedelta(minutes=1))
    left = [task for task in asyncio.all_tasks() - before if not task.done()]
    assert left == [], "the cancelled workers have unwound before the error propagates: no task is left behind"
    at_the_break = started
    for _ in range(50):  # workers left running would go on attempting now
        await asyncio.sleep(0)
    assert started == at_the_break
    # Attempts already in flight may finish and be acknowledged (and stored) as the break unwinds; no worker goes
    # on to the rest of the outbox.
    assert at_the_break <= DEFAULT_MAX_IN_FLIGHT * 2, "the pass broke off at the first acknowledgement"
    assert len(world.engine.state.pending()) >= 30 - DEFAULT_MAX_IN_FLIGHT * 2, "the rest stays due"


async def test_a_callback_url_that_cannot_be_parsed_is_parked_not_raised() -> None:
    async with httpx.AsyncClient() as client:
        deliverer = Deliverer(client, cast(PollerState, None), ManualClock(S0))
        entry = cast(OutboxEntry, SimpleNamespace(url="http://localhost:port/hooks", headers=(), body=b"{}"))
        result = await deliverer.attempt(entry)
    assert (result.delivered, result.park_now) == (False, True)
    assert "cannot be parsed" in result.error
