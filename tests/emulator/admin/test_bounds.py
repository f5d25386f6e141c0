"""Issue 19, breakage 2: admin calls with huge magnitudes used to leave the clock past year 9999 and every route 500.

Each is now refused with a 400 naming the key and its bound, and the server answers normally afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")
BOUNDS = ("3,153,600,000", "1,000,000", "9799-12-31T23:59:59Z", "0201-01-01T00:00:00Z", "300")


@pytest.fixture
def emulator() -> Emulator:
    return create_emulator(clock=ManualClock(START, quiesce_timeout=0.5))


@pytest.fixture
async def admin(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=emulator.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        yield client


async def assert_still_serving(admin: httpx.AsyncClient) -> None:
    assert (
        await admin.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "A"}})
    ).status_code == 201
    calls = [("GET", "/__admin/clock"), ("GET", CONTACTS), ("GET", "/__admin/snapshot"), ("GET", "/__admin/faults"),
             ("POST", "/__admin/clock/freeze"), ("POST", "/__admin/reset")]  # fmt: skip
    for method, path in calls:
        response = await admin.request(method, path, headers=NATIVE)
        assert response.status_code == 200, (path, response.text)


@pytest.mark.parametrize(
    ("method", "path", "body", "key"),
    [
        ("POST", "/__admin/clock/follow", {"speed": 1e12}, "speed"),
        ("POST", "/__admin/clock/follow", {"speed": 1e-300}, "speed"),
        ("POST", "/__admin/clock/follow", {"offsetSeconds": 1e308}, "offsetSeconds"),
        ("POST", "/__admin/clock/advance", {"seconds": 1e308}, "seconds"),
        ("POST", "/__admin/clock/advance", {"to": "9999-12-31T23:59:59Z"}, "to"),
        ("POST", "/__admin/clock/set", {"instant": "9999-12-31T23:59:59Z"}, "instant"),
        ("POST", "/__admin/clock/set", {"instant": "0001-01-01T00:00:00Z", "allowBackwards": True}, "instant"),
        ("POST", "/__admin/faults", {"kind": "skew", "seconds": 3e11}, "seconds"),
        ("POST", "/__admin/faults", {"kind": "skew", "seconds": -3e11}, "seconds"),
        ("POST", "/__admin/faults", {"kind": "latency", "seconds": 3e11}, "seconds"),
        ("POST", "/__admin/faults", {"kind": "latency", "seconds": 301, "mode": "real"}, "seconds"),
        ("POST", "/__admin/faults", {"kind": "rate_limit", "retryAfter": 2**62}, "retryAfter"),
        ("POST", "/__admin/tenants/cwmock/contacts", {"contact": {"firstName": "A"}, "visibleAfter": 1e308},
         "visibleAfter"),
        ("POST", "/__admin/tenants/cwmock/contacts", {"contact": {"firstName": "A"}, "stamp": "9999-12-31T00:00:00Z"},
         "stamp"),
        ("PUT", "/__admin/tenants/cwmock/visibility-delay", {"seconds": 1e308}, "seconds"),
        ("POST", "/__admin/tenants/cwmock/contacts/bulk", {"count": 1, "visibleAfter": 1e308}, "visibleAfter"),
    ],
)  # fmt: skip
async def test_a_magnitude_past_its_bound_is_refused_naming_the_key_and_the_bound(
    admin: httpx.AsyncClient, emulator: Emulator, method: str, path: str, body: dict[str, Any], key: str
) -> None:
    response = await admin.request(method, path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["field"] == key
    assert any(bound in error["message"] for bound in BOUNDS), error["message"]
    assert (await admin.get("/__admin/faults")).json() == [], "a refused fault is not listed"
    assert emulator.store.tenant("cwmock").visibility_delay == 0
    await assert_still_serving(admin)


async def test_a_huge_visibility_delay_in_a_query_is_refused(admin: httpx.AsyncClient) -> None:
    await admin.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "A"}})
    for raw in ("1e308", "nan", "inf", "-1"):
        response = await admin.delete("/__admin/tenants/cwmock/contacts/1", params={"visibleAfter": raw})
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == "visibleAfter"
    await assert_still_serving(admin)


async def test_the_largest_accepted_magnitudes_leave_the_server_serving(admin: httpx.AsyncClient) -> None:
    """At the bounds themselves: skew and delay at their maximum, the clock at its last instant."""
    assert (await admin.post("/__admin/faults", json={"kind": "skew", "seconds": 3_153_600_000})).status_code == 201
    assert (await admin.put("/__admin/tenants/cwmock/visibility-delay", json={"seconds": 3_153_600_000})).is_success
    moved = await admin.post("/__admin/clock/set", json={"instant": "9799-12-31T23:59:59Z"})
    assert moved.status_code == 200, moved.text
    assert (await admin.post("/__admin/clock/follow", json={"speed": 1_000_000})).status_code == 200
    assert (await admin.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "A"}})).is_success
    assert (await admin.get(CONTACTS, headers=NATIVE)).status_code == 200
    assert (await admin.delete("/__admin/faults")).status_code == 204
    await assert_still_serving(admin)
