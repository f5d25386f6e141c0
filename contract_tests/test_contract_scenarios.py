"""Contract scenarios: run against the poller under judgement (`--poller-cmd`, else the reference poller).

Each scenario drives mutations and the emulated clock, runs the poller window by window, settles, and asks the
oracle. A failing scenario prints the verdict: which version went wrong, and why it was required.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cwmock.contract_tests.harness import Harness

pytestmark = pytest.mark.anyio

TENANT = "cloudelements"  # the seed's instance logs in as company `cloudelements`


async def test_one_create_gives_one_event(cwmock_harness: Harness) -> None:
    start = cwmock_harness.start_instant
    await cwmock_harness.control.create_contact(TENANT, {"firstName": "Ada"}, stamp=start + timedelta(minutes=1))
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 1


async def test_an_update_inside_the_second_a_window_starts_is_delivered(cwmock_harness: Harness) -> None:
    await cwmock_harness.advance(15 * 60)
    boundary = await cwmock_harness.control.now()
    await cwmock_harness.run_window()
    await cwmock_harness.control.create_contact(TENANT, {"firstName": "Same second"}, stamp=boundary)
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert verdict.passed, verdict.report()


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
    assert verdict.passed, verdict.report()
    events = [e for a in cwmock_harness.receiver.arrivals() for e in a.json()["message"]["events"]]
    assert [e["date"] for e in events] == [(start + timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")]


async def test_more_than_ten_changes_come_in_notifications_of_at_most_ten(cwmock_harness: Harness) -> None:
    start = cwmock_harness.start_instant
    await cwmock_harness.control.bulk_create(TENANT, 23, stamp=start + timedelta(minutes=5))
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert verdict.passed, verdict.report()
    sizes = sorted(len(d.arrivals[0].json()["message"]["events"]) for d in cwmock_harness.receiver.deliveries())
    assert sizes[-1] <= 10
    assert sum(sizes) == 23
