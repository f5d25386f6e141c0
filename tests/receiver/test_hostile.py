"""The hostile-input suite of the webhook receiver: its control API (`/__receiver/...`) and notifications on any
path, sent what schemathesis does not send (`support.hostile`), in-process.

For every request: no 5xx (the receiver answers a notification 200 unless a script says otherwise, and a fresh one
has none); a refused control request leaves scripts, keys and arrivals as they were and records no error inside
the receiver; afterwards it still records a notification and answers its queries.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import given

from cwmock.core.clock import ManualClock
from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver

from support.hostile import Endpoint, HostileRequest, hostile_requests, hostile_settings, routes_of
from support.receiver import START

SCRIPT = {"status": 429, "times": 2, "delay": 0, "retry_after": 5, "body": {"error": "slow"},
          "headers": [["X-Trace", "1"]]}  # fmt: skip
ENDPOINTS = [
    Endpoint("GET", "/__receiver/health"),
    Endpoint("GET", "/__receiver/arrivals", query={"webhook_id": "w", "since_seq": "0", "path": "/hooks"}),
    Endpoint("GET", "/__receiver/deliveries"),
    Endpoint("GET", "/__receiver/script"),
    Endpoint(
        "POST",
        "/__receiver/script",
        body=SCRIPT,
        body_slots=(
            "/status",
            "/times",
            "/delay",
            "/retry_after",
            "/body",
            "/headers",
            "/headers/0/0",
            "/headers/0/1",
            "",
        ),
    ),
    Endpoint("POST", "/__receiver/script", body=[SCRIPT], body_slots=("/0", "/0/status", "")),
    Endpoint("DELETE", "/__receiver/script"),
    Endpoint("POST", "/__receiver/reset"),
    Endpoint("GET", "/__receiver/errors"),
    Endpoint("GET", "/__receiver/config"),
    Endpoint(
        "PUT",
        "/__receiver/config",
        body={"signature_keys": ["k"], "allow_legacy_sha1": False},
        body_slots=("/signature_keys", "/signature_keys/0", "/allow_legacy_sha1", ""),
    ),
    Endpoint(
        "POST",
        "/{path:path}",
        {"Elements-Webhook-Id": "w-1", "Elements-Webhook-Signature": "sha256=x"},
        body={"message": {"events": []}},
        body_slots=("/message", "/message/events", ""),
        path_values={"path": "hooks/contacts"},
    ),
]


def state(receiver: Receiver) -> str:
    """What a refused control request must leave as it was."""
    scripts = [(entry.response, entry.times, entry.used) for entry in receiver.scripts()]
    return repr((scripts, receiver.signature_keys, receiver.allow_legacy_sha1, len(receiver.arrivals())))


async def throw(request: HostileRequest) -> None:
    receiver = Receiver(ManualClock(START), max_body_bytes=1 << 20)
    transport = httpx.ASGITransport(app=create_receiver_app(receiver), raise_app_exceptions=False)
    headers = [(name.encode(), value.encode("latin-1") if isinstance(value, str) else value)
               for name, value in request.headers.items()]  # fmt: skip
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver.test") as client:
        before = state(receiver)
        response = await client.request(
            request.endpoint.method, request.path, params=request.query, headers=headers, content=request.content
        )
        assert response.status_code < 500, f"{request!r} answered {response.status_code}: {response.text[:500]}"
        refused_control = request.path.startswith("/__receiver") and 400 <= response.status_code < 500
        if refused_control:
            assert state(receiver) == before, f"{request!r} was refused ({response.status_code}) but left a trace"
        assert receiver.errors() == [], f"{request!r} raised inside the receiver: {receiver.errors()}"
        await client.delete("/__receiver/script")
        recorded = await client.post("/hooks", content=b'{"still": "here"}', headers={"Elements-Webhook-Id": "z"})
        assert recorded.status_code == 200, recorded.text
        for path in ("/__receiver/arrivals", "/__receiver/deliveries", "/__receiver/health", "/__receiver/config"):
            answered = await client.get(path)
            assert answered.status_code == 200, (path, answered.text[:300])
        assert json.loads(receiver.arrivals()[-1].body) == {"still": "here"}


def test_hostile_input_never_gets_a_5xx_never_leaves_a_trace_and_never_stops_the_receiver(
    pytestconfig: pytest.Config,
) -> None:
    @hostile_settings(pytestconfig.getoption("--cwmock-profile"))
    @given(hostile_requests(ENDPOINTS))
    def property_(request: HostileRequest) -> None:
        asyncio.run(throw(request))

    property_()


def test_the_suite_covers_every_endpoint() -> None:
    covered = {(e.method, e.route) for e in ENDPOINTS}
    missing = routes_of(create_receiver_app(Receiver(ManualClock(START))).routes) - covered
    assert not missing, f"endpoints the hostile suite does not throw anything at: {sorted(missing)}"
