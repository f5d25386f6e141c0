"""Socket faults reach a real httpx client as connection errors, each as its own exception class."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.faults.tcp_proxy import TcpFaultProxy
from cwmock.emulator.http.server import BackgroundServer
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio

CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")


@pytest.fixture
def emulator() -> Emulator:
    emulator = create_emulator()
    for n in range(5):
        emulator.store.create_contact("cwmock", {"firstName": f"contact-{n}"})
    return emulator


@pytest.fixture
def server(emulator: Emulator) -> Iterator[BackgroundServer]:
    with BackgroundServer(emulator.app) as server:
        yield server


@pytest.fixture
async def proxy(server: BackgroundServer) -> AsyncIterator[TcpFaultProxy]:
    async with TcpFaultProxy(server.host, server.port) as proxy:
        yield proxy


@pytest.fixture
async def client(proxy: TcpFaultProxy) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=proxy.url, headers=NATIVE, timeout=5) as client:
        yield client


async def journal_faults(emulator: Emulator, count: int) -> list[str | None]:
    """The journal's faults once it has `count` entries (the server thread journals just after answering)."""

    async def filled() -> None:
        while len(emulator.journal.entries()) < count:
            await asyncio.sleep(0.005)

    await asyncio.wait_for(filled(), 5)
    return [entry.fault for entry in emulator.journal.entries()]


async def test_untouched_requests_pass_through_on_one_kept_alive_connection(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    for _ in range(3):
        response = await client.get(CONTACTS)
        assert response.status_code == 200
        assert len(response.json()) == 5
    created = await client.post(CONTACTS, json={"firstName": "through the proxy"})
    assert created.status_code == 201
    assert (await client.delete(f"{CONTACTS}/{created.json()['id']}")).status_code == 204
    assert await journal_faults(emulator, 5) == [None] * 5


async def test_reset_before_response_is_a_read_error(
    client: httpx.AsyncClient, proxy: TcpFaultProxy, emulator: Emulator
) -> None:
    fault = proxy.add("reset_before_response", path=CONTACTS, times=1)
    with pytest.raises(httpx.ReadError) as raised:
        await client.get(CONTACTS)
    assert type(raised.value) is httpx.ReadError
    assert (await client.get(CONTACTS)).status_code == 200, "only the next request, and the client recovers"
    assert (fault.scope.matched, fault.scope.fired) == (2, 1)
    assert await journal_faults(emulator, 2) == ["reset_before_response", None], (
        "the emulator journals the broken response"
    )


async def test_cut_body_after_n_bytes_is_a_remote_protocol_error(
    client: httpx.AsyncClient, proxy: TcpFaultProxy, emulator: Emulator
) -> None:
    proxy.add("cut_body_after", cut_after=40, path=CONTACTS, after=1, times=1)
    assert (await client.get(CONTACTS)).status_code == 200, "after=1 skips the first request"
    chunks: list[bytes] = []

    async def read_all() -> None:
        async with client.stream("GET", CONTACTS) as response:
            assert response.status_code == 200, "the head arrives whole"
            async for chunk in response.aiter_raw():
                chunks.append(chunk)

    with pytest.raises(httpx.RemoteProtocolError) as raised:
        await read_all()
    assert type(raised.value) is httpx.RemoteProtocolError
    assert "incomplete" in str(raised.value) or "without sending complete message body" in str(raised.value)
    assert len(b"".join(chunks)) == 40
    assert await journal_faults(emulator, 2) == [None, "cut_body_after"]


async def test_a_cut_longer_than_the_body_still_cuts(client: httpx.AsyncClient, proxy: TcpFaultProxy) -> None:
    proxy.add("cut_body_after", cut_after=10_000, path=f"{CONTACTS}/count")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get(f"{CONTACTS}/count")


async def test_seeded_socket_faults_reproduce_and_can_be_removed(
    client: httpx.AsyncClient, proxy: TcpFaultProxy
) -> None:
    async def outcomes() -> list[str]:
        seen = []
        for _ in range(12):
            try:
                seen.append(str((await client.get(CONTACTS)).status_code))
            except httpx.ReadError:
                seen.append("reset")
        return seen

    fault = proxy.add("reset_before_response", probability=0.5, seed=3)
    first = await outcomes()
    proxy.remove(fault.id)
    proxy.add("reset_before_response", probability=0.5, seed=3)
    assert await outcomes() == first
    assert "reset" in first
    assert "200" in first
    proxy.clear()
    assert proxy.faults() == []
    assert await outcomes() == ["200"] * 12
