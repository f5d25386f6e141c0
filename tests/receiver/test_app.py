"""The receiver's HTTP surface: capture on any path, the `/__receiver` API (config, scripts, queries, health, reset)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver, ReceiverError
from cwmock.receiver.signatures import sign

from support.receiver import BODY, KEY, START, hook


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


@pytest.mark.anyio
async def test_keys_and_legacy_flag_over_http(client: httpx.AsyncClient, receiver: Receiver) -> None:
    response = await client.put("/__receiver/config", json={"signature_keys": [KEY], "allow_legacy_sha1": True})
    assert response.json() == {"signature_key_count": 1, "allow_legacy_sha1": True}
    assert KEY not in (await client.get("/__receiver/config")).text, "the answer never gives a key back"
    await client.post("/", content=BODY, headers=hook(signature=sign(KEY, BODY, "sha1")))
    arrivals = (await client.get("/__receiver/arrivals")).json()["arrivals"]
    assert arrivals[0]["signature"]["status"] == "valid"
    assert arrivals[0]["signature"]["algorithm"] == "sha1"
    bad = await client.put("/__receiver/config", json={"signature_keys": KEY})
    assert bad.status_code == 400
    assert receiver.signature_keys == (KEY,)


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
async def test_http_reset_reports_errors(client: httpx.AsyncClient, receiver: Receiver) -> None:
    await client.post("/", content=BODY)
    receiver.record_error("test", ValueError("boom"))
    assert (await client.get("/__receiver/errors")).json() == {"errors": ["test: ValueError: boom"]}
    response = await client.post("/__receiver/reset")
    assert response.json() == {"reset": True, "errors": ["test: ValueError: boom"]}
    assert receiver.arrivals() == []
    receiver.check()
