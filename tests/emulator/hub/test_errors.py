"""Every error on a hub path, the handler's and the injected faults' alike, in the platform's shape
`{message, requestId, providerMessage}`; provider failures as the platform reports them (502)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator

from support.hub import CONFIG, HUB, START, hub_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
def emulator() -> Emulator:
    emulator = create_emulator(CONFIG, ManualClock(START))
    emulator.store.create_contact("cwmock", {"firstName": "only"})
    return emulator


@pytest.fixture
def headers(emulator: Emulator) -> dict[str, str]:
    return hub_headers(emulator.registry.create("cwmock", "errors", START).token)


def platform_shaped(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"message", "requestId", "providerMessage"}, body
    assert body["message"]
    assert body["requestId"] == response.headers["elements-request-id"]
    return body


@pytest.mark.parametrize(
    ("params", "path", "auth", "status"),
    [
        ({}, "", hub_headers("nope")["Authorization"], 401),
        ({"where": "lastUpdated >> 'x'"}, "", None, 400),
        ({"nextPage": "garbage!"}, "", None, 400),
        ({"pageSize": "5000"}, "", None, 400),
    ],
    ids=["credentials", "ceql", "token", "page-size"],
)
async def test_the_platforms_own_refusals_carry_no_provider_message(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, str], path: str, auth: str | None, status: int
) -> None:
    response = await client.get(HUB + path, params=params, headers={"Authorization": auth} if auth else headers)
    assert response.status_code == status
    assert platform_shaped(response)["providerMessage"] is None


async def test_a_contact_the_provider_does_not_have_is_its_404_with_its_message(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(f"{HUB}/99", headers=headers)
    assert response.status_code == 404
    body = platform_shaped(response)
    assert "99" in body["providerMessage"]
    assert "provider" in body["message"]


@pytest.mark.parametrize("status", [500, 503])
async def test_an_injected_provider_failure_is_the_platforms_502(
    client: httpx.AsyncClient, headers: dict[str, str], status: int
) -> None:
    await client.post("/__admin/faults", json={"kind": "status", "status": status, "path": f"{HUB}*"})
    for path in (HUB, f"{HUB}/1"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 502
        body = platform_shaped(response)
        assert str(status) in body["message"]
        assert body["providerMessage"]
    journal = (await client.get("/__admin/journal", params={"path": HUB})).json()["entries"]
    assert [(e["status"], e["fault"]) for e in journal] == [(502, "status"), (502, "status")]


async def test_an_injected_failure_of_the_platform_keeps_its_status(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    added = await client.post("/__admin/faults", json={"kind": "status", "status": 503, "origin": "platform"})
    assert added.json()["origin"] == "platform"
    response = await client.get(HUB, headers=headers)
    assert response.status_code == 503
    assert platform_shaped(response)["providerMessage"] is None


async def test_an_unknown_origin_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/__admin/faults", json={"kind": "status", "origin": "moon"})
    assert response.status_code == 400
    assert "provider, platform" in response.text


async def test_an_injected_rate_limit_keeps_429_and_retry_after_in_the_platforms_shape(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    await client.post("/__admin/faults", json={"kind": "rate_limit", "retryAfter": 7})
    response = await client.get(HUB, headers=headers)
    assert (response.status_code, response.headers["retry-after"]) == (429, "7")
    assert "Too many requests" in platform_shaped(response)["providerMessage"]


async def test_the_native_api_keeps_connectwises_shape_for_the_same_fault(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    await client.post("/__admin/faults", json={"kind": "status", "status": 503})
    tenant = emulator.config.tenants[0]
    response = await client.get(
        "/v4_6_release/apis/3.0/company/contacts", auth=(f"{tenant.company}+{tenant.public_key}", tenant.private_key)
    )
    assert response.status_code == 503
    assert set(response.json()) == {"code", "message", "errors"}


async def test_an_emulator_bug_on_a_hub_path_is_a_500_in_the_platforms_shape(
    emulator: Emulator, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(emulator.store, "get_contact", broken)
    transport = httpx.ASGITransport(app=emulator.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        response = await client.get(f"{HUB}/1", headers=headers)
    assert response.status_code == 500
    assert "boom" in platform_shaped(response)["message"]
