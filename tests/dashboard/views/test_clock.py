"""The clock's forms: advance by a chosen amount, freeze, follow wall time; bad input is named and kept."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator

pytestmark = pytest.mark.anyio
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


async def test_advancing_moves_the_clock_and_says_what_ran(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    clock = emulator.clock
    assert isinstance(clock, ManualClock)
    clock.register_deadline(START + timedelta(minutes=10))
    response = await ui.post("/clock/advance", data={"amount": "15", "unit": "minutes"})
    assert response.status_code == 303
    assert clock.now() == START + timedelta(minutes=15)
    notice = unquote(response.headers["location"])
    assert notice.startswith("/__ui/?notice=Advanced 15 minutes to 2026-01-01 00:15:00Z")
    assert "ran what was due at 2026-01-01 00:10:00Z" in notice
    page = await ui.get(response.headers["location"])
    assert 'role="status">Advanced 15 minutes' in page.text
    assert "2026-01-01 00:15:00Z" in page.text


async def test_one_unit_reads_in_the_singular(ui: httpx.AsyncClient) -> None:
    response = await ui.post("/clock/advance", data={"amount": "1", "unit": "hours"})
    assert "Advanced 1 hour to" in unquote(response.headers["location"])


async def test_a_bad_amount_is_named_and_the_form_keeps_what_was_typed(
    emulator: Emulator, ui: httpx.AsyncClient
) -> None:
    response = await ui.post("/clock/advance", data={"amount": "soon", "unit": "days"})
    assert response.status_code == 400
    assert "Amount must be a number, got &#39;soon&#39;" in response.text
    assert 'value="soon"' in response.text
    assert '<option value="days" selected>' in response.text
    assert emulator.clock.now() == START
    missing = await ui.post("/clock/advance", data={"amount": "", "unit": "minutes"})
    assert "Amount is required" in missing.text
    unit = await ui.post("/clock/advance", data={"amount": "1", "unit": "fortnights"})
    assert "Unit must be one of seconds, minutes, hours, days" in unit.text


async def test_follow_and_freeze(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    clock = emulator.clock
    assert isinstance(clock, ManualClock)
    followed = await ui.post("/clock/follow", data={"speed": "2"})
    assert followed.status_code == 303
    assert clock.status().mode == "following"
    assert clock.status().speed == 2
    frozen = await ui.post("/clock/freeze", data={})
    assert frozen.status_code == 303
    assert clock.status().mode == "frozen"
    stopped = await ui.post("/clock/follow", data={"speed": "0"})
    assert stopped.status_code == 400
    assert "speed must be a positive finite factor" in stopped.text


async def test_the_overview_shows_the_clock_and_its_followers(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    clock = emulator.clock
    assert isinstance(clock, ManualClock)
    clock.attach("external-poller")
    page = await ui.get("/")
    assert "external-poller" in page.text
    assert "Now (emulated)" in page.text
    assert '<label for="advance-amount">Amount' in page.text
