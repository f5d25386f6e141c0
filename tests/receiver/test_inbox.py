"""The webhook receiver: capture, verdicts, grouping, scripts, waits, error surfacing, reset, real socket."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver, ReceiverError, ReceiverTimeout
from cwmock.receiver.records import Arrival
from cwmock.receiver.server import serve_receiver
from cwmock.receiver.signatures import SignatureStatus, sign

START = datetime(2024, 5, 31, 18, 30, tzinfo=timezone.utc)
KEY = "MySecretEventSignatureKey"
BODY = b'{"id": "69182068", "message": {"events": []}}'


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def receiver(clock: ManualClock) -> Receiver:
    return Receiver(clock)


@pytest.fixture
async def client(receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_receiver_app(receiver))
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver.test") as http:
        yield http


def hook(webhook_id: str | None = None, signature: str | None = None) -> dict[str, str]:
    headers = {"content-type": "application/json"}
    if webhook_id is not None:
        headers["Elements-Webhook-Id"] = webhook_id
    if signature is not None:
        headers["Elements-Webhook-Signature"] = signature
    return headers


def count_at_least(n: int) -> Any:
    return lambda arrivals: len(arrivals) >= n


# -- capture -------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_keeps_raw_bytes_headers_in_order_and_arrival_time(
    client: httpx.AsyncClient, receiver: Receiver, clock: ManualClock
) -> None:
    body = b'{"a":  1,\n "z": "\xc3\xa9"}'  # odd spacing and UTF-8 must survive byte for byte
    headers = [("X-Dup", "first"), ("Elements-Webhook-Id", "w-1"), ("X-Dup", "second")]
    response = await client.post("/hooks/contacts?tenant=7", content=body, headers=headers)
    await clock.advance(3)
    await client.post("/", content=b"\xff\x00not text")

    assert (response.status_code, response.content) == (200, b"{}")
    first, second = receiver.arrivals()
    assert (first.seq, first.method, first.path, first.query) == (1, "POST", "/hooks/contacts", "tenant=7")
    assert first.body == body
    assert first.arrived_at == START
    assert first.header_values("x-dup") == ["first", "second"]
    names = [name for name, _ in first.headers]
    assert names.index("x-dup") < names.index("elements-webhook-id") < len(names) - 1 - names[::-1].index("x-dup")
    assert first.webhook_id == "w-1"
    assert first.json() == {"a": 1, "z": "é"}
    assert (second.seq, second.path, second.body) == (2, "/", b"\xff\x00not text")
    assert second.arrived_at == START + timedelta(seconds=3)


@pytest.mark.anyio
async def test_other_methods_on_the_callback_path_are_refused_and_not_recorded(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    response = await client.get("/hooks")
    assert response.status_code == 405
    assert receiver.arrivals() == []


# -- signature verdicts --------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_signature_verdict_per_message(client: httpx.AsyncClient, receiver: Receiver) -> None:
    receiver.set_signature_keys(["old key", KEY])
    await client.post("/", content=BODY, headers=hook("a", sign(KEY, BODY)))
    await client.post("/", content=BODY, headers=hook("b"))
    await client.post("/", content=BODY + b" ", headers=hook("c", sign(KEY, BODY)))
    twice = [("Elements-Webhook-Signature", sign(KEY, BODY))] * 2
    await client.post("/", content=BODY, headers=twice)

    valid, missing, tampered, doubled = (arrival.signature for arrival in receiver.arrivals())
    assert (valid.status, valid.matched_key_index, valid.algorithm) == (SignatureStatus.VALID, 1, "sha256")
    assert missing.status is SignatureStatus.MISSING
    assert tampered.status is SignatureStatus.INVALID
    assert (doubled.status, doubled.reason) == (
        SignatureStatus.INVALID,
        "2 Elements-Webhook-Signature headers; send exactly one",
    )


@pytest.mark.anyio
async def test_without_keys_unsigned_is_expected_and_a_signature_is_unexpected(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    await client.post("/", content=BODY)
    await client.post("/", content=BODY, headers=hook(signature=sign(KEY, BODY)))
    statuses = [arrival.signature.status for arrival in receiver.arrivals()]
    assert statuses == [SignatureStatus.UNSIGNED_EXPECTED, SignatureStatus.UNEXPECTED]


@pytest.mark.anyio
async def test_keys_and_legacy_flag_over_http(client: httpx.AsyncClient, receiver: Receiver) -> None:
    response = await client.put("/__receiver/config", json={"signature_keys": [KEY], "allow_legacy_sha1": True})
    assert response.json() == {"signature_keys": [KEY], "allow_legacy_sha1": True}
    await client.post("/", content=BODY, headers=hook(signature=sign(KEY, BODY, "sha1")))
    arrivals = (await client.get("/__receiver/arrivals")).json()["arrivals"]
    assert arrivals[0]["signature"]["status"] == "valid"
    assert arrivals[0]["signature"]["algorithm"] == "sha1"
    bad = await client.put("/__receiver/config", json={"signature_keys": KEY})
    assert bad.status_code == 400
    assert receiver.signature_keys == (KEY,)


# -- grouping ------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_deliveries_group_by_webhook_id_and_flag_conflicting_bodies(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.script(500)
    await client.post("/", content=BODY, headers=hook("resent"))
    await client.post("/", content=b"{}", headers=hook("reused"))
    await client.post("/", content=BODY, headers=hook("resent"))
    await client.post("/", content=b'{"x": 1}', headers=hook("reused"))
    await client.post("/", content=BODY)
    await client.post("/", content=BODY, headers=hook(""))

    deliveries = receiver.deliveries()
    assert [(d.webhook_id, d.seqs, d.conflicting) for d in deliveries] == [
        ("resent", (1, 3), False),
        ("reused", (2, 4), True),
        (None, (5,), False),
        (None, (6,), False),
    ]
    assert [arrival.status for arrival in deliveries[0].arrivals] == [500, 200]
    assert deliveries[0].acknowledged
    listed = (await client.get("/__receiver/deliveries")).json()["deliveries"]
    assert listed[1] == {
        "webhook_id": "reused",
        "seqs": [2, 4],
        "statuses": [200, 200],
        "acknowledged": True,
        "distinct_bodies": 2,
        "conflicting": True,
    }


# -- scripts -------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_scripts_are_consumed_in_order_then_default_200(client: httpx.AsyncClient, receiver: Receiver) -> None:
    receiver.script(500, times=2)
    receiver.script(410)
    receiver.script(429, retry_after=30)
    responses = [await client.post("/", content=BODY) for _ in range(5)]

    assert [r.status_code for r in responses] == [500, 500, 410, 429, 200]
    assert responses[3].headers["retry-after"] == "30"
    assert "retry-after" not in responses[4].headers
    assert responses[4].content == b"{}"
    assert [arrival.status for arrival in receiver.arrivals()] == [500, 500, 410, 429, 200]
    assert receiver.scripts() == []


@pytest.mark.anyio
async def test_delay_is_real_time_and_the_arrival_is_recorded_before_the_answer(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.script(201, delay=0.3)
    post = asyncio.create_task(client.post("/", content=BODY))
    arrivals = await receiver.wait_for(count_at_least(1), timeout=5)
    assert not post.done(), "the answer must wait for the scripted delay"
    assert arrivals[0].status == 201
    assert (await post).status_code == 201


@pytest.mark.anyio
async def test_scripts_over_http(client: httpx.AsyncClient) -> None:
    added = await client.post(
        "/__receiver/script",
        json=[{"status": 503, "times": 2}, {"status": 429, "retry_after": 5, "body": {"error": "slow down"}}],
    )
    assert [(s["status"], s["remaining"]) for s in added.json()["scripts"]] == [(503, 2), (429, 1)]
    assert (await client.post("/", content=BODY)).status_code == 503
    pending = (await client.get("/__receiver/script")).json()["scripts"]
    assert [(s["status"], s["times"], s["remaining"]) for s in pending] == [(503, 2, 1), (429, 1, 1)]
    assert (await client.post("/", content=BODY)).status_code == 503
    limited = await client.post("/", content=BODY)
    assert (limited.status_code, limited.headers["retry-after"], limited.json()) == (
        429,
        "5",
        {"error": "slow down"},
    )
    await client.post("/__receiver/script", json={"status": 500, "times": 3})
    assert (await client.delete("/__receiver/script")).json() == {"scripts": []}
    assert (await client.post("/", content=BODY)).status_code == 200


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"status": 99}, "not a final HTTP status"),
        ({"status": 500, "times": 0}, "at least one notification"),
        ({"delay": -1}, "negative"),
        ({"stauts": 500}, "a script is an object with fields"),
        ({"status": 429, "retry_after": [5]}, "retry_after must be seconds or an HTTP date"),
    ],
)
@pytest.mark.anyio
async def test_bad_scripts_are_refused_with_a_reason(
    client: httpx.AsyncClient, receiver: Receiver, spec: dict[str, Any], message: str
) -> None:
    response = await client.post("/__receiver/script", json=spec)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert receiver.scripts() == []
    receiver.check()  # a refused request is the caller's mistake, not an error inside the receiver


# -- queries -------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_query_api_filters_and_encodes_bodies(client: httpx.AsyncClient) -> None:
    await client.post("/a", content=BODY, headers=hook("w-1"))
    await client.post("/b", content=b"\xff", headers=hook("w-2"))
    await client.post("/a", content=BODY, headers=hook("w-1"))

    async def seqs(query: str) -> list[int]:
        response = await client.get(f"/__receiver/arrivals{query}")
        return [arrival["seq"] for arrival in response.json()["arrivals"]]

    assert await seqs("") == [1, 2, 3]
    assert await seqs("?webhook_id=w-1") == [1, 3]
    assert await seqs("?since_seq=1") == [2, 3]
    assert await seqs("?path=/a&since_seq=1") == [3]
    listed = (await client.get("/__receiver/arrivals?path=/b")).json()["arrivals"][0]
    assert (listed["body"], base64.b64decode(listed["body_base64"])) == (None, b"\xff")
    assert listed["arrived_at"] == START.isoformat()
    assert ["elements-webhook-id", "w-2"] in listed["headers"]
    bad = await client.get("/__receiver/arrivals?since_seq=two")
    assert (bad.status_code, bad.json()) == (400, {"error": "since_seq must be an integer, got 'two'"})


@pytest.mark.anyio
async def test_health(client: httpx.AsyncClient, receiver: Receiver) -> None:
    receiver.script(500)
    await client.post("/", content=BODY)
    receiver.script(500)
    response = await client.get("/__receiver/health")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "arrivals": 1, "pending_scripts": 1, "errors": 0},
    )


# -- waits ---------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_wait_for_wakes_when_the_predicate_holds(client: httpx.AsyncClient, receiver: Receiver) -> None:
    async def send_later() -> None:
        for webhook_id in ("a", "b"):
            await asyncio.sleep(0)
            await client.post("/", content=BODY, headers=hook(webhook_id))

    sender = asyncio.create_task(send_later())
    arrivals = await receiver.wait_for(lambda found: any(a.webhook_id == "b" for a in found), timeout=5)
    await sender
    assert [a.webhook_id for a in arrivals] == ["a", "b"]


@pytest.mark.anyio
async def test_wait_for_times_out_with_what_did_arrive(client: httpx.AsyncClient, receiver: Receiver) -> None:
    await client.post("/cb", content=BODY, headers=hook("only"))
    with pytest.raises(ReceiverTimeout, match=r"within 0.05 s; 1 arrival\(s\): #1 POST /cb id=only -> 200"):
        await receiver.wait_for(count_at_least(2), timeout=0.05)


@pytest.mark.anyio
async def test_expect_exactly(client: httpx.AsyncClient, receiver: Receiver) -> None:
    for _ in range(2):
        await client.post("/", content=BODY)
    assert len(await receiver.expect_exactly(2, timeout=1)) == 2
    with pytest.raises(AssertionError, match="expected exactly 1 arrival"):
        await receiver.expect_exactly(1, timeout=1)

    async def one_more() -> None:
        await asyncio.sleep(0.01)
        await client.post("/", content=BODY)

    extra = asyncio.create_task(one_more())
    with pytest.raises(AssertionError, match=r"expected exactly 2 arrival\(s\), got 3"):
        await receiver.expect_exactly(2, timeout=1, quiet=2)
    await extra


def test_sync_waits_refuse_to_block_a_running_loop(receiver: Receiver) -> None:
    async def inside_loop() -> None:
        receiver.wait_for_sync(count_at_least(0), timeout=1)

    with pytest.raises(RuntimeError, match="would block the running event loop"):
        asyncio.run(inside_loop())


@pytest.mark.parametrize("style", ["sync", "async"])
def test_a_wait_in_another_thread_wakes_on_arrival(receiver: Receiver, style: str) -> None:
    """The waiter's timeout (60 s) is far beyond the join below, so only a real wake-up lets it finish."""
    waiting = threading.Event()
    woke_with: list[int] = []

    def seen_one(arrivals: Sequence[Arrival]) -> bool:
        # Evaluated under the receiver's lock, which the waiter holds until it is registered and asleep.
        waiting.set()
        return len(arrivals) >= 1

    def wait() -> None:
        if style == "sync":
            found = receiver.wait_for_sync(seen_one, timeout=60)
        else:
            found = asyncio.run(receiver.wait_for(seen_one, timeout=60))
        woke_with.append(len(found))

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    assert waiting.wait(10)
    receiver.accept("POST", "/", "", (), BODY)
    waiter.join(10)
    assert not waiter.is_alive(), "the waiter was not woken by the arrival"
    assert woke_with == [1]


def test_sync_wait_times_out(receiver: Receiver) -> None:
    with pytest.raises(ReceiverTimeout, match="nothing arrived"):
        receiver.wait_for_sync(count_at_least(1), timeout=0.05)


# -- errors inside the receiver ------------------------------------------------------------------------------


class BrokenClock:
    def now(self) -> datetime:
        raise OSError("clock source unavailable")


@pytest.fixture
def broken() -> Receiver:
    return Receiver(BrokenClock())


@pytest.mark.anyio
async def test_a_handler_error_is_answered_500_and_raised_by_check(broken: Receiver) -> None:
    transport = httpx.ASGITransport(app=create_receiver_app(broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver.test") as http:
        response = await http.post("/cb", content=BODY)
    assert response.status_code == 500
    assert "re-raised in the test by check()" in response.json()["error"]
    with pytest.raises(ReceiverError, match=r"receiver POST /cb: OSError: clock source unavailable") as raised:
        broken.check()
    assert isinstance(raised.value.__cause__, OSError)
    broken.check()  # raised once, not forever


@pytest.mark.anyio
async def test_a_handler_error_interrupts_a_wait(broken: Receiver) -> None:
    transport = httpx.ASGITransport(app=create_receiver_app(broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver.test") as http:
        post = asyncio.create_task(http.post("/", content=BODY))
        with pytest.raises(ReceiverError, match="clock source unavailable"):
            await broken.wait_for(count_at_least(1), timeout=30)
        await post


def test_reset_clears_state_then_raises_pending_errors(receiver: Receiver) -> None:
    receiver.set_signature_keys([KEY])
    receiver.accept("POST", "/", "", (), BODY)
    receiver.script(500)
    receiver.record_error("test", ValueError("boom"))
    with pytest.raises(ReceiverError, match="boom"):
        receiver.reset()
    assert (receiver.arrivals(), receiver.scripts(), receiver.errors()) == ([], [], [])
    assert receiver.signature_keys == (KEY,)
    arrival, _ = receiver.accept("POST", "/", "", (), BODY)
    assert arrival.seq == 2, "sequence numbers are never reused, so a late resend stays distinguishable"
    receiver.reset()


@pytest.mark.anyio
async def test_http_reset_reports_errors(client: httpx.AsyncClient, receiver: Receiver) -> None:
    await client.post("/", content=BODY)
    receiver.record_error("test", ValueError("boom"))
    assert (await client.get("/__receiver/errors")).json() == {"errors": ["test: ValueError: boom"]}
    response = await client.post("/__receiver/reset")
    assert response.json() == {"reset": True, "errors": ["test: ValueError: boom"]}
    assert receiver.arrivals() == []
    receiver.check()


# -- a real socket -------------------------------------------------------------------------------------------


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
