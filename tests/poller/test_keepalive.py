"""The lean keep-alive transport against scripted servers on real sockets: exact request bytes, connection reuse,
the three ways a body ends, informational answers, redirects left alone, TLS verification, and each failure as the
httpx exception httpcore raises for it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import cast

import httpx
import pytest
import trustme

from cwmock.core.clock import ManualClock
from cwmock.poller.delivery import Deliverer
from cwmock.poller.hub_client import HubClient, HubError
from cwmock.poller.keepalive import KeepAliveTransport
from cwmock.poller.state import OutboxEntry, PollerState

pytestmark = pytest.mark.anyio

S0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
Answer = Callable[[bytes], bytes | None]
"""What the server writes back for one request it read (headers and body); None: close without answering."""


@dataclass
class Scripted:
    """A server that answers each request with `answer(request)`; it counts connections and keeps each request."""

    answer: Answer
    port: int = 0
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                reply = self.answer(request)
                if reply is None:
                    return
                writer.write(reply)
                await writer.drain()
        finally:
            writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@asynccontextmanager
async def scripted(answer: Answer, tls: ssl.SSLContext | None = None) -> AsyncIterator[Scripted]:
    server = Scripted(answer)
    listening = await asyncio.start_server(server.serve, "127.0.0.1", 0, ssl=tls)
    server.port = listening.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        for writer in server.writers:
            writer.close()
        listening.close()


def client(transport: KeepAliveTransport | None = None, timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport or KeepAliveTransport(), timeout=timeout)


async def test_a_request_goes_out_as_built_and_the_answer_comes_back_whole() -> None:
    body = b'{"n":"\xc3\xa9' + b"x" * 300_000 + b'"}'
    answer = b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Seen: yes\r\nX-Seen: twice\r\n\r\nhello"
    async with scripted(lambda request: answer) as server, client() as http:
        response = await http.post(
            f"{server.url}/hooks?a=1&b=%20", content=body, headers=[("Elements-Webhook-Id", "cw1"), ("X-Two", "2")]
        )
    [request] = server.requests
    head, _, sent = request.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /hooks?a=1&b=%20 HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}".encode() in lines
    assert b"Elements-Webhook-Id: cw1" in lines
    assert b"X-Two: 2" in lines
    assert f"Content-Length: {len(body)}".encode() in lines
    assert sent == body
    assert (response.status_code, response.content) == (201, b"hello")
    assert response.headers.get_list("x-seen") == ["yes", "twice"]
    assert response.http_version == "HTTP/1.1"


async def test_connections_are_kept_alive_and_reused() -> None:
    async with scripted(lambda request: OK) as server, client() as http:
        for _ in range(5):
            assert (await http.get(f"{server.url}/x")).text == "ok"
        await asyncio.gather(*(http.get(f"{server.url}/y") for _ in range(3)))
        await asyncio.gather(*(http.get(f"{server.url}/z") for _ in range(3)))
    assert len(server.requests) == 11
    assert server.connections == 3  # the one reused five times, then as many as ran at once


@pytest.mark.parametrize(
    ("answer", "reused"),
    [
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n", True),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nabcdefg", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\nabcdefg", False),
    ],
    ids=["chunked", "connection-close", "http-1.0"],
)
async def test_bodies_by_length_or_chunks_and_who_closes(answer: bytes, reused: bool) -> None:
    async with scripted(lambda request: answer) as server, client() as http:
        first = await http.get(f"{server.url}/a")
        second = await http.get(f"{server.url}/b")
    assert first.content == second.content == b"abcdefg"
    assert server.connections == (1 if reused else 2)


async def test_a_body_that_ends_when_the_server_closes() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
        await writer.drain()
        writer.close()

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with client() as http:
        response = await http.get(f"http://127.0.0.1:{port}/")
    listening.close()
    assert response.content == b"until the end"


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async with scripted(lambda request: OK) as server, client() as http:
        await http.get(f"{server.url}/a")
        for writer in server.writers:
            writer.close()
            await writer.wait_closed()
        await asyncio.sleep(0.05)  # a turn of the event loop for the client's side to read the FIN
        assert (await http.get(f"{server.url}/b")).text == "ok"
    assert server.connections == 2


async def test_informational_answers_are_skipped() -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK
    async with scripted(lambda request: answer) as server, client() as http:
        response = await http.post(f"{server.url}/hooks", content=b"{}")
        again = await http.post(f"{server.url}/hooks", content=b"{}")
    assert (response.status_code, response.text, "link" in response.headers) == (200, "ok", False)
    assert again.text == "ok"
    assert server.connections == 1


async def test_a_redirect_is_returned_not_followed() -> None:
    answer = b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://example.invalid/\r\nContent-Length: 0\r\n\r\n"
    async with scripted(lambda request: answer) as server, client() as http:
        response = await http.post(f"{server.url}/hooks", content=b"{}")
    assert response.status_code == 307
    assert len(server.requests) == 1


async def test_gzip_answers_are_decoded_as_httpx_decodes_them() -> None:
    import gzip

    packed = gzip.compress(b'{"a":1}')
    answer = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(packed), packed)
    async with scripted(lambda request: answer) as server, client() as http:
        response = await http.get(f"{server.url}/")
    assert response.json() == {"a": 1}


async def test_no_answer_in_time_is_a_read_timeout_and_the_connection_is_dropped() -> None:
    answers = iter([b"", OK])

    def answer(request: bytes) -> bytes:
        return next(answers)  # the first request gets nothing back (the server keeps the connection open)

    async with scripted(answer) as server, client(timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{server.url}/slow")
        assert (await http.get(f"{server.url}/fast")).text == "ok"
    assert server.connections == 2


async def test_the_read_timeout_bounds_each_wait_for_bytes_not_the_whole_answer() -> None:
    """An answer trickled out slower, in all, than the timeout but never quiet for as long is read whole; one that
    stops half-way is a read timeout."""
    pieces = [b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n", b"ab", b"cd", b"ef"]

    served: list[asyncio.Task[None]] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b"":
            stop = int(head.split(b" ")[1].strip(b"/"))
            for piece in pieces[:stop]:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0.15)
            if stop < len(pieces):
                await reader.read()  # until the client gives up and closes
                break
        writer.close()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.append(asyncio.current_task())  # type: ignore[arg-type]
        with contextlib.suppress(asyncio.IncompleteReadError):
            await answer(reader, writer)

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        async with client(timeout=0.4) as http:
            assert (await http.get(f"http://127.0.0.1:{port}/4")).content == b"abcdef"
            with pytest.raises(httpx.ReadTimeout):
                await http.get(f"http://127.0.0.1:{port}/2")
        await asyncio.gather(*served)
    finally:
        listening.close()


async def test_an_answer_sent_before_the_request_is_read_whole_is_read() -> None:
    """A server may answer (413, say) and close before it reads a large body: the answer is what the caller gets
    (or a write error, when the close beats the answer); never a hang."""

    served: list[asyncio.Task[None]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.append(asyncio.current_task())  # type: ignore[arg-type]
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbig")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        async with client(timeout=2) as http:
            try:
                response = await http.post(f"http://127.0.0.1:{port}/", content=b"x" * 20_000_000)
            except httpx.WriteError:
                return
            assert (response.status_code, response.content) == (413, b"big")
    finally:
        await asyncio.gather(*served)
        listening.close()


@pytest.mark.parametrize(
    ("answer", "message"),
    [(None, "Server disconnected without sending a response"), (b"NOT HTTP AT ALL\r\n\r\n", "malformed response")],
    ids=["closed", "garbage"],
)
async def test_a_broken_answer_is_a_remote_protocol_error(answer: bytes | None, message: str) -> None:
    async with scripted(lambda request: answer) as server, client() as http:
        with pytest.raises(httpx.RemoteProtocolError, match=message):
            await http.post(f"{server.url}/hooks", content=b"{}")
    assert len(server.requests) == 1  # never re-sent by the transport


async def test_a_refused_connection_is_a_connect_error() -> None:
    listening = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    listening.close()
    await listening.wait_closed()
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/")


async def test_an_unsupported_scheme_is_refused() -> None:
    async with client() as http:
        with pytest.raises(httpx.UnsupportedProtocol):
            await http.get("ftp://127.0.0.1/")


async def test_https_is_verified_with_the_context_given() -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server_context)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    async with scripted(lambda request: OK, tls=server_context) as server:
        url = f"https://localhost:{server.port}/hooks"
        async with client(KeepAliveTransport(trusting)) as http:
            assert (await http.get(url)).text == "ok"
            assert (await http.get(url)).text == "ok"
            assert (await http.get(f"https://127.0.0.1:{server.port}/hooks")).text == "ok", "an IP literal's SAN"
        async with client(KeepAliveTransport(ssl.create_default_context())) as http:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await http.get(url)
    assert server.connections == 2  # one per origin; the untrusted handshake failed before any was served


async def test_a_cancelled_request_leaves_no_connection_to_reuse() -> None:
    started = asyncio.Event()

    def answer(request: bytes) -> bytes:
        if b"/first" in request:
            started.set()
            return b""
        return OK

    async with scripted(answer) as server, client() as http:
        pending = asyncio.ensure_future(http.get(f"{server.url}/first"))
        await started.wait()
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        assert (await http.get(f"{server.url}/second")).text == "ok"
    assert server.connections == 2


async def test_a_delivery_straight_through_the_transport_sends_and_judges_as_through_httpx() -> None:
    """`Deliverer(direct=...)`: the entry's headers and bytes as stored, the client's default headers, and each
    answer judged as the httpx path judges it (2xx, Retry-After on 429, 410 parks, a timeout)."""
    answers = iter(
        [
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Length: 4\r\n\r\nslow",
            b"HTTP/1.1 410 Gone\r\nContent-Length: 4\r\n\r\ngone",
            b"",  # no answer: a read timeout
        ]
    )
    headers = (("Content-Type", "application/json"), ("Elements-Webhook-Id", "cw42"))
    body = '{"message":"\u00e9"}'.encode()
    async with scripted(lambda request: next(answers)) as server:
        transport = KeepAliveTransport()
        async with httpx.AsyncClient(transport=transport) as http:
            deliverer = Deliverer(http, cast(PollerState, None), ManualClock(S0), timeout=0.3, direct=transport)
            entry = cast(OutboxEntry, SimpleNamespace(url=f"{server.url}/hooks", headers=headers, body=body))
            results = [await deliverer.attempt(entry) for _ in range(4)]
    assert [(r.delivered, r.status) for r in results] == [(True, 204), (False, 429), (False, 410), (False, None)]
    assert (results[1].retry_after, results[1].error) == (timedelta(seconds=30), "HTTP 429: slow")
    assert (results[2].park_now, results[2].error) == (True, "HTTP 410: gone")
    assert results[3].error == "timed out: ReadTimeout"
    head, _, sent = server.requests[0].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /hooks HTTP/1.1"
    assert b"Content-Type: application/json" in lines
    assert b"Elements-Webhook-Id: cw42" in lines
    assert f"Host: 127.0.0.1:{server.port}".encode() in lines
    assert f"User-Agent: python-httpx/{httpx.__version__}".encode() in lines, "the client's default headers"
    assert sent == body
    assert server.connections == 1, "one connection, kept alive, for the four attempts"


async def test_an_entry_header_replaces_the_client_default_of_that_name_on_the_direct_path() -> None:
    """As httpx merges them: the entry's `user-agent` (any case) is sent instead of the client's, not beside it."""
    async with scripted(lambda request: OK) as server:
        transport = KeepAliveTransport()
        async with httpx.AsyncClient(transport=transport) as http:
            deliverer = Deliverer(http, cast(PollerState, None), ManualClock(S0), direct=transport)
            headers = (("user-agent", "receiver-test/1"),)
            entry = cast(OutboxEntry, SimpleNamespace(url=f"{server.url}/hooks", headers=headers, body=b"{}"))
            assert (await deliverer.attempt(entry)).delivered
    head, _, _ = server.requests[0].partition(b"\r\n\r\n")
    agents = [line for line in head.split(b"\r\n") if line.lower().startswith(b"user-agent:")]
    assert agents == [b"user-agent: receiver-test/1"]


async def test_a_direct_delivery_reaches_after_send_once_answered_and_a_refused_connection_fails_before_it() -> None:
    """`after_send` marks that the receiver has the request: reached on an answer, not when no connection opens."""
    reached: list[str] = []
    async with scripted(lambda request: OK) as server:
        transport = KeepAliveTransport()
        async with httpx.AsyncClient(transport=transport) as http:
            deliverer = Deliverer(
                http, cast(PollerState, None), ManualClock(S0), direct=transport, crash=reached.append
            )
            entry = cast(OutboxEntry, SimpleNamespace(url=f"{server.url}/hooks", headers=(), body=b"{}"))
            answered = await deliverer.attempt(entry)
    assert (answered.delivered, answered.status, reached) == (True, 200, ["after_send"])
    listening = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    listening.close()
    await listening.wait_closed()
    reached.clear()
    transport = KeepAliveTransport()
    async with httpx.AsyncClient(transport=transport) as http:
        deliverer = Deliverer(http, cast(PollerState, None), ManualClock(S0), direct=transport, crash=reached.append)
        entry = cast(OutboxEntry, SimpleNamespace(url=f"http://127.0.0.1:{port}/hooks", headers=(), body=b"{}"))
        refused = await deliverer.attempt(entry)
    assert (refused.delivered, refused.status, reached) == (False, None, [])
    kind, _, why = refused.error.partition(": ")
    assert kind == "ConnectError", refused.error
    assert why, "the error says why"


async def test_hub_pages_straight_through_the_transport() -> None:
    """`HubClient(direct=...)`: keyset pages over one kept-alive connection, the credentials and the client's default
    headers but no `Accept-Encoding` (the page is read as sent), the first `Date`, and a refusal as a HubError."""

    def page(request: bytes) -> bytes:
        first = 3 if b"id%20%3E%202" in request.split(b"\r\n")[0] else 1
        body = json.dumps([{"id": n} for n in range(first, first + (2 if first == 1 else 1))]).encode()
        date = b"Thu, 01 Jan 2026 00:15:00 GMT" if first == 1 else b"Thu, 01 Jan 2026 00:16:00 GMT"
        return b"HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Length: %d\r\n\r\n%s" % (date, len(body), body)

    async with scripted(page) as server:
        transport = KeepAliveTransport()
        async with httpx.AsyncClient(transport=transport) as http:
            hub = HubClient(http, server.url, "User u, Element e", direct=transport)
            result = await hub.fetch_all("/hubs/crm/contacts?where=a%3E1", 2)
    assert [record["id"] for record in result.records] == [1, 2, 3]
    assert result.server_date == datetime(2026, 1, 1, 0, 15, tzinfo=timezone.utc)
    assert server.connections == 1
    head = server.requests[0].split(b"\r\n")
    assert head[0].startswith(b"GET /hubs/crm/contacts?")
    assert head[0].endswith(b" HTTP/1.1")
    assert b"Authorization: User u, Element e" in head
    assert not any(line.lower().startswith((b"accept-encoding:", b"content-length:")) for line in head)

    refusal = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 11\r\n\r\nbad secrets"
    async with scripted(lambda request: refusal) as server:
        transport = KeepAliveTransport()
        async with httpx.AsyncClient(transport=transport) as http:
            hub = HubClient(http, server.url, "User u, Element e", direct=transport)
            with pytest.raises(HubError, match="answered 401: bad secrets"):
                await hub.fetch_all("/hubs/crm/contacts", 2)


async def test_an_ipv6_literal_is_connected_to_and_named_in_brackets() -> None:
    server = Scripted(lambda request: OK)
    try:
        listening = await asyncio.start_server(server.serve, "::1", 0)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    port = listening.sockets[0].getsockname()[1]
    transport = KeepAliveTransport()
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            assert (await http.get(f"http://[::1]:{port}/a")).text == "ok"
            answer = await transport.exchange("POST", httpx.URL(f"http://[::1]:{port}/b"), [], b"{}", 5.0)
    finally:
        listening.close()
    assert answer.status == 200
    assert all(f"Host: [::1]:{port}".encode() in request.split(b"\r\n") for request in server.requests)
