"""`LoopServer`: the emulator (or any app) served by the caller's own event loop, with no thread."""

from __future__ import annotations

import asyncio
import signal
import socket
import ssl
import threading

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import DEFAULT_START, create_emulator
from cwmock.emulator.http.server import LoopServer
from cwmock.emulator.http.tls import generate_tls
from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio

HEADERS = native_headers("cwmock", "cwmock-public", "cwmock-private")
COMPANY_INFO = "/login/companyinfo/cwmock"


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True


async def test_the_loop_that_calls_the_server_also_serves_it_without_a_thread() -> None:
    emulator = create_emulator(clock=ManualClock(DEFAULT_START))
    threads = threading.active_count()
    async with LoopServer(emulator.app) as server, httpx.AsyncClient(base_url=server.url, headers=HEADERS) as client:
        assert server.port != 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        for _ in range(3):  # one keep-alive connection, reused
            assert (await client.get(COMPANY_INFO)).status_code == 200
        created = await client.post("/v4_6_release/apis/3.0/company/contacts", json={"firstName": "Ada"})
        assert created.status_code == 201, created.text
        assert created.json()["_info"]["lastUpdated"] == "2026-01-01T00:00:00Z", "stamped by the emulator's clock"
        assert threading.active_count() == threads, "no thread was started to serve"
        assert server.busy() == (1, 0), "one connection open, no request in progress between requests"
        assert server._server is not None
        (connection,) = server._server.server_state.connections
        nodelay = connection.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert nodelay != 0, "without TCP_NODELAY each keep-alive request would wait ~40 ms"
    assert server.busy() == (0, 0)
    assert _refused(server.port), "the port is closed once the block ends, with a client connection still open"


async def test_a_receiver_on_the_same_loop_records_what_the_loop_sends_it() -> None:
    receiver = Receiver(ManualClock(DEFAULT_START))
    async with LoopServer(create_receiver_app(receiver)) as server, httpx.AsyncClient() as client:
        answer = await client.post(
            f"{server.url}/hooks", content=b'{"a":1}', headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 200
    (arrival,) = receiver.arrivals()
    assert arrival.body == b'{"a":1}'
    assert arrival.path == "/hooks"


async def test_ctrl_c_stays_with_the_caller_while_it_serves() -> None:
    before = signal.getsignal(signal.SIGINT)
    async with LoopServer(create_emulator().app) as server, httpx.AsyncClient() as client:
        assert (await client.get(f"{server.url}{COMPANY_INFO}")).status_code == 200
        assert signal.getsignal(signal.SIGINT) is before, "uvicorn must not take SIGINT from the test"
    assert signal.getsignal(signal.SIGINT) is before


async def test_a_port_in_use_is_refused_and_nothing_is_left_serving() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = LoopServer(create_emulator().app, port=port)
        with pytest.raises(OSError, match="in use"):
            await server.start()
        assert server.busy() == (0, 0)
        await server.stop()  # nothing to stop: harmless


async def test_it_serves_https_with_the_materials_certificate(tmp_path_factory: pytest.TempPathFactory) -> None:
    tls = generate_tls()
    ca_file = tls.write_ca(tmp_path_factory.mktemp("loop-tls") / "ca.pem")
    async with (
        LoopServer(create_emulator().app, tls=tls) as server,
        httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(ca_file))) as client,
    ):
        assert server.url.startswith("https://127.0.0.1:")
        assert (await client.get(f"{server.url}{COMPANY_INFO}")).status_code == 200


async def test_wait_idle_serves_while_it_waits_for_a_cut_request_to_be_dropped() -> None:
    receiver = Receiver(ManualClock(DEFAULT_START))
    async with LoopServer(create_receiver_app(receiver)) as server:
        await server.wait_idle(timeout=5)  # nothing was ever sent: idle at once
        whole = b'POST /cb HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}'
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(whole)
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200"), "the first request is answered"
        writer.write(whole[:-3])  # a second request cut short, as a sender killed mid-body leaves it
        await writer.drain()
        with pytest.raises(TimeoutError, match=r"still had 1 connection\(s\) open and 1 request\(s\) in progress"):
            await server.wait_idle(timeout=0.2)
        writer.close()
        await writer.wait_closed()
        await server.wait_idle(timeout=10)
    assert [arrival.body for arrival in receiver.arrivals()] == [b'{"a":1}'], "the cut request was never recorded"


async def test_what_stops_the_server_from_starting_is_raised_and_its_port_is_released() -> None:
    server = LoopServer(create_emulator().app)
    with pytest.raises(FileNotFoundError):
        await server.start(ssl_certfile="/nonexistent/cwmock-server.pem")
    assert server.busy() == (0, 0)
    assert _refused(server.port)


async def test_a_start_cancelled_while_it_waits_leaves_nothing_serving_or_open() -> None:
    server = LoopServer(create_emulator().app)
    starting = asyncio.ensure_future(server.start())
    await asyncio.sleep(0)  # it has bound its port and waits for the server
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    await asyncio.sleep(0)  # the serving task takes its cancellation
    assert _refused(server.port)
