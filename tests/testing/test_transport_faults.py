"""In-process transport faults through respx: each arrives at an httpx client as its own exception class."""

from __future__ import annotations

import random

import httpx
import pytest

from cwmock.emulator.app import Emulator, create_emulator
from cwmock.testing.plugin import native_headers
from cwmock.testing.transport_faults import TransportFaultKind, TransportFaults

pytestmark = pytest.mark.anyio

CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")
BASE = "http://cwmock.test"


def journal_faults(emulator: Emulator) -> list[str | None]:
    return [entry.fault for entry in emulator.journal.entries()]


@pytest.mark.parametrize(
    ("kind", "error", "served"),
    [
        ("connect_error", httpx.ConnectError, False),
        ("read_timeout", httpx.ReadTimeout, True),
        ("remote_protocol_error", httpx.RemoteProtocolError, True),
    ],
)
async def test_each_kind_raises_its_own_exception_class(
    emulator: Emulator, kind: TransportFaultKind, error: type[httpx.TransportError], served: bool
) -> None:
    faults = TransportFaults(emulator.app)
    faults.add(kind, path=CONTACTS, method="POST", times=1)
    with faults.mocking():
        async with httpx.AsyncClient(base_url=BASE, headers=NATIVE) as client:
            with pytest.raises(error) as raised:
                await client.post(CONTACTS, json={"firstName": "lost reply"})
            assert type(raised.value) is error
            assert raised.value.request.url.path == CONTACTS
            listed = await client.get(CONTACTS)
    assert [c["firstName"] for c in listed.json()] == (["lost reply"] if served else [])
    assert journal_faults(emulator) == [kind, None], "the emulator journals the broken call as faulted"


async def test_unfaulted_calls_reach_the_app_and_other_hosts_are_not_captured(emulator: Emulator) -> None:
    faults = TransportFaults(emulator.app)
    faults.add("read_timeout", path="/elements/*")
    with faults.mocking() as router:
        async with httpx.AsyncClient(base_url=BASE, headers=NATIVE) as client:
            created = await client.post(CONTACTS, json={"firstName": "fine"})
            assert created.status_code == 201
            assert created.json()["firstName"] == "fine"
            assert (await client.get(f"{CONTACTS}/count")).json() == {"count": 1}
        assert router.calls.call_count == 2
    assert faults.faults()[0].scope.matched == 0


async def test_seeded_probability_reproduces_and_matches_random(emulator: Emulator) -> None:
    async def run(seed: int) -> list[str]:
        faults = TransportFaults(create_emulator().app)
        faults.add("connect_error", path=CONTACTS, probability=0.3, seed=seed, after=1)
        seen = []
        with faults.mocking():
            async with httpx.AsyncClient(base_url=BASE, headers=NATIVE) as client:
                for _ in range(20):
                    try:
                        seen.append(str((await client.get(CONTACTS)).status_code))
                    except httpx.ConnectError:
                        seen.append("connect_error")
        return seen

    first = await run(11)
    assert await run(11) == first
    rng = random.Random(11)
    assert first == ["200"] + ["connect_error" if rng.random() < 0.3 else "200" for _ in range(19)]


async def test_faults_are_listed_and_removed(emulator: Emulator) -> None:
    faults = TransportFaults(emulator.app)
    one = faults.add("connect_error", times=1)
    faults.add("read_timeout", path_regex=r".*/count")
    faults.remove(one.id)
    assert [f.kind for f in faults.faults()] == ["read_timeout"]
    with faults.mocking():
        async with httpx.AsyncClient(base_url=BASE, headers=NATIVE) as client:
            assert (await client.get(CONTACTS)).status_code == 200
            with pytest.raises(httpx.ReadTimeout):
                await client.get(f"{CONTACTS}/count")
            faults.clear()
            assert (await client.get(f"{CONTACTS}/count")).status_code == 200
    with pytest.raises(ValueError, match="kind must be one of"):
        faults.add("dns_error")  # type: ignore[arg-type]  # a kind outside TransportFaultKind, refused at run time


async def test_the_plugin_fixture_routes_the_default_host(
    cwmock_transport_faults: TransportFaults, cwmock_emulator: Emulator, cwmock_headers: dict[str, str]
) -> None:
    cwmock_transport_faults.add("remote_protocol_error", path=CONTACTS, times=1)
    async with httpx.AsyncClient(base_url="http://cwmock.test", headers=cwmock_headers) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(CONTACTS)
        assert (await client.get(CONTACTS)).status_code == 200
    assert journal_faults(cwmock_emulator) == ["remote_protocol_error", None]
