"""The receiver served on a real socket in a thread: signed resends grouped, a busy port reported with a fix."""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.records import Arrival
from cwmock.receiver.server import serve_receiver
from cwmock.receiver.signatures import SignatureStatus, sign

from support.receiver import BODY, KEY, START, count_at_least, hook


def test_threaded_server_over_a_real_socket() -> None:
    receiver = Receiver(ManualClock(START), [KEY])
    with serve_receiver(receiver, port=0) as server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        with httpx.Client(base_url=server.url) as http:
            assert http.get("/__receiver/health").json()["status"] == "ok"
            receiver.script(200, delay=0.5)
            with pytest.raises(httpx.ReadTimeout):
                http.post("/cb", content=BODY, headers=hook("n-1", sign(KEY, BODY)), timeout=0.1)

            def resend() -> None:
                with httpx.Client(base_url=server.url) as other:
                    other.post("/cb", content=BODY, headers=hook("n-1", sign(KEY, BODY)))

            sender = threading.Thread(target=resend)
            sender.start()
            arrivals: Sequence[Arrival] = receiver.wait_for_sync(count_at_least(2), timeout=10)
            sender.join()
    assert [a.status for a in arrivals] == [200, 200]
    assert all(a.signature.status is SignatureStatus.VALID for a in arrivals)
    assert [(d.webhook_id, d.seqs, d.conflicting) for d in receiver.deliveries()] == [("n-1", (1, 2), False)]
    receiver.check()


def test_a_busy_port_is_reported_with_a_fix() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"could not listen on 127.0.0.1:{port}.*pass port=0"):
            serve_receiver(port=port)


def test_wait_idle_returns_once_a_stopped_senders_connection_and_request_are_gone() -> None:
    receiver = Receiver(ManualClock(START), [KEY])
    with serve_receiver(receiver, port=0) as server:
        server.wait_idle(timeout=5)  # nothing was ever sent: idle at once
        headers = "".join(f"{name}: {value}\r\n" for name, value in hook("n-1", sign(KEY, BODY)).items())
        whole = f"POST /cb HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY
        sender = socket.create_connection(("127.0.0.1", server.port))
        try:
            sender.sendall(whole)
            assert sender.recv(65536).startswith(b"HTTP/1.1 200"), "the first request is answered: the server has it"
            # A second request cut short, as a sender killed mid-body leaves it: its connection stays open.
            sender.sendall(whole[: len(whole) - 10])
            with pytest.raises(TimeoutError, match=r"still had 1 connection\(s\) open"):
                server.wait_idle(timeout=0.2)
        finally:
            sender.close()
        server.wait_idle(timeout=10)
        assert len(receiver.arrivals()) == 1, "the cut request was dropped, never recorded"
