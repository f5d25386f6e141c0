"""The emulator on a real socket: requests are journalled before they are answered; replies are not held back."""

from __future__ import annotations

import asyncio
import socket
import threading

import httpx
import pytest

from cwmock.emulator.app import create_emulator
from cwmock.emulator.http.server import BackgroundServer, Server, make_server
from cwmock.testing.plugin import LiveEmulator, native_headers

HEADERS = native_headers("cwmock", "cwmock-public", "cwmock-private")


def test_each_request_is_in_the_journal_when_its_response_arrives(cwmock_live: LiveEmulator) -> None:
    cwmock_live.emulator.journal.clear()
    with httpx.Client(base_url=cwmock_live.api_url, headers=HEADERS) as client:
        for n in range(1, 101):
            page = client.get("/company/contacts", params={"page": n})
            assert page.status_code == 200
            entries = cwmock_live.emulator.journal.entries()
            assert len(entries) == n, f"request {n} was answered before it was journalled"
            assert (entries[-1].query, entries[-1].status, entries[-1].returned) == (f"page={n}", 200, 0)


def test_background_server_connections_disable_nagle() -> None:
    # Without TCP_NODELAY each keep-alive request stalls ~40 ms (Nagle's algorithm against delayed ACKs).
    with BackgroundServer(create_emulator().app) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/login/companyinfo/cwmock").status_code == 200
        assert server._server is not None
        connections = list(server._server.server_state.connections)
        assert len(connections) == 1
        sock = connections[0].transport.get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_serve_announces_itself_only_once_the_socket_accepts_connections() -> None:
    """`cwmock emulator` prints its banner from `on_started`: a user who copies the URL must never be refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connected: list[bool] = []
    server_box: list[Server] = []

    def on_started() -> None:
        # A raw connect: the kernel completes it from the listen backlog (an HTTP request would need this very loop).
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            connected.append(True)
        server_box[0].should_exit = True

    app = create_emulator().app
    server = make_server(app, "127.0.0.1", port)
    server.on_started = on_started
    server_box.append(server)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert connected == [True], "on_started never ran"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the serving thread's own error
def test_a_background_server_that_cannot_start_says_so_and_releases_its_port() -> None:
    server = BackgroundServer(create_emulator().app)
    with pytest.raises(RuntimeError, match="did not start"):
        server.start(ssl_certfile="/nonexistent/cwmock-server.pem")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
