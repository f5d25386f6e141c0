"""Issue 19, breakage 4: ids of thousands of digits in a path, a query or a body used to answer 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from support.in_process import (
    CONTACTS,
    HUB_CONTACTS,
    INSTANCES,
    NATIVE,
    PLATFORM_AUTH,
    client_of,
    hub_auth,
    whole_emulator,
)

pytestmark = pytest.mark.anyio
HUGE = "9" * 5000
LONG = "1" * 19  # one digit over the 18 an id may have


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(whole_emulator()) as client:
        assert (await client.post(CONTACTS, headers=NATIVE, json={"firstName": "Ada"})).status_code == 201
        yield client


@pytest.mark.parametrize("contact_id", [HUGE, LONG])
async def test_an_id_too_long_to_name_anything_is_a_404_on_every_id_route(
    client: httpx.AsyncClient, contact_id: str
) -> None:
    token = (await client.post("/__admin/instances", json={"tenant": "cwmock", "name": "i"})).json()["token"]
    hub = {"Authorization": hub_auth(token)}
    platform = {"Authorization": PLATFORM_AUTH}
    calls = [
        ("GET", f"{CONTACTS}/{contact_id}", NATIVE), ("PUT", f"{CONTACTS}/{contact_id}", NATIVE),
        ("PATCH", f"{CONTACTS}/{contact_id}", NATIVE), ("DELETE", f"{CONTACTS}/{contact_id}", NATIVE),
        ("GET", f"/v4_6_release/apis/3.0/company/companies/{contact_id}", NATIVE),
        ("GET", f"{HUB_CONTACTS}/{contact_id}", hub),
        ("GET", f"{INSTANCES}/{contact_id}", platform), ("DELETE", f"{INSTANCES}/{contact_id}", platform),
        ("GET", f"{INSTANCES}/{contact_id}/events", platform),
        ("GET", f"/__admin/instances/{contact_id}", {}), ("GET", f"/__admin/instances/{contact_id}/served", {}),
        ("GET", f"/__admin/faults/{contact_id}", {}), ("DELETE", f"/__admin/faults/{contact_id}", {}),
        ("DELETE", f"/__admin/tenants/cwmock/contacts/{contact_id}", {}),
    ]  # fmt: skip
    for method, path, headers in calls:
        response = await client.request(method, path, headers=headers, json={"firstName": "x"})
        assert response.status_code == 404, (method, path[:80], response.text[:200])


async def test_an_id_too_long_in_a_query_is_a_400(client: httpx.AsyncClient) -> None:
    paged = await client.get(CONTACTS, params={"pageId": HUGE}, headers={**NATIVE, "pagination-type": "forward-only"})
    assert (paged.status_code, paged.json()["errors"][0]["field"]) == (400, "pageId")
    history = await client.get("/__admin/history", params={"id": HUGE})
    assert (history.status_code, history.json()["errors"][0]["field"]) == (400, "id")
    page = await client.get(CONTACTS, params={"page": HUGE}, headers=NATIVE)
    assert (page.status_code, page.json()["errors"][0]["field"]) == (400, "page")


async def test_an_id_too_long_in_a_body_is_a_400(client: httpx.AsyncClient) -> None:
    for body in (
        f'{{"firstName": "A", "company": {{"id": {HUGE}}}}}',
        f'{{"firstName": "A", "company": {{"id": {LONG}0}}}}',
    ):
        response = await client.post(CONTACTS, headers={**NATIVE, "content-type": "application/json"}, content=body)
        assert response.status_code == 400, response.text[:200]
    touched = await client.post("/__admin/tenants/cwmock/contacts/touch", json={"ids": [10**18]})
    assert touched.status_code == 404, touched.text


async def test_ids_within_the_bound_still_route(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{CONTACTS}/1", headers=NATIVE)).status_code == 200
    assert (await client.get(f"{CONTACTS}/{'9' * 18}", headers=NATIVE)).status_code == 404
    assert (await client.get(f"{CONTACTS}/0001", headers=NATIVE)).status_code == 200
