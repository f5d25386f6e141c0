"""Issue 19, breakages 3, 4 and 12: every JSON the emulator reads is bounded (depth, numbers) and must be JSON.

Deeply nested JSON used to answer 500 (RecursionError) on every JSON body, a 5,000-digit integer in a body 500
(Python's digit limit), and a `text/plain` body was parsed as JSON.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from cwmock.emulator.app import Emulator
from cwmock.fixtures import SEED_INSTANCE, read_fixture

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
DEEP = b"[" * 100_000
JSON = {"content-type": "application/json"}


@pytest.fixture
def emulator() -> Emulator:
    return whole_emulator()


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(emulator) as client:
        yield client


def seed_with(configuration: str) -> bytes:
    body = json.loads(read_fixture(SEED_INSTANCE))
    body["configuration"]["event.poller.configuration"] = configuration
    return json.dumps(body).encode()


BODIES = [
    ("POST", CONTACTS, NATIVE),
    ("PUT", f"{CONTACTS}/1", NATIVE),
    ("PATCH", f"{CONTACTS}/1", NATIVE),
    ("POST", INSTANCES, {"Authorization": PLATFORM_AUTH}),
    ("POST", "/__admin/restore", {}),
    ("POST", "/__admin/faults", {}),
    ("POST", "/__admin/tenants/cwmock/contacts", {}),
]


@pytest.mark.parametrize(("method", "path", "headers"), BODIES)
@pytest.mark.parametrize(
    "raw", [DEEP, b'{"firstName": ' + DEEP + b"}", b'{"firstName": "A", "id": ' + b"9" * 5000 + b"}", b"[NaN]"]
)
async def test_a_hostile_json_body_is_a_400(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], raw: bytes
) -> None:
    await client.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "Ada"}})
    response = await client.request(method, path, headers={**headers, **JSON}, content=raw)
    assert response.status_code == 400, response.text[:300]
    assert (await client.get(CONTACTS, headers=NATIVE)).status_code == 200


@pytest.mark.parametrize(("method", "path", "headers"), BODIES)
async def test_a_text_plain_body_is_refused_as_unsupported(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = await client.request(
        method, path, headers={**headers, "content-type": "text/plain"}, content=b'{"firstName": "Ada"}'
    )
    assert response.status_code == 415, response.text
    assert "application/json" in response.text


async def test_curl_d_form_bodies_still_read_as_json(client: httpx.AsyncClient) -> None:
    """`curl -d '{...}'` (the README's demo) sends application/x-www-form-urlencoded."""
    form = {"content-type": "application/x-www-form-urlencoded"}
    response = await client.post(
        "/__admin/tenants/cwmock/contacts", headers=form, content=b'{"contact":{"firstName":"A"}}'
    )
    assert response.status_code == 201, response.text


async def test_a_deep_json_string_poller_configuration_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        INSTANCES, headers={"Authorization": PLATFORM_AUTH, **JSON}, content=seed_with("[" * 100_000)
    )
    assert response.status_code == 400, response.text[:300]
    assert "event.poller.configuration" in response.text


async def test_a_forged_deep_page_token_is_a_400(client: httpx.AsyncClient) -> None:
    token = (await client.post("/__admin/instances", json={"tenant": "cwmock", "name": "i"})).json()["token"]
    forged = base64.urlsafe_b64encode(b"[" * 10_000).decode()  # httpx caps a URL at 64 KiB
    response = await client.get(HUB_CONTACTS, params={"nextPage": forged}, headers={"Authorization": hub_auth(token)})
    assert response.status_code == 400, response.text[:300]
