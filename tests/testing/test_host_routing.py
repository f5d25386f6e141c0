"""A user's poller with hard-coded ConnectWise / Open Connectors hosts, routed into the in-process emulator."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import respx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.testing.host_routing import DEFAULT_HOSTS, HostRouter, host_regex
from cwmock.testing.plugin import LiveEmulator, native_headers

pytestmark = pytest.mark.anyio

CW_API = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0"
CW_SITE = "https://na.myconnectwise.net"
HUB = "https://api.openconnectors.ext.hana.ondemand.com/elements/api-v2"
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")


class UsersPoller:
    """Stands for a user's own code: its hosts are hard-coded, it builds its own httpx client."""

    async def contacts_since(self, since: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(headers=NATIVE) as client:
            info = await client.get(f"{CW_SITE}/login/companyinfo/cwmock")
            codebase = info.json()["Codebase"]
            response = await client.get(
                f"https://api-na.myconnectwise.net/{codebase}apis/3.0/company/contacts",
                params={"conditions": f"lastUpdated > [{since}]", "orderBy": "id"},
            )
            response.raise_for_status()
            found: list[dict[str, Any]] = response.json()
            return found

    def create_sync(self, first_name: str) -> httpx.Response:
        with httpx.Client(headers=NATIVE) as client:
            return client.post(f"{CW_API}/company/contacts", json={"firstName": first_name})


def echo_app() -> Starlette:
    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "host": request.headers["host"],
                "path": request.url.path,
                "query": request.url.query,
                "headers": [[k, v] for k, v in request.headers.items() if k.startswith("x-")],
                "body": body.decode(),
            },
            status_code=207,
            headers={"x-echo": "yes"},
        )

    return Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])


async def test_a_users_poller_with_hard_coded_hosts_reads_the_emulator(emulator: Emulator) -> None:
    with HostRouter(emulator.app, codebase=emulator.config.codebase).mocking() as router:
        async with httpx.AsyncClient(headers=NATIVE) as client:
            created = await client.post(f"{CW_API}/company/contacts", json={"firstName": "Ada"})
        assert created.status_code == 201
        found = await UsersPoller().contacts_since("2025-01-01T00:00:00Z")
        assert [(c.request.method, c.request.url.host) for c in router.calls] == [
            ("POST", "api-na.myconnectwise.net"),
            ("GET", "na.myconnectwise.net"),
            ("GET", "api-na.myconnectwise.net"),
        ]
    assert [c["firstName"] for c in found] == ["Ada"]
    assert found[0]["_info"]["communications_href"].startswith(CW_API), "links name the host the client called"
    listed = emulator.journal.entries()[-1]
    assert (listed.method, listed.path) == ("GET", "/v4_6_release/apis/3.0/company/contacts")
    assert "conditions=lastUpdated" in listed.query


async def test_method_path_query_headers_and_body_arrive_unchanged() -> None:
    with HostRouter(echo_app(), ["api.cloud-elements.com"]).mocking():
        async with httpx.AsyncClient() as client:
            response = await client.patch(
                "https://api.cloud-elements.com/elements/api-v2/hubs/crm/contacts/7?where=a%3D%27b%27&x=1&x=2",
                headers=[("X-One", "1"), ("X-Two", "2")],
                content=b'{"raw": "bytes \xc3\xa9"}',
            )
    assert response.status_code == 207
    assert response.headers["x-echo"] == "yes"
    assert response.json() == {
        "method": "PATCH",
        "host": "api.cloud-elements.com",
        "path": "/elements/api-v2/hubs/crm/contacts/7",
        "query": "where=a%3D%27b%27&x=1&x=2",
        "headers": [["x-one", "1"], ["x-two", "2"]],
        "body": '{"raw": "bytes é"}',
    }


async def test_the_open_connectors_hub_host_serves_the_hub_view(emulator: Emulator) -> None:
    emulator.store.create_contact("cwmock", {"firstName": "Hub"})
    instance = emulator.registry.create("cwmock", "mine", emulator.clock.now())
    auth = f"User {emulator.config.user_secret}, Organization {emulator.config.organization_secret}, Element "
    with HostRouter(emulator.app).mocking():
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{HUB}/hubs/crm/contacts",
                params={"where": "lastUpdated>'2020-01-01T00:00:00Z'"},
                headers={"Authorization": auth + instance.token},
            )
    assert response.status_code == 200, response.text
    assert [c["firstName"] for c in response.json()] == ["Hub"]


async def test_another_codebase_is_served_when_mapped_and_not_found_otherwise(emulator: Emulator) -> None:
    url = "https://api-eu.myconnectwise.net/v2025_1/apis/3.0/company/contacts/count"
    with HostRouter(emulator.app, codebase="v4_6_release").mocking():
        async with httpx.AsyncClient(headers=NATIVE) as client:
            assert (await client.get(url)).json() == {"count": 0}
    with HostRouter(emulator.app).mocking():
        async with httpx.AsyncClient(headers=NATIVE) as client:
            assert (await client.get(url)).status_code == 404
    own = create_emulator(EmulatorConfig(codebase="v2025_1/"))
    with HostRouter(own.app).mocking():
        async with httpx.AsyncClient(headers=NATIVE) as client:
            assert (await client.get(url)).json() == {"count": 0}


async def test_unrouted_hosts_fail_instead_of_reaching_the_network(emulator: Emulator) -> None:
    with HostRouter(emulator.app).mocking() as router:
        async with httpx.AsyncClient() as client:
            with pytest.raises(respx.models.AllMockedAssertionError, match=r"example\.invalid"):
                await client.get("https://example.invalid/anything")
        with httpx.Client() as sync_client, pytest.raises(respx.models.AllMockedAssertionError):
            sync_client.get("https://api.myconnectwise.org/v4_6_release/apis/3.0/system/info")
        assert router.calls.call_count == 0, "nothing was forwarded"


async def test_a_sync_client_is_routed_even_from_inside_a_running_event_loop(emulator: Emulator) -> None:
    poller = UsersPoller()
    with HostRouter(emulator.app).mocking():
        inline = poller.create_sync("inline")  # blocks this loop: the app runs on the router's own loop thread
        threaded = await asyncio.to_thread(poller.create_sync, "threaded")
        found = await poller.contacts_since("2020-01-01T00:00:00Z")
    assert (inline.status_code, threaded.status_code) == (201, 201)
    assert [c["firstName"] for c in found] == ["inline", "threaded"]


def test_a_sync_client_is_routed_outside_any_event_loop(emulator: Emulator) -> None:
    with HostRouter(emulator.app).mocking():
        created = UsersPoller().create_sync("sync")
        with httpx.Client(headers=NATIVE) as client:
            count = client.get(f"{CW_API}/company/contacts/count")
    assert created.status_code == 201
    assert count.json() == {"count": 1}


async def test_loopback_passes_through_to_served_apps(emulator: Emulator, cwmock_live: LiveEmulator) -> None:
    with HostRouter(emulator.app).mocking():
        async with httpx.AsyncClient(headers=NATIVE) as client:
            served = await client.post(f"{cwmock_live.api_url}/company/contacts", json={"firstName": "served"})
            routed = await client.get(f"{CW_API}/company/contacts/count")
        with httpx.Client() as sync_client:
            assert sync_client.get(f"{cwmock_live.url}/__admin/clock").status_code == 200
    assert served.status_code == 201
    assert routed.json() == {"count": 0}, "the in-process emulator is another world than the served one"


async def test_more_hosts_can_go_to_another_app(emulator: Emulator) -> None:
    router = HostRouter(emulator.app, ["cw.example"])
    router.add(echo_app(), ["hooks.example"])
    assert router.hosts == ("cw.example", "hooks.example")
    with router.mocking():
        async with httpx.AsyncClient(headers=NATIVE) as client:
            assert (await client.get("http://cw.example/v4_6_release/apis/3.0/system/info")).status_code == 200
            assert (await client.post("http://hooks.example/x")).json()["host"] == "hooks.example"
        with pytest.raises(RuntimeError, match="before entering"):
            router.add(echo_app(), ["late.example"])


def test_host_patterns() -> None:
    regex = host_regex(DEFAULT_HOSTS)
    for host in (
        "api-na.myconnectwise.net",
        "API-EU.MyConnectWise.net",
        "na.myconnectwise.net",
        "api-staging.connectwisedev.com",
        "api.openconnectors.ext.hana.ondemand.com",
        "api.openconnectors.us2.ext.hana.ondemand.com",
        "api.cloud-elements.com",
        "staging.cloud-elements.com",
    ):
        assert regex.fullmatch(host), host
    for host in ("myconnectwise.net.evil.example", "example.com", "connectwise.com", "ondemand.com"):
        assert not regex.fullmatch(host), host
    with pytest.raises(ValueError, match="host pattern"):
        host_regex([])
