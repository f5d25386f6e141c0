"""Socket faults through the admin API: a real client meets them on a real socket through the emulator's proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.faults.tcp_proxy import TcpFaultProxy
from cwmock.emulator.http.server import BackgroundServer

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def emulator(clock: ManualClock) -> Emulator:
    emulator = create_emulator(clock=clock)
    for n in range(3):
        emulator.store.create_contact("cwmock", {"firstName": f"contact-{n}"})
    return emulator


@pytest.fixture
async def admin(served: BackgroundServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served.url, timeout=5) as client:
        yield client


async def add(admin: httpx.AsyncClient, **spec: Any) -> dict[str, Any]:
    response = await admin.post("/__admin/socket-faults", json=spec)
    assert response.status_code == 201, response.text
    fault: dict[str, Any] = response.json()
    return fault


async def test_without_a_proxy_a_socket_fault_is_refused_not_listed_to_never_fire(admin: httpx.AsyncClient) -> None:
    assert (await admin.get("/__admin/fault-proxy")).json() == {"url": None}
    response = await admin.post("/__admin/socket-faults", json={"kind": "reset_before_response"})
    assert response.status_code == 409
    assert response.json()["code"] == "NoFaultProxy"
    assert "--fault-proxy-port" in response.json()["message"]
    assert (await admin.get("/__admin/socket-faults")).json() == []


async def test_a_reset_added_over_http_breaks_the_next_request_through_the_proxy(
    admin: httpx.AsyncClient, proxied_client: httpx.AsyncClient, fault_proxy: TcpFaultProxy
) -> None:
    assert (await admin.get("/__admin/fault-proxy")).json() == {"url": fault_proxy.url}
    fault = await add(admin, kind="reset_before_response", path=CONTACTS, method="GET", times=1)
    with pytest.raises(httpx.ReadError):
        await proxied_client.get(CONTACTS)
    assert (await proxied_client.get(CONTACTS)).status_code == 200
    listed = (await admin.get(f"/__admin/socket-faults/{fault['id']}")).json()
    assert (listed["matched"], listed["fired"], listed["exhausted"]) == (2, 1, True)
    entries = (await admin.get("/__admin/journal")).json()["entries"]
    assert [e["fault"] for e in entries if e["path"] == CONTACTS] == ["reset_before_response", None]


async def test_a_cut_body_added_over_http_lets_exactly_cut_after_bytes_through(
    admin: httpx.AsyncClient, proxied_client: httpx.AsyncClient
) -> None:
    await add(admin, kind="cut_body_after", cutAfter=25, path=CONTACTS)
    received: list[bytes] = []

    async def read_all() -> None:
        async with proxied_client.stream("GET", CONTACTS) as response:
            assert response.status_code == 200
            async for chunk in response.aiter_raw():
                received.append(chunk)

    with pytest.raises(httpx.RemoteProtocolError):
        await read_all()
    assert len(b"".join(received)) == 25


async def test_a_socket_fault_scheduled_at_an_emulated_instant_waits_for_the_clock(
    admin: httpx.AsyncClient, proxied_client: httpx.AsyncClient, clock: ManualClock
) -> None:
    fault = await add(admin, kind="reset_before_response", path=CONTACTS, times=1, **{"from": "2026-01-01T01:00:00Z"})
    assert fault["from"] == "2026-01-01T01:00:00Z"
    assert (await proxied_client.get(CONTACTS)).status_code == 200, "an hour early: not in scope, not counted"
    clock.set(START + timedelta(hours=1))
    with pytest.raises(httpx.ReadError):
        await proxied_client.get(CONTACTS)
    listed = (await admin.get(f"/__admin/socket-faults/{fault['id']}")).json()
    assert (listed["matched"], listed["fired"]) == (1, 1)


async def test_socket_faults_are_listed_removed_and_cleared(
    admin: httpx.AsyncClient, proxied_client: httpx.AsyncClient
) -> None:
    one = await add(admin, kind="reset_before_response", path=CONTACTS)
    two = await add(admin, kind="cut_body_after", cutAfter=3, probability=0.5, seed=9)
    assert [f["id"] for f in (await admin.get("/__admin/socket-faults")).json()] == [one["id"], two["id"]]
    assert (two["kind"], two["cutAfter"], two["seed"]) == ("cut_body_after", 3, 9)
    assert (await admin.delete(f"/__admin/socket-faults/{one['id']}")).status_code == 204
    assert (await admin.delete(f"/__admin/socket-faults/{one['id']}")).status_code == 404
    assert (await admin.delete("/__admin/socket-faults")).status_code == 204
    assert (await admin.get("/__admin/socket-faults")).json() == []
    assert (await proxied_client.get(CONTACTS)).status_code == 200, "no fault left: the proxy forwards untouched"


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ({"kind": "status"}, "kind"),
        ({"kind": "reset_before_response", "cutAfter": 3}, "cutAfter"),
        ({"kind": "cut_body_after", "cutAfter": -1}, "cutAfter"),
        ({"kind": "cut_body_after", "cutAfer": 3}, "cutAfer"),
        ({"kind": "reset_before_response", "times": -1}, "times"),
        ({"kind": "reset_before_response", "from": "2026-01-01T02:00:00Z", "until": "2026-01-01T01:00:00Z"}, "until"),
    ],
)
async def test_a_bad_socket_fault_is_refused_naming_what_is_wrong(
    admin: httpx.AsyncClient, fault_proxy: TcpFaultProxy, spec: dict[str, Any], named: str
) -> None:
    response = await admin.post("/__admin/socket-faults", json=spec)
    assert response.status_code == 400, response.text
    assert named in response.text
    assert fault_proxy.faults() == []


async def test_the_openapi_document_describes_the_socket_fault_endpoints(admin: httpx.AsyncClient) -> None:
    paths = (await admin.get("/openapi.json")).json()["paths"]
    body = paths["/__admin/socket-faults"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["kind"]["enum"] == ["reset_before_response", "cut_body_after"]
    assert {"from", "until", "cutAfter"} <= set(body["properties"])
    assert set(paths["/__admin/socket-faults/{id}"]) == {"get", "delete"}
    assert "get" in paths["/__admin/fault-proxy"]
