"""Issue 19, breakage 10: the receiver kept notifications of any size in memory (a 200 MiB POST until reset) and
accepted scripts such as `retry_after: -5` or `delay: 1e308`; its script endpoint also read any JSON (depth),
any content type, and any `since_seq`."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import DEFAULT_MAX_BODY_BYTES, Receiver

from support.receiver import START

pytestmark = pytest.mark.anyio


def client_of(receiver: Receiver) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_receiver_app(receiver), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://receiver.test")


async def test_a_notification_over_the_limit_is_answered_413_and_recorded_as_such() -> None:
    from cwmock.core.clock import ManualClock

    receiver = Receiver(ManualClock(START), max_body_bytes=100)
    async with client_of(receiver) as client:
        await client.post("/__receiver/script", json={"status": 500})
        ok = await client.post("/hooks", content=b"x" * 100, headers={"Elements-Webhook-Id": "w"})
        big = await client.post("/hooks", content=b"y" * 101, headers={"Elements-Webhook-Id": "w"})
        after = await client.post("/hooks", content=b"x" * 100, headers={"Elements-Webhook-Id": "w"})
        listed = (await client.get("/__receiver/arrivals")).json()["arrivals"]
    assert (ok.status_code, big.status_code, after.status_code) == (500, 413, 200), "the 413 used no script"
    assert "100 bytes" in big.text
    first, refused, last = receiver.arrivals()
    assert [a.seq for a in (first, refused, last)] == [1, 2, 3]
    assert (refused.status, refused.body, refused.too_large) == (413, b"", True)
    assert listed[1]["status"] == 413
    assert listed[1]["too_large"] is True
    [delivery] = receiver.deliveries()
    assert delivery.seqs == (1, 2, 3)
    assert not delivery.conflicting, "a body the receiver did not keep is not a second body"


async def test_the_default_limit_holds_a_notification_many_times_over() -> None:
    from cwmock.core.clock import ManualClock

    assert DEFAULT_MAX_BODY_BYTES == 10 * 1024 * 1024
    receiver = Receiver(ManualClock(START))
    async with client_of(receiver) as client:
        assert (await client.post("/hooks", content=b"x" * (DEFAULT_MAX_BODY_BYTES + 1))).status_code == 413
        assert (await client.post("/hooks", content=b"x" * 1_000_000)).status_code == 200
    assert [a.too_large for a in receiver.arrivals()] == [True, False]


@pytest.mark.parametrize(
    ("script", "problem"),
    [
        ({"status": 429, "retry_after": -5}, "retry_after"),
        ({"status": 429, "retry_after": 10**12}, "retry_after"),
        ({"status": 429, "retry_after": "tomorrow"}, "retry_after"),
        ({"delay": 1e308}, "delay"),
        ({"delay": 301}, "delay"),
        ({"delay": -1}, "delay"),
        ({"status": "1e999"}, "status"),
        ({"status": 700}, "status"),
        ({"times": 0}, "times"),
        ({"headers": [["X Bad", "v"]]}, "header"),
        ({"headers": [["X-Ok", "line\r\nInjected: 1"]]}, "header"),
        ({"headers": [["X-Ok", "snowman \u2603"]]}, "header"),
        ({"headers": "x"}, "headers"),
    ],
)
async def test_a_script_a_sender_could_not_be_answered_with_is_refused(
    client: httpx.AsyncClient, receiver: Receiver, script: dict[str, Any], problem: str
) -> None:
    response = await client.post("/__receiver/script", json=script)
    assert response.status_code == 400, response.text
    assert problem in response.json()["error"]
    assert receiver.scripts() == []


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b"[" * 100_000, {}, 400),
        (b'{"status": 500, "body": "\\ud800"}', {}, 400),
        (b'{"status": 500}', {"content-type": "text/plain"}, 415),
        (b'{"status": 500, "body": "' + b"x" * (1 << 20) + b'"}', {}, 413),
    ],
)
async def test_the_control_api_reads_bounded_json(
    client: httpx.AsyncClient, receiver: Receiver, content: bytes, headers: dict[str, str], status: int
) -> None:
    for path in ("/__receiver/script", "/__receiver/config"):
        response = await client.request("POST" if path.endswith("script") else "PUT", path, content=content,
                                        headers=headers)  # fmt: skip
        assert response.status_code == status, (path, response.text[:200])
    assert receiver.scripts() == []
    assert receiver.errors() == [], "refused input is not an error inside the receiver"


async def test_a_huge_since_seq_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/__receiver/arrivals", params={"since_seq": "9" * 5000})
    assert response.status_code == 400
    assert "since_seq" in response.json()["error"]


def test_scripts_are_checked_from_python_too(receiver: Receiver) -> None:
    for bad in ({"delay": 1e308}, {"delay": float("nan")}, {"retry_after": -5}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            receiver.script(429, **bad)
    assert json.loads(receiver.script(429, retry_after=30, delay=0.5).body) == {"message": "scripted 429"}


def test_cwmock_up_takes_the_limit_on_its_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from cwmock.cli.commands import build_parser

    assert build_parser().parse_args(["up", "--receiver-max-body-bytes", "4096"]).receiver_max_body_bytes == 4096
    with pytest.raises(SystemExit):
        build_parser().parse_args(["up", "--receiver-max-body-bytes", "0"])
    assert "must be 1 or more" in capsys.readouterr().err
