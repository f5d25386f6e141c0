"""Contract scenarios, the basics: run against the poller under judgement (`--poller-cmd`, else the reference poller).

Each scenario drives mutations and the emulated clock, runs the poller window by window, settles, and asks the
oracle. A failing scenario prints the verdict: which version went wrong, and why it was required.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cwmock.contract_tests.harness.classification import documented, policy
from cwmock.contract_tests.harness.runner import Harness
from cwmock.contract_tests.oracle.rules import CONNECTWISE_EVENTS, ELEMENT_BUILDER, EVENTS_OVERVIEW
from cwmock.contract_tests.scenarios.support import (
    TENANT,
    assert_passed,
    delivered_events,
    delivered_versions,
    second,
)

pytestmark = pytest.mark.anyio


@documented(ELEMENT_BUILDER)
async def test_one_create_gives_one_event(cwmock_harness: Harness) -> None:
    start = cwmock_harness.start_instant
    await cwmock_harness.control.create_contact(TENANT, {"firstName": "Ada"}, stamp=start + timedelta(minutes=1))
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=1)
    assert len(delivered_events(cwmock_harness)) == 1


@documented(CONNECTWISE_EVENTS)
async def test_the_seeds_configuration_makes_every_event_created(cwmock_harness: Harness) -> None:
    """Documented: the seed sets createdDateField = updatedDateField = `_info.lastUpdated`, so the two dates never
    differ and Open Connectors' rule (within createdCheckTolerance → CREATED) calls every change CREATED."""
    start = cwmock_harness.start_instant
    created = await cwmock_harness.control.create_contact(
        TENANT, {"firstName": "v1"}, stamp=start + timedelta(minutes=1)
    )
    await cwmock_harness.run_windows(1)
    await cwmock_harness.control.replace_contact(
        TENANT, created["id"], {"firstName": "v2"}, stamp=start + timedelta(minutes=20)
    )
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=2)
    assert [e["eventType"] for e in delivered_events(cwmock_harness)] == ["CREATED", "CREATED"]


@documented(ELEMENT_BUILDER)
async def test_an_update_inside_the_second_a_window_starts_is_delivered(cwmock_harness: Harness) -> None:
    await cwmock_harness.advance(15 * 60)
    boundary = await cwmock_harness.control.now()
    await cwmock_harness.run_window()
    await cwmock_harness.control.create_contact(TENANT, {"firstName": "Same second"}, stamp=boundary)
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=1)


@documented(ELEMENT_BUILDER)
async def test_a_burst_inside_the_windows_own_second_is_delivered_exactly_once(cwmock_harness: Harness) -> None:
    harness = cwmock_harness
    await harness.advance(harness.refresh_interval.total_seconds())
    boundary = await harness.control.now()
    before = [await harness.control.create_contact(TENANT, {"firstName": f"Before {n}"}) for n in range(3)]
    await harness.run_window()
    # Same second as the window's start, after it ran: a strict `>` loses these; `>=` without dedupe repeats `before`.
    after = [await harness.control.create_contact(TENANT, {"firstName": f"After {n}"}) for n in range(3)]
    await harness.control.replace_contact(TENANT, before[0]["id"], {"firstName": "Before 0", "lastName": "Again"})
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=6)
    assert sorted(delivered_versions(harness)) == sorted((str(c["id"]), second(boundary)) for c in before + after)


@documented(ELEMENT_BUILDER)
async def test_several_updates_between_windows_give_one_event_with_the_last_version(cwmock_harness: Harness) -> None:
    start = cwmock_harness.start_instant
    created = await cwmock_harness.control.create_contact(
        TENANT, {"firstName": "v1"}, stamp=start + timedelta(minutes=1)
    )
    for minute, name in ((2, "v2"), (3, "v3")):
        await cwmock_harness.control.replace_contact(
            TENANT, created["id"], {"firstName": name}, stamp=start + timedelta(minutes=minute)
        )
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=1)
    events = delivered_events(cwmock_harness)
    assert [e["date"] for e in events] == [second(start + timedelta(minutes=3))]


@documented(EVENTS_OVERVIEW)
async def test_more_than_ten_changes_come_in_notifications_of_at_most_ten(cwmock_harness: Harness) -> None:
    start = cwmock_harness.start_instant
    await cwmock_harness.control.bulk_create(TENANT, 23, stamp=start + timedelta(minutes=5))
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=23)
    sizes = sorted(len(d.arrivals[0].json()["message"]["events"]) for d in cwmock_harness.receiver.deliveries())
    assert sizes[-1] <= 10
    assert sum(sizes) == 23


@documented(ELEMENT_BUILDER)
async def test_deletes_make_no_events_and_nothing_is_fabricated(cwmock_harness: Harness) -> None:
    """Documented: polling cannot see a delete (the record is simply gone), so no DELETED event is expected; a
    contact created and deleted between two windows was never served, so any event for it is FABRICATED."""
    harness = cwmock_harness
    start = harness.start_instant
    kept = await harness.control.create_contact(TENANT, {"firstName": "Kept"}, stamp=start + timedelta(minutes=1))
    gone = await harness.control.create_contact(TENANT, {"firstName": "Gone"}, stamp=start + timedelta(minutes=2))
    await harness.run_windows(1)
    await harness.control.delete_contact(TENANT, gone["id"])
    brief = await harness.control.create_contact(TENANT, {"firstName": "Brief"}, stamp=start + timedelta(minutes=20))
    await harness.control.delete_contact(TENANT, brief["id"])
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=2)
    events = delivered_events(harness)
    assert {e["eventType"] for e in events} <= {"CREATED", "UPDATED"}
    assert sorted(e["objectId"] for e in events) == sorted([str(kept["id"]), str(gone["id"])])


@policy("the first poll's lower bound is undocumented; cwmock starts at the instance's createdDate")
async def test_records_from_before_the_instance_are_not_backfilled(cwmock_harness: Harness) -> None:
    """The first window's lower bound is exactly s₀: records stamped at or before it are never delivered."""
    start = cwmock_harness.start_instant
    await cwmock_harness.control.create_contact(TENANT, {"firstName": "Old"}, stamp=start - timedelta(hours=1))
    await cwmock_harness.control.create_contact(TENANT, {"firstName": "At s0"}, stamp=start)
    new = await cwmock_harness.control.create_contact(TENANT, {"firstName": "New"}, stamp=start + timedelta(seconds=1))
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=1)
    assert delivered_versions(cwmock_harness) == [(str(new["id"]), second(start + timedelta(seconds=1)))]
