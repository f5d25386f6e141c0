"""The receiver's inbox: grouping by webhook id, scripted answers, waits, errors surfaced to the test, reset."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import httpx
import pytest

from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver, ReceiverError, ReceiverTimeout
from cwmock.receiver.records import Arrival

from support.receiver import BODY, KEY, count_at_least, hook

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
