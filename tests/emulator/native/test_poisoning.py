"""Issue 19, breakage 1: one write with a lone surrogate used to be stored and make the whole tenant answer 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cwmock.emulator.app import Emulator, create_emulator
from cwmock.testing.plugin import native_headers

API = "/v4_6_release/apis/3.0/company/contacts"
NATIVE = {**native_headers("cwmock", "cwmock-public", "cwmock-private"), "content-type": "application/json"}
HUB_AUTH = "User cwmock-user-secret, Organization cwmock-organization-secret, Element {token}"
pytestmark = pytest.mark.anyio


@pytest.fixture
def emulator() -> Emulator:
    return create_emulator()


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions=False: a 500 comes back as a response, as a real client would see it.
    transport = httpx.ASGITransport(app=emulator.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        yield client


async def assert_tenant_readable(client: httpx.AsyncClient) -> None:
    token = (await client.post("/__admin/instances", json={"tenant": "cwmock", "name": "i"})).json()["token"]
    for response in (
        await client.get(API, headers=NATIVE),
        await client.get(f"{API}/1", headers=NATIVE),
        await client.get("/__admin/snapshot"),
        await client.get("/__admin/history"),
        await client.get("/elements/api-v2/hubs/crm/contacts", headers={"Authorization": HUB_AUTH.format(token=token)}),
    ):
        assert response.status_code == 200, (response.request.url, response.text)


@pytest.mark.parametrize(
    ("method", "path", "raw"),
    [
        ("PATCH", f"{API}/1", b'[{"op":"replace","path":"title","value":"\\ud800"}]'),
        ("POST", API, b'{"firstName":"\\ud800"}'),
        ("POST", API, b'{"firstName":"Ada","lastName":"\\udfff"}'),
        ("PUT", f"{API}/1", b'{"firstName":"Ada\\u0000"}'),
        ("POST", "/__admin/tenants/cwmock/contacts", b'{"contact":{"firstName":"\\ud800"}}'),
        ("POST", "/__admin/tenants/cwmock/seed", b'{"contacts":[{"firstName":"ok"},{"firstName":"\\ud800"}]}'),
    ],
)
async def test_a_lone_surrogate_is_refused_and_the_tenant_stays_readable(
    client: httpx.AsyncClient, emulator: Emulator, method: str, path: str, raw: bytes
) -> None:
    assert (await client.post(API, headers=NATIVE, json={"firstName": "Ada"})).status_code == 201
    written = len(emulator.store.tenant("cwmock").history.writes)
    response = await client.request(method, path, headers=NATIVE, content=raw)
    assert response.status_code == 400, response.text
    assert len(emulator.store.tenant("cwmock").history.writes) == written, "the refused write was stored"
    await assert_tenant_readable(client)


async def test_a_page_mutation_carrying_a_lone_surrogate_is_refused(client: httpx.AsyncClient) -> None:
    mutation = b'{"op":"create","tenant":"cwmock","contact":{"firstName":"\\ud800"}}'
    raw = b'{"kind":"mutate_between_pages","mutation":' + mutation + b"}"
    refused = await client.post("/__admin/faults", content=raw)
    assert refused.status_code == 400, refused.text
    listed = await client.get("/__admin/faults")
    assert (listed.status_code, listed.json()) == (200, [])


async def test_a_page_mutation_is_validated_when_it_is_added(client: httpx.AsyncClient) -> None:
    bad = {
        "kind": "mutate_between_pages",
        "mutation": {"op": "create", "tenant": "cwmock", "contact": {"lastName": "x"}},
    }
    refused = await client.post("/__admin/faults", json=bad)
    assert refused.status_code == 400, refused.text
    assert "firstName" in refused.text
    ops = [{"op": "replace", "path": "id", "value": 1}]
    bad_patch = {
        "kind": "mutate_between_pages",
        "mutation": {"op": "update", "tenant": "cwmock", "id": 1, "operations": ops},
    }
    assert (await client.post("/__admin/faults", json=bad_patch)).status_code == 400
    assert (await client.get("/__admin/faults")).json() == []
