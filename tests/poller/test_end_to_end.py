"""The reference poller end to end: served emulator, served receiver, in-process and as `cwmock poller once`."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.reference_adapter import CrashOnce, ReferencePoller
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings
from cwmock.contract_tests.harness.targets import ExternalCommandTarget, PollerTarget
from cwmock.contract_tests.oracle.notification_format import validate_notification
from cwmock.fixtures import read_fixture
from cwmock.poller.engine import EngineSettings
from cwmock.receiver.server import ReceiverServer
from cwmock.testing.plugin import LiveEmulator

pytestmark = pytest.mark.anyio

ONCE = [sys.executable, "-m", "cwmock", "poller", "once"]
TENANT = "cloudelements"
BuildHarness = Callable[..., Awaitable[Harness]]


def target(kind: str) -> PollerTarget:
    """The reference poller in-process, or as the external command `cwmock poller once`."""
    return ReferencePoller() if kind == "in-process" else ExternalCommandTarget(ONCE)


def seed_body(**contacts_settings: Any) -> dict[str, Any]:
    """The seed's instance body, with extra settings for the contacts resource."""
    body: dict[str, Any] = json.loads(read_fixture("instances/seed_example_polling.json"))
    body["configuration"]["event.poller.configuration"]["contacts"].update(contacts_settings)
    return body


@pytest.fixture(params=["in-process", "external"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def build(
    kind: str, cwmock_live: LiveEmulator, receiver_server: ReceiverServer, tmp_path: Path
) -> AsyncIterator[BuildHarness]:
    controls: list[EmulatorControl] = []

    async def make(body: dict[str, Any] | None = None, poller: PollerTarget | None = None) -> Harness:
        control = EmulatorControl(cwmock_live.url)
        controls.append(control)
        settings = HarnessSettings(cwmock_live.url, f"{receiver_server.url}/hooks", tmp_path)
        harness = Harness(control, receiver_server.receiver, poller or target(kind), body or seed_body(), settings)
        await harness.start()
        return harness

    yield make
    for control in controls:
        await control.aclose()


@pytest.fixture
async def harness(build: BuildHarness) -> Harness:
    return await build()


def delivered_versions(harness: Harness) -> list[tuple[str, str]]:
    """(objectId, date) of every event, once per delivery (arrivals sharing an id and bytes are one)."""
    found = []
    for delivery in harness.receiver.deliveries():
        assert not delivery.conflicting, f"webhook id {delivery.webhook_id} came with different bodies"
        body: dict[str, Any] = json.loads(delivery.arrivals[0].body)
        found += [(e["objectId"], e["date"]) for e in body["message"]["events"]]
    return found


def stamp(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_all_well_formed(harness: Harness) -> None:
    for arrival in harness.receiver.arrivals():
        assert validate_notification(arrival.body) == [], arrival.body[:300]


@pytest.mark.parametrize("kind", ["in-process"], indirect=True)
@pytest.mark.parametrize(
    "poller",
    [
        ReferencePoller(EngineSettings(http_transport="keepalive")),
        ExternalCommandTarget([*ONCE, "--http-transport", "httpx"]),
    ],
    ids=["in-process-keepalive", "external-httpx"],
)
async def test_either_http_transport_delivers_the_same_notifications(build: BuildHarness, poller: PollerTarget) -> None:
    """The other transport of each way to run it (in-process defaults to httpx's, the command to keep-alive):
    every page read (pages of 5), every version delivered, exactly once by the oracle."""
    harness = await build(seed_body(pageSize=5), poller)
    ids = await harness.control.bulk_create(TENANT, 12, stamp=harness.start_instant + timedelta(minutes=1))
    await harness.run_windows(1)
    assert sorted(int(object_id) for object_id, _ in delivered_versions(harness)) == sorted(ids)
    assert_all_well_formed(harness)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()


async def test_one_create_gives_one_event(harness: Harness) -> None:
    at = harness.start_instant + timedelta(minutes=1)
    created = await harness.control.create_contact(TENANT, {"firstName": "Ada"}, stamp=at)
    [window] = await harness.run_windows(1)
    assert not window.outcome.crashed, window.outcome.detail
    assert window.outcome.next_due is None
    [arrival] = harness.receiver.arrivals()
    assert_all_well_formed(harness)
    assert arrival.header("Elements-Webhook-Signature") is None
    document = arrival.json()
    assert document["message"]["events"][0]["pollDate"] == stamp(window.start)
    assert document["message"]["raw"]["pollDate"] == int(window.start.timestamp()) * 1000
    assert delivered_versions(harness) == [(str(created["id"]), stamp(at))]
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 1
    assert delivered_versions(harness) == [(str(created["id"]), stamp(at))]


async def test_records_from_before_the_instance_are_not_backfilled(harness: Harness) -> None:
    await harness.control.create_contact(TENANT, {"firstName": "Old"}, stamp=harness.start_instant)
    await harness.run_windows(2)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert harness.receiver.arrivals() == []


async def test_a_burst_inside_the_windows_own_second_is_delivered_exactly_once(harness: Harness) -> None:
    await harness.advance(harness.refresh_interval.total_seconds())
    first = await harness.control.create_contact(TENANT, {"firstName": "Before"})
    window = await harness.run_window()
    # Same second as the window's start, after it ran: the naive poller's strict `>` loses these.
    second = await harness.control.create_contact(TENANT, {"firstName": "After"})
    await harness.control.replace_contact(TENANT, first["id"], {**first, "lastName": "Again"})
    await harness.run_windows(2)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    same_second = stamp(window.start)
    assert sorted(delivered_versions(harness)) == sorted(
        [(str(first["id"]), same_second), (str(second["id"]), same_second)]
    )
    assert_all_well_formed(harness)


async def test_a_change_visible_late_but_within_poll_delay_is_delivered(build: BuildHarness) -> None:
    harness = await build(seed_body(pollDelay=120))
    await harness.control.set_visibility_delay(TENANT, 60)
    first_window = harness.start_instant + harness.refresh_interval
    late = await harness.control.create_contact(
        TENANT, {"firstName": "Late"}, stamp=first_window - timedelta(seconds=10)
    )
    [window] = await harness.run_windows(1)
    assert harness.receiver.arrivals() == [], "not visible yet at the first window"
    assert window.start == first_window
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert delivered_versions(harness) == [(str(late["id"]), stamp(first_window - timedelta(seconds=10)))]


async def test_25_changes_make_3_notifications_of_at_most_10_events(harness: Harness) -> None:
    ids = await harness.control.bulk_create(TENANT, 25, stamp=harness.start_instant + timedelta(minutes=2))
    await harness.run_windows(1)
    arrivals = harness.receiver.arrivals()
    # Up to 8 deliveries are in flight at once, so the three may arrive in any order.
    assert sorted((len(a.json()["message"]["events"]) for a in arrivals), reverse=True) == [10, 10, 5]
    assert_all_well_formed(harness)
    assert sorted(int(object_id) for object_id, _ in delivered_versions(harness)) == sorted(ids)
    assert len({a.webhook_id for a in arrivals}) == 3
    assert len({a.json()["id"] for a in arrivals}) == 3
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 25


async def test_receiver_failures_are_retried_with_the_same_id_and_bytes(harness: Harness) -> None:
    harness.receiver.script(500, times=2)
    created = await harness.control.create_contact(TENANT, {"firstName": "Retry"}, stamp=harness.start_instant)
    await harness.control.replace_contact(
        TENANT, created["id"], {**created, "lastName": "R"}, stamp=harness.start_instant + timedelta(seconds=5)
    )
    [window] = await harness.run_windows(1)
    assert window.outcome.next_due == window.start + timedelta(seconds=8)
    await harness.control.set_clock(window.start + timedelta(seconds=8))
    second = await harness.run_window()
    assert second.outcome.next_due == second.start + timedelta(seconds=64)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert harness.windows[-1].outcome.next_due is None
    arrivals = harness.receiver.arrivals()
    assert [a.status for a in arrivals] == [500, 500, 200]
    assert len({a.webhook_id for a in arrivals}) == 1
    assert len({a.body for a in arrivals}) == 1
    assert delivered_versions(harness) == [(str(created["id"]), stamp(harness.start_instant + timedelta(seconds=5)))]


async def test_a_signed_instance_signs_every_attempt(build: BuildHarness) -> None:
    body = seed_body()
    body["configuration"]["event.notification.signature.key"] = "MySecretEventSignatureKey"
    harness = await build(body)
    harness.receiver.set_signature_keys(["MySecretEventSignatureKey"])
    harness.receiver.script(503, times=1)
    await harness.control.create_contact(
        TENANT, {"firstName": "Signed"}, stamp=harness.start_instant + timedelta(seconds=1)
    )
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    arrivals = harness.receiver.arrivals()
    assert len(arrivals) == 2
    assert all(a.signature.ok for a in arrivals), [a.signature for a in arrivals]
    assert arrivals[0].header("Elements-Webhook-Signature") == arrivals[1].header("Elements-Webhook-Signature")


@pytest.mark.parametrize("kind", ["in-process"], indirect=True)
async def test_strict_mode_is_the_documented_lossy_algorithm(build: BuildHarness) -> None:
    harness = await build(poller=ReferencePoller(EngineSettings(strict=True)))
    await harness.advance(harness.refresh_interval.total_seconds())
    await harness.run_window()
    lost = await harness.control.create_contact(TENANT, {"firstName": "SameSecond"})
    await harness.run_windows(2)
    verdict = await harness.settle_and_judge()
    assert not verdict.passed, "the oracle must catch the documented algorithm losing the same-second create"
    assert [finding.subject for finding in verdict.missing] != []
    assert str(lost["id"]) not in {object_id for object_id, _ in delivered_versions(harness)}


@pytest.mark.parametrize("point", ["after_fetch", "after_commit", "after_send", "after_ack"])
@pytest.mark.parametrize("kind", ["external"], indirect=True)
async def test_a_killed_poller_loses_nothing_and_resends_identically(
    build: BuildHarness, receiver_server: ReceiverServer, point: str
) -> None:
    armed = ExternalCommandTarget(ONCE, extra_env={"CWMOCK_POLLER_CRASH_AT": point}, injected_crash=point)
    harness = await build(poller=armed)
    created = await harness.control.bulk_create(TENANT, 12, stamp=harness.start_instant + timedelta(minutes=3))
    [killed] = await harness.run_windows(1)
    assert killed.outcome.crashed, killed.outcome.detail
    assert killed.outcome.injected, killed.outcome.detail
    assert killed.outcome.detail == f"killed by signal SIGKILL at {point}"
    # A notification the killed process had sent may still be on its way through the receiver: wait until the
    # receiver has recorded (or dropped, if cut short) everything it had sent, so `before` is all of it.
    receiver_server.wait_idle()
    before = harness.receiver.arrivals()
    # Deliveries run concurrently: the kill at the first send or ack may come after the other notification arrived.
    sent_before = (1, 2) if point in ("after_send", "after_ack") else (0,)
    assert len(before) in sent_before, before
    harness.target = ExternalCommandTarget(ONCE)
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert sorted(int(object_id) for object_id, _ in delivered_versions(harness)) == sorted(created)
    arrivals = harness.receiver.arrivals()
    assert len(harness.receiver.deliveries()) == 2
    assert len(arrivals) == 2 + len(before)
    for early in before:
        [resent] = [a for a in arrivals[len(before) :] if a.webhook_id == early.webhook_id]
        assert resent.body == early.body
    assert_all_well_formed(harness)


async def test_filter_by_current_date_with_a_poll_delay(build: BuildHarness) -> None:
    harness = await build(seed_body(filterByCurrentDate=True, pollDelay=30))
    await harness.control.set_visibility_delay(TENANT, 20)
    await harness.advance(harness.refresh_interval.total_seconds())
    boundary = await harness.control.now()
    early = await harness.control.create_contact(TENANT, {"firstName": "Early"}, stamp=boundary - timedelta(seconds=5))
    await harness.run_window()
    same = await harness.control.create_contact(TENANT, {"firstName": "Same"}, stamp=boundary)
    await harness.run_windows(2)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert sorted(delivered_versions(harness)) == sorted(
        [(str(early["id"]), stamp(boundary - timedelta(seconds=5))), (str(same["id"]), stamp(boundary))]
    )


@pytest.mark.parametrize("point", ["after_fetch", "after_commit", "after_send", "after_ack"])
@pytest.mark.parametrize("kind", ["in-process"], indirect=True)
async def test_an_in_process_crash_is_reported_and_recovered(build: BuildHarness, point: str) -> None:
    harness = await build(poller=ReferencePoller(crash=CrashOnce(point)))
    created = await harness.control.create_contact(
        TENANT, {"firstName": "C"}, stamp=harness.start_instant + timedelta(seconds=1)
    )
    [crashed] = await harness.run_windows(1)
    assert crashed.outcome.crashed
    assert crashed.outcome.injected
    assert crashed.outcome.detail == f"raised InjectedCrash: simulated crash at {point}"
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert delivered_versions(harness) == [(str(created["id"]), stamp(harness.start_instant + timedelta(seconds=1)))]


def raw_ids(arrival: Any) -> list[int]:
    return [record["id"] for record in arrival.json()["message"]["raw"]["contacts"]]


def event_ids(arrival: Any) -> list[int]:
    return [int(event["objectId"]) for event in arrival.json()["message"]["events"]]


async def test_raw_is_the_hub_page_repeated_in_each_notification_of_a_split(build: BuildHarness) -> None:
    """Events Overview: "the full raw/vendor body is still included in each notification" of a split."""
    harness = await build(seed_body(pageSize=100))  # one page for all 23 (with no pageSize, pages are of 10)
    ids = await harness.control.bulk_create(TENANT, 23, stamp=harness.start_instant + timedelta(minutes=1))
    await harness.run_windows(1)
    arrivals = harness.receiver.arrivals()
    assert sorted(len(event_ids(a)) for a in arrivals) == [3, 10, 10]
    pages = {tuple(raw_ids(a)) for a in arrivals}
    assert len(pages) == 1, "every notification of the split repeats the same vendor body"
    (page,) = pages
    assert sorted(page) == sorted(ids), "the hub page: every record served, not only the events' own"
    assert sorted(e for a in arrivals for e in event_ids(a)) == sorted(ids)
    assert_all_well_formed(harness)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()


async def test_raw_also_carries_records_of_the_page_that_are_no_event(build: BuildHarness) -> None:
    """A record the overlap serves again (delivered by the last window) is in the page, so in raw, but no event."""
    harness = await build(seed_body(pageSize=100))
    first_start = harness.start_instant + harness.refresh_interval
    old = await harness.control.create_contact(TENANT, {"firstName": "Overlap"}, stamp=first_start)
    await harness.run_windows(1)
    assert [event_ids(a) for a in harness.receiver.arrivals()] == [[old["id"]]]
    ids = await harness.control.bulk_create(TENANT, 12, stamp=first_start + timedelta(minutes=5))
    await harness.run_windows(1)
    later = harness.receiver.arrivals()[1:]
    assert sorted(len(event_ids(a)) for a in later) == [2, 10]
    assert all(sorted(raw_ids(a)) == sorted([old["id"], *ids]) for a in later)
    assert_all_well_formed(harness)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 13


async def test_with_no_page_size_each_notification_carries_its_own_page_of_ten(harness: Harness) -> None:
    """Raw `page` with no `pageSize`: the hub is read 10 records a page, so a burst's notifications each repeat one
    page of their own events rather than one large page each (docs/reference-poller.md#notification-format)."""
    ids = await harness.control.bulk_create(TENANT, 23, stamp=harness.start_instant + timedelta(minutes=1))
    await harness.run_windows(1)
    arrivals = harness.receiver.arrivals()
    assert sorted(len(event_ids(a)) for a in arrivals) == [3, 10, 10]
    assert all(sorted(raw_ids(a)) == sorted(event_ids(a)) for a in arrivals)
    assert sorted(e for a in arrivals for e in event_ids(a)) == sorted(ids)
    assert_all_well_formed(harness)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()


@pytest.mark.parametrize("kind", ["in-process"], indirect=True)
async def test_chunk_raw_carries_exactly_the_events_records_in_order(build: BuildHarness) -> None:
    harness = await build(poller=ReferencePoller(EngineSettings(raw="chunk")))
    await harness.control.bulk_create(TENANT, 13, stamp=harness.start_instant + timedelta(minutes=1))
    await harness.run_windows(1)
    arrivals = harness.receiver.arrivals()
    assert sorted(len(event_ids(a)) for a in arrivals) == [3, 10]
    assert all(raw_ids(a) == event_ids(a) for a in arrivals)
    verdict = await harness.settle_and_judge()
    assert verdict.passed, verdict.report()


async def one_message(harness: Harness) -> dict[str, Any]:
    """The message of the one notification a window sends for one new contact."""
    at = harness.start_instant + timedelta(minutes=1)
    await harness.control.create_contact(TENANT, {"firstName": "Owned"}, stamp=at)
    await harness.run_windows(1)
    [arrival] = harness.receiver.arrivals()
    assert_all_well_formed(harness)
    message: dict[str, Any] = arrival.json()["message"]
    return message


async def test_the_envelope_carries_account_company_and_user_ids(build: BuildHarness, kind: str) -> None:
    if kind == "in-process":
        poller: PollerTarget = ReferencePoller(EngineSettings(account_id=643, company_id=280, user_id=2374))
    else:
        poller = ExternalCommandTarget([*ONCE, "--account-id", "643", "--company-id", "280", "--user-id", "2374"])
    message = await one_message(await build(poller=poller))
    assert (message["accountId"], message["companyId"], message["userId"]) == (643, 280, 2374)
    assert list(message)[:4] == ["elementKey", "accountId", "eventId", "companyId"], "the real payloads' order"
    assert list(message)[-2:] == ["userId", "events"]


@pytest.mark.parametrize("kind", ["in-process"], indirect=True)
async def test_the_envelope_ids_default_to_one(harness: Harness) -> None:
    message = await one_message(harness)
    assert (message["accountId"], message["companyId"], message["userId"]) == (1, 1, 1)
