"""The zoo's HTTP client: answers as sent, and one HttpError for every request that got no whole 2xx answer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from cwmock.contract_tests.zoo.wire import Client, HttpError

from support.ports import free_port

Answer = Callable[[socket.socket], object]


@pytest.fixture
def serve() -> Iterator[Callable[[Answer], tuple[str, list[bytes]]]]:
    """A loopback server that reads one request per connection and answers with `answer`; the requests it read."""
    listeners: list[socket.socket] = []

    def start(answer: Answer) -> tuple[str, list[bytes]]:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)
        requests: list[bytes] = []

        def loop() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                with connection:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        request += connection.recv(65536)
                    head, _, body = request.partition(b"\r\n\r\n")
                    length = next(
                        (
                            int(line.split(b":")[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    while len(body) < length:
                        body += connection.recv(65536)
                    requests.append(head + b"\r\n\r\n" + body)
                    answer(connection)

        threading.Thread(target=loop, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}", requests

    yield start
    for listener in listeners:
        listener.close()


def reply(status: str, headers: str, body: bytes) -> Answer:
    return lambda connection: connection.sendall(
        f"HTTP/1.1 {status}\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body
    )


def test_a_get_returns_the_status_the_fields_and_the_body(serve: Callable[[Answer], tuple[str, list[bytes]]]) -> None:
    base, requests = serve(
        reply("200 OK", "Elements-Next-Page-Token: abc\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n", b'[{"id": 1}]')
    )
    response = Client(2).get(
        f"{base}/hubs/crm/contacts?where=lastUpdated%3E%272026%27&pageSize=2", {"Authorization": "x"}
    )
    response.raise_for_status()
    assert (response.status_code, response.json()) == (200, [{"id": 1}])
    assert response.headers.get("elements-next-page-token") == "abc"
    assert "date" in response.headers
    assert requests[0].startswith(b"GET /hubs/crm/contacts?where=lastUpdated%3E%272026%27&pageSize=2 HTTP/1.1\r\n")
    assert b"\r\nAuthorization: x\r\n" in requests[0]


def test_a_post_sends_the_bytes_as_given(serve: Callable[[Answer], tuple[str, list[bytes]]]) -> None:
    base, requests = serve(reply("202 Accepted", "", b""))
    body = '{"é": 1}'.encode()
    response = Client(2).post(f"{base}/hook", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 202
    assert requests[0].startswith(b"POST /hook HTTP/1.1\r\n")
    assert requests[0].endswith(b"\r\n\r\n" + body)


@pytest.mark.parametrize("status", ["301 Moved Permanently", "410 Gone", "503 Service Unavailable"])
def test_an_answer_other_than_2xx_raises_when_asked(
    serve: Callable[[Answer], tuple[str, list[bytes]]], status: str
) -> None:
    base, _ = serve(reply(status, "Retry-After: 3\r\n", b"no"))
    response = Client(2).get(f"{base}/x", {})
    assert response.headers["retry-after"] == "3"
    with pytest.raises(HttpError, match=status.split()[0]):
        response.raise_for_status()


def test_a_refused_connection_is_an_http_error() -> None:
    with pytest.raises(HttpError, match="Connection refused"):
        Client(2).get(f"http://127.0.0.1:{free_port()}/x", {})


def test_a_body_cut_short_is_an_http_error(serve: Callable[[Answer], tuple[str, list[bytes]]]) -> None:
    base, _ = serve(lambda connection: connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[{"id"'))
    with pytest.raises(HttpError, match="IncompleteRead"):
        Client(2).get(f"{base}/x", {})


def test_a_reset_is_an_http_error(serve: Callable[[Answer], tuple[str, list[bytes]]]) -> None:
    def reset(connection: socket.socket) -> None:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    base, _ = serve(reset)
    with pytest.raises(HttpError):
        Client(2).get(f"{base}/x", {})


def test_no_answer_within_the_timeout_is_an_http_error(serve: Callable[[Answer], tuple[str, list[bytes]]]) -> None:
    answered = threading.Event()
    base, _ = serve(lambda connection: answered.wait(5))
    try:
        with pytest.raises(HttpError, match="timed out"):
            Client(0.2).get(f"{base}/x", {})
    finally:
        answered.set()


def test_a_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(HttpError, match="not an http or https URL"):
        Client(2).get("ftp://127.0.0.1/x", {})
