"""Contacts of a tenant: create, edit, touch and delete through the forms; each contact's version history."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator

pytestmark = pytest.mark.anyio


async def test_creating_a_contact_shows_it_with_its_first_version(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    created = await ui.post("/tenants/cwmock/contacts", data={"firstName": "Ada", "lastName": "Lovelace"})
    assert created.status_code == 303
    assert created.headers["location"].startswith("/__ui/tenants/cwmock/contacts/1?notice=Created%20contact%201")
    assert emulator.store.get_contact("cwmock", 1)["lastName"] == "Lovelace"
    page = await ui.get("/tenants/cwmock/contacts/1")
    assert "Ada" in page.text
    assert "2026-01-01 00:00:00Z" in page.text
    listing = await ui.get("/tenants/cwmock")
    assert '<a href="/__ui/tenants/cwmock/contacts/1">1</a>' in listing.text


async def test_a_stamp_and_a_visibility_delay_can_be_chosen(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    form = {"firstName": "Later", "stamp": "2026-01-01T00:10:00", "visibleAfter": "60"}
    assert (await ui.post("/tenants/cwmock/contacts", data=form)).status_code == 303
    [write] = emulator.store.tenant("cwmock").history.writes
    assert write.stamp is not None
    assert write.stamp.isoformat() == "2026-01-01T00:10:00+00:00"
    assert write.became_visible is None
    page = await ui.get("/tenants/cwmock")
    assert "visible from 2026-01-01 00:11:00Z" in page.text


async def test_a_contact_json_body_is_validated_by_the_emulator(ui: httpx.AsyncClient) -> None:
    bad = await ui.post("/tenants/cwmock/contacts", data={"body": '{"firstName": "A", "gender": "Robot"}'})
    assert bad.status_code == 400
    assert "gender" in bad.text
    assert "Robot" in bad.text, "the JSON typed is kept in the form"
    broken = await ui.post("/tenants/cwmock/contacts", data={"body": "{"})
    assert "Contact JSON is not valid JSON" in broken.text
    nameless = await ui.post("/tenants/cwmock/contacts", data={"lastName": "Only"})
    assert "First name is required" in nameless.text


async def test_edit_touch_and_delete(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    clock = emulator.clock
    assert isinstance(clock, ManualClock)
    await ui.post("/tenants/cwmock/contacts", data={"firstName": "Ada"})
    clock.set(clock.now() + timedelta(minutes=5))
    edited = await ui.post("/tenants/cwmock/contacts/1/edit", data={"body": json.dumps({"firstName": "Grace"})})
    assert edited.status_code == 303
    assert emulator.store.get_contact("cwmock", 1)["firstName"] == "Grace"
    clock.set(clock.now() + timedelta(minutes=5))
    touched = await ui.post("/tenants/cwmock/contacts/1/touch", data={})
    assert touched.status_code == 303
    assert emulator.store.get_contact("cwmock", 1)["_info"]["lastUpdated"] == "2026-01-01T00:10:00Z"
    page = await ui.get("/tenants/cwmock/contacts/1")
    assert page.text.count('<details id="version-') == 3
    assert "superseded 2026-01-01 00:05:00Z" in page.text
    deleted = await ui.post("/tenants/cwmock/contacts/1/delete", data={})
    assert deleted.status_code == 303
    after = await ui.get("/tenants/cwmock/contacts/1")
    assert "Deleted." in after.text
    assert "deleted 2026-01-01 00:10:00Z" in after.text
    assert "Save contact 1" not in after.text
    again = await ui.post("/tenants/cwmock/contacts/1/touch", data={})
    assert again.status_code == 404
    assert "contact 1 not found" in again.text


async def test_an_unknown_tenant_or_contact_is_a_404_page(ui: httpx.AsyncClient) -> None:
    tenant = await ui.get("/tenants/nobody")
    assert tenant.status_code == 404
    assert "known tenants: cwmock, cloudelements" in tenant.text
    contact = await ui.get("/tenants/cwmock/contacts/99")
    assert contact.status_code == 404
    assert "contact 99 was never written" in contact.text
