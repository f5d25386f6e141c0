"""`cwmock up` in-process: the seed's instance polled on the clock, signed notifications, the egress guard."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from cwmock.cli.stack import DEMO_SIGNATURE_KEY, StackOptions, run_stack
from cwmock.core.clock import ManualClock
from cwmock.emulator.config import EmulatorConfig
from cwmock.fixtures import read_fixture

from support.ports import free_ports

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
PLATFORM_AUTH = {"Authorization": "User cwmock-user-secret, Organization cwmock-organization-secret"}


class RunningStack:
    def __init__(self, emulator: str, receiver: str, summary: str) -> None:
        self.emulator = emulator
        self.receiver = receiver
        self.summary = summary


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[RunningStack]:
    printed: list[str] = []
    shown = asyncio.Event()

    def print_line(text: str) -> None:
        printed.append(text)
        shown.set()

    port, receiver_port = free_ports(2)
    options = StackOptions(
        host="127.0.0.1",
        port=port,
        receiver_port=receiver_port,
        clock=ManualClock(START),
        follow_wall=False,
        config=EmulatorConfig(),
        state_dir=tmp_path,
        print_line=print_line,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_stack(options, stop))
    await asyncio.wait_for(shown.wait(), 20)
    yield RunningStack(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{receiver_port}", printed[0])
    stop.set()
    assert await asyncio.wait_for(task, 20) == 0


async def test_the_summary_names_urls_credentials_and_the_signature_key(stack: RunningStack) -> None:
    assert stack.emulator in stack.summary
    assert stack.receiver in stack.summary
    assert DEMO_SIGNATURE_KEY in stack.summary
    assert "cloudelements" in stack.summary
    assert "/__admin/clock/advance" in stack.summary
    assert f"dashboard (clock, contacts, faults, arrivals, verdict timeline): {stack.emulator}/__ui/" in stack.summary


async def test_a_change_arrives_signed_after_one_refresh_interval(stack: RunningStack) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        # A change stamped at the instance's createdDate would be before the poller's start: move on a minute.
        await client.post(f"{stack.emulator}/__admin/clock/advance", json={"seconds": 60})
        created = await client.post(
            f"{stack.emulator}/__admin/tenants/cloudelements/contacts", json={"contact": {"firstName": "Ada"}}
        )
        assert created.status_code == 201
        advanced = await client.post(f"{stack.emulator}/__admin/clock/advance", json={"seconds": 840})
        assert advanced.json()["steps"] == ["2026-01-01T00:15:00Z"], "the poller's window ran at its instant"
        arrivals = (await client.get(f"{stack.receiver}/__receiver/arrivals")).json()["arrivals"]
        events = await client.get(f"{stack.emulator}/elements/api-v2/instances/1/events", headers=PLATFORM_AUTH)
    [arrival] = arrivals
    body = json.loads(arrival["body"])
    assert [e["objectId"] for e in body["message"]["events"]] == [str(created.json()["id"])]
    assert arrival["signature"]["status"] == "valid"
    assert [(e["objectId"], e["status"]) for e in events.json()] == [(str(created.json()["id"]), "NOTIFIED")]


async def test_the_seed_callback_host_is_held_undeliverable_without_any_connection(
    stack: RunningStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[Any] = []
    real_getaddrinfo = socket.getaddrinfo

    def watching_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost"):
            looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", watching_getaddrinfo)
    seed = json.loads(read_fixture("instances/seed_example_polling.json"))
    assert seed["configuration"]["event.notification.callback.url"] == "http://mycoolapp.com"
    async with httpx.AsyncClient(timeout=30) as client:
        created = await client.post(f"{stack.emulator}/elements/api-v2/instances", json=seed, headers=PLATFORM_AUTH)
        assert created.status_code == 201, created.text
        instance_id = created.json()["id"]
        await client.post(f"{stack.emulator}/__admin/clock/advance", json={"seconds": 60})
        await client.post(
            f"{stack.emulator}/__admin/tenants/cloudelements/contacts", json={"contact": {"firstName": "Bea"}}
        )
        await client.post(f"{stack.emulator}/__admin/clock/advance", json={"seconds": 840})
        events = await client.get(
            f"{stack.emulator}/elements/api-v2/instances/{instance_id}/events", headers=PLATFORM_AUTH
        )
    [record] = events.json()
    assert record["status"] != "NOTIFIED"
    assert "not loopback" in record["notifiedData"]["undeliverable"]
    assert looked_up == [], "the egress guard must decide without any DNS lookup or connection"


async def test_patch_changes_the_interval_and_delete_stops_polling(stack: RunningStack) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        patched = await client.patch(
            f"{stack.emulator}/elements/api-v2/instances/1",
            json={"configuration": {"event.poller.refresh_interval": "5"}},
            headers=PLATFORM_AUTH,
        )
        assert patched.status_code == 200
        # The next window keeps its instant (00:15); after it, windows come every 5 minutes.
        advanced = await client.post(f"{stack.emulator}/__admin/clock/advance", json={"seconds": 1500})
        assert advanced.json()["steps"] == ["2026-01-01T00:15:00Z", "2026-01-01T00:20:00Z", "2026-01-01T00:25:00Z"]
        deleted = await client.delete(f"{stack.emulator}/elements/api-v2/instances/1", headers=PLATFORM_AUTH)
        assert deleted.status_code == 200
        after = await client.post(f"{stack.emulator}/__admin/clock/advance", json={"seconds": 3600})
        assert after.json()["steps"] == []
