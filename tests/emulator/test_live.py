"""The emulator over a real socket (uvicorn): the plugin's server fixtures and the Date header."""

from __future__ import annotations

from datetime import timedelta

import httpx

from cwmock.core.clock import ManualClock
from cwmock.testing.plugin import LiveEmulator, native_headers

HEADERS = native_headers("cwmock", "cwmock-public", "cwmock-private")


def test_served_emulator_answers_with_one_date_header_from_its_clock(cwmock_live: LiveEmulator) -> None:
    clock = cwmock_live.emulator.clock
    assert isinstance(clock, ManualClock)
    clock.set(clock.now() + timedelta(seconds=90))
    with httpx.Client(base_url=cwmock_live.api_url, headers=HEADERS) as client:
        created = client.post("/company/contacts", json={"firstName": "Live"})
        assert created.status_code == 201
        assert created.headers.get_list("date") == ["Thu, 01 Jan 2026 00:01:30 GMT"]
        assert "server" not in created.headers
        assert created.json()["_info"]["communications_href"].startswith(cwmock_live.api_url)


def test_each_test_starts_from_a_reset_emulator_part_one(cwmock_live: LiveEmulator) -> None:
    _exercise_reset(cwmock_live)


def test_each_test_starts_from_a_reset_emulator_part_two(cwmock_live: LiveEmulator) -> None:
    _exercise_reset(cwmock_live)


def _exercise_reset(live: LiveEmulator) -> None:
    assert live.emulator.clock.now() == live.start, "the clock is restored before each test"
    with httpx.Client(base_url=live.api_url, headers=HEADERS) as client:
        assert client.get("/company/contacts").json() == []
        assert client.post("/company/contacts", json={"firstName": "left behind"}).json()["id"] == 1
    clock = live.emulator.clock
    assert isinstance(clock, ManualClock)
    clock.set(clock.now() + timedelta(hours=1))
