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
