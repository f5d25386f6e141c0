"""Contract scenarios, time: late visibility against `pollDelay`, server clock skew, minute-precision stamps.

Windows run at server time (the clock plus any skew, as the hub's `Date` shows it); the oracle decides what was
required, so a change that became visible later than `pollDelay` allows is optional, never demanded.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cwmock.contract_tests.harness.classification import documented
from cwmock.contract_tests.harness.runner import Harness
from cwmock.contract_tests.oracle.rules import ELEMENT_BUILDER
from cwmock.contract_tests.scenarios.support import TENANT, assert_passed, delivered_versions, second, seed_body

pytestmark = pytest.mark.anyio

POLL_DELAY = 120


@documented(ELEMENT_BUILDER)
@pytest.mark.parametrize("cwmock_instance_body", [pytest.param(seed_body(pollDelay=POLL_DELAY), id="pollDelay")])
async def test_a_change_visible_late_but_within_poll_delay_is_delivered(cwmock_harness: Harness) -> None:
    harness = cwmock_harness
    await harness.control.set_visibility_delay(TENANT, POLL_DELAY / 2)
    first_window = harness.start_instant + harness.refresh_interval
    late_stamp = first_window - timedelta(seconds=10)
    late = await harness.control.create_contact(TENANT, {"firstName": "Late"}, stamp=late_stamp)
    await harness.run_windows(2)  # not visible at the first window; visible at the second
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=1)
    assert delivered_versions(harness) == [(str(late["id"]), second(late_stamp))]


@documented(ELEMENT_BUILDER)
async def test_a_change_visible_later_than_poll_delay_allows_is_optional(cwmock_harness: Harness) -> None:
    """pollDelay 0 and a 60 s visibility delay: the change stamped before the first window shows up after it, below
    the next lower bound. The oracle does not require it (at most one delivery), which documents the limit."""
    harness = cwmock_harness
    await harness.control.set_visibility_delay(TENANT, 60)
    first_window = harness.start_instant + harness.refresh_interval
    await harness.control.create_contact(TENANT, {"firstName": "Too late"}, stamp=first_window - timedelta(seconds=10))
    on_time = await harness.control.create_contact(TENANT, {"firstName": "On time"}, stamp=first_window)
    await harness.run_windows(2)
    verdict = await harness.settle_and_judge()
    # Only the change stamped at the window's second and visible by the next one is required.
    assert_passed(verdict, required=1)
    assert (str(on_time["id"]), second(first_window)) in delivered_versions(harness)


# A negative skew must not take server time back past s₀. A positive one larger than the refresh interval is fine:
# the settle clears it and then starts after the last window.
@documented(ELEMENT_BUILDER)
@pytest.mark.parametrize("skew", [-300, 300, 3600])
async def test_server_clock_skew(cwmock_harness: Harness, skew: int) -> None:
    """The server's clock runs `skew` seconds off the emulator's: stamps and `Date` follow the server, and so must the
    poller (CWMOCK_NOW is server time)."""
    harness = cwmock_harness
    await harness.control.add_fault({"kind": "skew", "seconds": skew})
    await harness.advance(harness.refresh_interval.total_seconds() / 2)
    first = await harness.control.create_contact(TENANT, {"firstName": "Skewed"})
    [window] = await harness.run_windows(1)
    same_second = await harness.control.create_contact(TENANT, {"firstName": "Same second"})
    await harness.advance(61)
    later = await harness.control.create_contact(TENANT, {"firstName": "Later"})
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=3)
    assert same_second["_info"]["lastUpdated"] == second(window.start)
    assert sorted(int(object_id) for object_id, _ in delivered_versions(harness)) == sorted(
        c["id"] for c in (first, same_second, later)
    )


@documented(ELEMENT_BUILDER)
async def test_minute_precision_stamps(cwmock_harness: Harness) -> None:
    """Stamps truncated to the minute: a change made after a window, in the same minute, is stamped at or before the
    window's start."""
    harness = cwmock_harness
    await harness.control.add_fault({"kind": "precision", "precision": "minutes"})
    await harness.advance(harness.refresh_interval.total_seconds() - 20)
    before = await harness.control.create_contact(TENANT, {"firstName": "Before"})
    await harness.advance(20)
    window = await harness.run_window()
    await harness.advance(30)
    after = await harness.control.create_contact(TENANT, {"firstName": "After, same minute"})
    await harness.control.replace_contact(TENANT, before["id"], {"firstName": "Before, updated"})
    assert after["_info"]["lastUpdated"] == second(window.start)
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=3)
