"""Emulated latency inside an advance: an in-process poller (a clock follower) meets a latency fault mid-advance."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import httpx
import pytest

from cwmock.core.clock import ClockArgumentError, Follower, ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START, quiesce_timeout=2)


@pytest.fixture
def emulator(clock: ManualClock) -> Emulator:
    return create_emulator(clock=clock)


async def poll_every_15_minutes(follower: Follower, client: httpx.AsyncClient, dates: list[datetime]) -> None:
    due = follower.now() + 15 * MIN
    while True:
        await follower.sleep_until(due)
        response = await client.get(CONTACTS, headers=NATIVE)
        dates.append(parsedate_to_datetime(response.headers["date"]))
        due += 15 * MIN


async def run_poller_through(clock: ManualClock, client: httpx.AsyncClient, seconds: float) -> list[datetime]:
    dates: list[datetime] = []
    task = asyncio.get_running_loop().create_task(poll_every_15_minutes(clock.attach("poller"), client, dates))
    try:
        result = await clock.advance(seconds)
        assert result.now == clock.now()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return dates


async def test_latency_during_an_advance_moves_the_step_forward(clock: ManualClock, client: httpx.AsyncClient) -> None:
    added = await client.post("/__admin/faults", json={"kind": "latency", "seconds": 120, "path": CONTACTS, "times": 1})
    assert added.status_code == 201
    dates = await run_poller_through(clock, client, 3600)
    assert dates == [START + 17 * MIN, START + 30 * MIN, START + 45 * MIN, START + 60 * MIN]
    assert clock.now() == START + 60 * MIN


async def test_latency_past_the_advance_target_leaves_the_clock_later(
    clock: ManualClock, client: httpx.AsyncClient
) -> None:
    await client.post("/__admin/faults", json={"kind": "latency", "seconds": 1800, "path": CONTACTS, "times": 1})
    dates = await run_poller_through(clock, client, 20 * 60)
    assert dates == [START + 45 * MIN] * 3, "the poller catches up at once on the polls the latency made it miss"
    assert clock.now() == START + 45 * MIN, "time never goes back to the advance's target"


def test_elapse_refuses_negative_time(clock: ManualClock) -> None:
    with pytest.raises(ClockArgumentError):
        clock.elapse(-1)
    clock.elapse(2.5)
    assert clock.now() == START + timedelta(seconds=2.5)
