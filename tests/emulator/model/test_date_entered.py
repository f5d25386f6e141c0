"""The non-faithful `_info.dateEntered` switch: off by default, stamped at creation, kept by every later write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.model.snapshot import take_snapshot
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
HUB = "/elements/api-v2/hubs/crm/contacts"
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")


def client(emulator: Emulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app), base_url="http://cw.test")


@pytest.fixture
async def default_client() -> AsyncIterator[httpx.AsyncClient]:
    async with client(create_emulator(clock=ManualClock(START))) as http:
        yield http


async def create(http: httpx.AsyncClient, **options: Any) -> dict[str, Any]:
    response = await http.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "A"}, **options})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_the_default_wire_shape_has_no_date_entered(default_client: httpx.AsyncClient) -> None:
    created = await create(default_client)
    native = await default_client.get(f"{CONTACTS}/{created['id']}", headers=NATIVE)
    assert native.status_code == 200
    info = native.json()["_info"]
    assert {key for key in info if not key.endswith("_href")} == {"lastUpdated", "updatedBy"}
    listed = await default_client.get(CONTACTS, headers=NATIVE)
    assert all("dateEntered" not in c["_info"] for c in listed.json())


async def test_the_config_switch_stamps_creation_and_updates_keep_it() -> None:
    clock = ManualClock(START)
    emulator = create_emulator(EmulatorConfig(contact_date_entered=True), clock)
    async with client(emulator) as http:
        created = await create(http, stamp="2026-01-01T00:01:00Z")
        assert created["_info"]["dateEntered"] == created["_info"]["lastUpdated"] == "2026-01-01T00:01:00Z"
        clock.set(START + timedelta(hours=1))
        replaced = await http.put(f"{CONTACTS}/{created['id']}", headers=NATIVE, json={"firstName": "B"})
        assert replaced.json()["_info"]["lastUpdated"] == "2026-01-01T01:00:00Z"
        assert replaced.json()["_info"]["dateEntered"] == "2026-01-01T00:01:00Z"
        touched = await http.post(
            "/__admin/tenants/cwmock/contacts/touch", json={"ids": [created["id"]], "stamp": "2026-01-01T02:00:00Z"}
        )
        assert touched.status_code == 200, touched.text
        shown = await http.get(f"{CONTACTS}/{created['id']}", headers=NATIVE)
        assert shown.json()["_info"]["dateEntered"] == "2026-01-01T00:01:00Z"
        assert shown.json()["_info"]["lastUpdated"] == "2026-01-01T02:00:00Z"


async def test_the_admin_switch_is_per_tenant_and_reset_turns_it_off() -> None:
    emulator = create_emulator(clock=ManualClock(START))
    async with client(emulator) as http:
        switched = await http.put("/__admin/tenants/cwmock/date-entered", json={"enabled": True})
        assert switched.json() == {"tenant": "cwmock", "enabled": True}
        created = await create(http)
        assert created["_info"]["dateEntered"] == "2026-01-01T00:00:00Z"
        other = await http.post("/__admin/tenants/cloudelements/contacts", json={"contact": {"firstName": "A"}})
        assert "dateEntered" not in other.json()["_info"]
        assert take_snapshot(emulator.store, emulator.registry)["tenants"]["cwmock"]["dateEntered"] is True
        await http.post("/__admin/reset", json={})
        assert "dateEntered" not in (await create(http))["_info"]


async def test_the_switch_turned_off_keeps_stamps_already_given() -> None:
    emulator = create_emulator(clock=ManualClock(START))
    async with client(emulator) as http:
        await http.put("/__admin/tenants/cwmock/date-entered", json={"enabled": True})
        created = await create(http)
        await http.put("/__admin/tenants/cwmock/date-entered", json={"enabled": False})
        patched = await http.patch(
            f"/__admin/tenants/cwmock/contacts/{created['id']}",
            json={"operations": [{"op": "replace", "path": "firstName", "value": "Z"}]},
        )
        assert patched.json()["_info"]["dateEntered"] == "2026-01-01T00:00:00Z"
        assert "dateEntered" not in (await create(http))["_info"]


@pytest.mark.parametrize("body", [{}, {"enabled": "yes"}, {"enabled": 1}])
async def test_the_switch_needs_a_boolean(default_client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    refused = await default_client.put("/__admin/tenants/cwmock/date-entered", json=body)
    assert refused.status_code == 400
    assert "enabled" in refused.text
