"""Contract scenarios, delivery: receiver failures, retries, parking, signatures.

A notification is one delivery however many attempts it takes: every retry repeats its `Elements-Webhook-Id` and its
bytes. Retries happen in the windows the target asks for (`next_due`), which run here before the settle (the settle
clears the receiver's scripts). A receiver that refuses every attempt makes the target park the notification: the
oracle reports it PARKED, which does not fail the target.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cwmock.contract_tests.harness.classification import documented, policy
from cwmock.contract_tests.harness.runner import Harness
from cwmock.contract_tests.oracle.rules import EVENT_RETRY, HASH_VERIFICATION
from cwmock.contract_tests.oracle.verdict import Verdict
from cwmock.contract_tests.scenarios.support import (
    SIGNATURE_KEY,
    TENANT,
    assert_passed,
    delivered_versions,
    run_due_windows,
    second,
    signed_body,
)

pytestmark = pytest.mark.anyio

SHORT_HTTP_TIMEOUT = 0.3  # real seconds: the receiver answers later than this to make the sender time out
RETRY_AFTER = 30


async def _one_change_through(harness: Harness) -> tuple[str, str]:
    at = harness.start_instant + timedelta(minutes=1)
    created = await harness.control.create_contact(TENANT, {"firstName": "Retried"}, stamp=at)
    await harness.run_windows(1)
    await run_due_windows(harness)
    return str(created["id"]), second(at)


def _assert_one_delivery(harness: Harness, version: tuple[str, str], attempts: int) -> None:
    arrivals = harness.receiver.arrivals()
    assert len(arrivals) >= attempts, f"expected at least {attempts} attempts, got {[a.status for a in arrivals]}"
    assert len({a.webhook_id for a in arrivals}) == 1, "every retry repeats the Elements-Webhook-Id"
    assert len({a.body for a in arrivals}) == 1, "every retry repeats the bytes"
    assert delivered_versions(harness) == [version]


async def _settle(harness: Harness) -> Verdict:
    verdict = await harness.settle_and_judge()
    harness.receiver.check()
    return verdict


@documented(EVENT_RETRY)
async def test_a_500_is_retried_with_the_same_id_and_bytes(cwmock_harness: Harness) -> None:
    cwmock_harness.receiver.script(500, times=2)
    version = await _one_change_through(cwmock_harness)
    verdict = await _settle(cwmock_harness)
    assert_passed(verdict, required=1)
    _assert_one_delivery(cwmock_harness, version, attempts=3)


@documented(EVENT_RETRY)
async def test_a_receiver_timeout_is_retried_with_the_same_id_and_bytes(cwmock_harness: Harness) -> None:
    """The receiver answers 200 after the sender gave up: the retry is the same delivery, not a second one."""
    cwmock_harness.settings.http_timeout = SHORT_HTTP_TIMEOUT
    cwmock_harness.receiver.script(200, delay=SHORT_HTTP_TIMEOUT * 4)
    version = await _one_change_through(cwmock_harness)
    verdict = await _settle(cwmock_harness)
    assert_passed(verdict, required=1)
    _assert_one_delivery(cwmock_harness, version, attempts=2)


@policy("Open Connectors documents its own 8^k s schedule, not that Retry-After is honoured")
async def test_a_429_is_retried_no_sooner_than_retry_after(cwmock_harness: Harness) -> None:
    cwmock_harness.receiver.script(429, retry_after=RETRY_AFTER)
    version = await _one_change_through(cwmock_harness)
    verdict = await _settle(cwmock_harness)
    assert_passed(verdict, required=1)
    _assert_one_delivery(cwmock_harness, version, attempts=2)
    refused, retried = cwmock_harness.receiver.arrivals()[:2]
    assert retried.arrived_at - refused.arrived_at >= timedelta(seconds=RETRY_AFTER)


@policy("nothing documents 410; the reference poller parks it at once")
async def test_a_410_is_not_retried_and_is_reported_parked(cwmock_harness: Harness) -> None:
    """410 Gone means the callback is gone: no retry, not even after the settle; the oracle reports it PARKED."""
    cwmock_harness.receiver.script(410)
    await _one_change_through(cwmock_harness)
    verdict = await _settle(cwmock_harness)
    assert_passed(verdict, required=1, parked=True)
    assert len(verdict.parked) == 1, verdict.report()
    assert [a.status for a in cwmock_harness.receiver.arrivals()] == [410]


@documented(EVENT_RETRY)
async def test_a_notification_refused_on_every_retry_is_parked(cwmock_harness: Harness) -> None:
    cwmock_harness.receiver.script(503, times=50)
    at = cwmock_harness.start_instant + timedelta(minutes=1)
    await cwmock_harness.control.create_contact(TENANT, {"firstName": "Never taken"}, stamp=at)
    await cwmock_harness.run_windows(1)
    retries = await run_due_windows(cwmock_harness, limit=20)
    assert retries, "a refused notification is retried"
    verdict = await _settle(cwmock_harness)
    assert_passed(verdict, required=1, parked=True)
    assert len(verdict.parked) == 1, verdict.report()
    arrivals = cwmock_harness.receiver.arrivals()
    assert {a.status for a in arrivals} == {503}, "nothing is sent again once parked"
    assert len({a.webhook_id for a in arrivals}) == 1
    assert len({a.body for a in arrivals}) == 1


@documented(HASH_VERIFICATION)
@pytest.mark.parametrize("cwmock_instance_body", [pytest.param(signed_body(), id="signed")])
async def test_a_signed_instance_signs_every_attempt(cwmock_harness: Harness) -> None:
    cwmock_harness.receiver.set_signature_keys([SIGNATURE_KEY])
    cwmock_harness.receiver.script(503)
    start = cwmock_harness.start_instant
    await cwmock_harness.control.bulk_create(TENANT, 12, stamp=start + timedelta(minutes=1))
    await cwmock_harness.run_windows(1)
    await run_due_windows(cwmock_harness)
    verdict = await _settle(cwmock_harness)
    assert_passed(verdict, required=12)
    arrivals = cwmock_harness.receiver.arrivals()
    assert len(arrivals) >= 3
    assert all(a.signature.ok for a in arrivals), [a.signature for a in arrivals]
