"""Stamp precision: whole seconds by default; with `subsecond_stamps`, compared with their fraction, shown whole."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio

START = datetime(2026, 12, 5, 20, 39, 56, 500000, tzinfo=timezone.utc)
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
# A client's bound with microseconds, compared by the server at the precision it stores.
BOUND = "lastUpdated > [2026-12-05T20:39:56.111039]"


async def names(subsecond: bool, conditions: str) -> tuple[list[str], list[str]]:
    """(matching first names, shown stamps) after writing one contact at :56.5."""
    emulator = create_emulator(EmulatorConfig(subsecond_stamps=subsecond), ManualClock(START))
    transport = httpx.ASGITransport(app=emulator.app)
    headers = native_headers("cwmock", "cwmock-public", "cwmock-private")
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test", headers=headers) as client:
        created = await client.post(CONTACTS, json={"firstName": "Half"})
        listed = await client.get(CONTACTS, params={"conditions": conditions})
        assert listed.status_code == 200, listed.text
        return [c["firstName"] for c in listed.json()], [created.json()["_info"]["lastUpdated"]]


@pytest.mark.parametrize(
    "conditions", [BOUND, f"{BOUND} or id = 999", "lastUpdated >= [2026-12-05T20:39:56.4] and id > 0"]
)
async def test_subsecond_stamps_are_compared_with_their_fraction(conditions: str) -> None:
    matched, shown = await names(True, conditions)
    assert matched == ["Half"], "stored at :56.5, it is after :56.111039"
    assert shown == ["2026-12-05T20:39:56Z"], "shown in whole seconds all the same"


async def test_by_default_stamps_are_whole_seconds_only() -> None:
    matched, shown = await names(False, BOUND)
    assert matched == [], "stored at :56, it is not after :56.111039"
    assert shown == ["2026-12-05T20:39:56Z"]


async def test_subsecond_stamps_still_order_writes_within_a_second() -> None:
    emulator = create_emulator(EmulatorConfig(subsecond_stamps=True), ManualClock(START))
    first = emulator.store.create_contact("cwmock", {"firstName": "A"})
    assert isinstance(emulator.clock, ManualClock)
    emulator.clock.set(START + timedelta(milliseconds=300))
    emulator.store.create_contact("cwmock", {"firstName": "B"})
    transport = httpx.ASGITransport(app=emulator.app)
    headers = native_headers("cwmock", "cwmock-public", "cwmock-private")
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test", headers=headers) as client:
        after_a = await client.get(CONTACTS, params={"conditions": "lastUpdated > [2026-12-05T20:39:56.6]"})
    assert [c["firstName"] for c in after_a.json()] == ["B"]
    assert first["_info"]["lastUpdated"] == "2026-12-05T20:39:56Z"
