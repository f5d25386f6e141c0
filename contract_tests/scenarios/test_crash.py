"""Contract scenarios, crashes: a poller that dies between or inside windows loses nothing and sends nothing twice.

Between windows: every external run is a fresh process, so what a poller keeps only in memory (an outbox, a
seen-set) is gone by the next window; in-process reference pollers are rebuilt to match. Inside a window: crash points
are known only for cwmock's reference poller (in-process hooks, or `CWMOCK_POLLER_CRASH_AT` for `cwmock poller once`);
other pollers skip those scenarios.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cwmock.contract_tests.harness.classification import documented, policy
from cwmock.contract_tests.harness.runner import Harness
from cwmock.contract_tests.oracle.rules import EVENT_RETRY
from cwmock.contract_tests.scenarios.support import (
    TENANT,
    assert_passed,
    crashing,
    delivered_versions,
    restarted,
    run_due_windows,
)

pytestmark = pytest.mark.anyio

CRASH_POINTS = ("after_fetch", "after_commit", "after_send", "after_ack")


@documented(EVENT_RETRY)
async def test_a_restart_between_windows_keeps_pending_retries(cwmock_harness: Harness) -> None:
    harness = cwmock_harness
    harness.receiver.script(500)
    start = harness.start_instant
    first = await harness.control.bulk_create(TENANT, 3, stamp=start + timedelta(minutes=1))
    await harness.run_windows(1)
    harness.target = restarted(harness.target)
    second = await harness.control.bulk_create(TENANT, 2, stamp=start + timedelta(minutes=16))
    await harness.run_windows(1)
    harness.target = restarted(harness.target)
    await run_due_windows(harness)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=5)
    assert sorted(int(object_id) for object_id, _ in delivered_versions(harness)) == sorted(first + second)


@policy("the crash points are cwmock's reference poller's own")
@pytest.mark.parametrize("point", CRASH_POINTS)
async def test_a_crash_inside_a_window_loses_nothing_and_resends_identically(
    cwmock_harness: Harness, point: str
) -> None:
    harness = cwmock_harness
    steady = harness.target
    harness.target = crashing(steady, point)
    created = await harness.control.bulk_create(TENANT, 12, stamp=harness.start_instant + timedelta(minutes=3))
    [crashed] = await harness.run_windows(1)
    assert crashed.outcome.crashed, f"the poller was to crash at {point}: {crashed.outcome.detail}"
    assert crashed.outcome.injected, f"the crash at {point} is the suite's: {crashed.outcome.detail}"
    before = harness.receiver.arrivals()
    harness.target = restarted(steady)
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=12)
    assert sorted(int(object_id) for object_id, _ in delivered_versions(harness)) == sorted(created)
    for sent in before:
        resent = harness.receiver.arrivals(webhook_id=sent.webhook_id)
        assert {a.body for a in resent} == {sent.body}, "a resend after a crash repeats the same bytes"
