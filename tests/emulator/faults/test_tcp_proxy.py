"""Socket faults reach a real httpx client as connection errors, each as its own exception class."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.faults.tcp_proxy import TcpFaultProxy

pytestmark = pytest.mark.anyio

CONTACTS = "/v4_6_release/apis/3.0/company/contacts"


@pytest.fixture
def emulator() -> Emulator:
    emulator = create_emulator()
    for n in range(5):
        emulator.store.create_contact("cwmock", {"firstName": f"contact-{n}"})
    return emulator


async def journal_faults(emulator: Emulator, count: int) -> list[str | None]:
    """The journal's faults once it has `count` entries (the server thread journals just after answering)."""

    async def filled() -> None:
        while len(emulator.journal.entries()) < count:
            await asyncio.sleep(0.005)

    await asyncio.wait_for(filled(), 5)
    return [entry.fault for entry in emulator.journal.entries()]


async def test_untouched_requests_pass_through_on_one_kept_alive_connection(
    proxied_client: httpx.AsyncClient, emulator: Emulator
) -> None:
    for _ in range(3):
        response = await proxied_client.get(CONTACTS)
        assert response.status_code == 200
        assert len(response.json()) == 5
    created = await proxied_client.post(CONTACTS, json={"firstName": "through the proxy"})
    assert created.status_code == 201
    assert (await proxied_client.delete(f"{CONTACTS}/{created.json()['id']}")).status_code == 204
    assert await journal_faults(emulator, 5) == [None] * 5


async def test_reset_before_response_is_a_read_error(
    proxied_client: httpx.AsyncClient, fault_proxy: TcpFaultProxy, emulator: Emulator
) -> None:
    fault = fault_proxy.add("reset_before_response", path=CONTACTS, times=1)
    with pytest.raises(httpx.ReadError) as raised:
        await proxied_client.get(CONTACTS)
    assert type(raised.value) is httpx.ReadError
    assert (await proxied_client.get(CONTACTS)).status_code == 200, "only the next request, and the client recovers"
    assert (fault.scope.matched, fault.scope.fired) == (2, 1)
    assert await journal_faults(emulator, 2) == ["reset_before_response", None], (
        "the emulator journals the broken response"
    )


async def test_cut_body_after_n_bytes_is_a_remote_protocol_error(
    proxied_client: httpx.AsyncClient, fault_proxy: TcpFaultProxy, emulator: Emulator
) -> None:
    fault_proxy.add("cut_body_after", cut_after=40, path=CONTACTS, after=1, times=1)
    assert (await proxied_client.get(CONTACTS)).status_code == 200, "after=1 skips the first request"
    chunks: list[bytes] = []

    async def read_all() -> None:
        async with proxied_client.stream("GET", CONTACTS) as response:
            assert response.status_code == 200, "the head arrives whole"
            async for chunk in response.aiter_raw():
                chunks.append(chunk)

    with pytest.raises(httpx.RemoteProtocolError) as raised:
        await read_all()
    assert type(raised.value) is httpx.RemoteProtocolError
    assert "incomplete" in str(raised.value) or "without sending complete message body" in str(raised.value)
    assert len(b"".join(chunks)) == 40
    assert await journal_faults(emulator, 2) == [None, "cut_body_after"]


async def test_a_cut_longer_than_the_body_still_cuts(
    proxied_client: httpx.AsyncClient, fault_proxy: TcpFaultProxy
) -> None:
    fault_proxy.add("cut_body_after", cut_after=10_000, path=f"{CONTACTS}/count")
    with pytest.raises(httpx.RemoteProtocolError):
        await proxied_client.get(f"{CONTACTS}/count")


async def test_seeded_socket_faults_reproduce_and_can_be_removed(
    proxied_client: httpx.AsyncClient, fault_proxy: TcpFaultProxy
) -> None:
    async def outcomes() -> list[str]:
        seen = []
        for _ in range(12):
            try:
                seen.append(str((await proxied_client.get(CONTACTS)).status_code))
            except httpx.ReadError:
                seen.append("reset")
        return seen

    fault = fault_proxy.add("reset_before_response", probability=0.5, seed=3)
    first = await outcomes()
    fault_proxy.remove(fault.id)
    fault_proxy.add("reset_before_response", probability=0.5, seed=3)
    assert await outcomes() == first
    assert "reset" in first
    assert "200" in first
    fault_proxy.clear()
    assert fault_proxy.faults() == []
    assert await outcomes() == ["200"] * 12
