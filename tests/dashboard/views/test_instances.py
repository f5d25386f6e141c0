"""An instance's page under `cwmock up`: configuration with secrets masked, our poller's state, the outbox (parked,
held by the egress guard), the event records, and redelivery of parked notifications."""

from __future__ import annotations

import json

import httpx
import pytest

from cwmock.cli.stack import DEMO_SIGNATURE_KEY, Stack
from cwmock.fixtures import SEED_INSTANCE, read_fixture

from support.stack import change_and_poll

pytestmark = pytest.mark.anyio
PLATFORM_AUTH = {"Authorization": "User cwmock-user-secret, Organization cwmock-organization-secret"}


async def test_the_page_masks_every_credential(stack: Stack, stack_ui: httpx.AsyncClient) -> None:
    page = await stack_ui.get("/instances/1")
    assert page.status_code == 200
    instance = stack.emulator.registry.get(1)
    for secret in (DEMO_SIGNATURE_KEY, instance.token, "xxxxxxxxxxxxxxxxxx"):
        assert secret not in page.text
    assert "event.notification.signature.key" in page.text
    assert "cloudelements" in page.text
    assert f"{stack.receiver_url}/mycoolapp" in page.text


async def test_a_delivered_change_shows_in_the_poller_state_and_events(
    stack: Stack, stack_ui: httpx.AsyncClient
) -> None:
    await change_and_poll(stack)
    page = await stack_ui.get("/instances/1")
    assert '<dd id="delivered-count">1</dd>' in page.text
    assert "NOTIFIED" in page.text
    assert "every notification was delivered" in page.text
    assert "Last complete poll of contacts</dt><dd>2026-01-01 00:15:00Z" in page.text


async def test_a_refused_notification_is_parked_and_redelivered_from_the_page(
    stack: Stack, stack_ui: httpx.AsyncClient
) -> None:
    assert stack.receiver is not None
    stack.receiver.script(410)  # Gone: parked at once
    await change_and_poll(stack)
    page = await stack_ui.get("/instances/1")
    assert ">parked</span>" in page.text
    assert "Redeliver notification 1" in page.text
    redelivered = await stack_ui.post("/instances/1/redeliver", data={"number": "1"})
    assert redelivered.status_code == 303
    after = await stack_ui.get(redelivered.headers["location"])
    assert "Redelivered 1 notification(s): delivered 1, failed again 0, parked again 0." in after.text
    assert [a.status for a in stack.receiver.arrivals()] == [410, 200]
    nothing = await stack_ui.post("/instances/1/redeliver", data={})
    assert "Nothing was parked to redeliver." in (await stack_ui.get(nothing.headers["location"])).text


async def test_a_notification_for_an_outside_host_is_shown_held_by_the_egress_guard(
    stack: Stack, stack_ui: httpx.AsyncClient
) -> None:
    seed = json.loads(read_fixture(SEED_INSTANCE))
    async with httpx.AsyncClient(base_url=stack.emulator_url, timeout=30) as client:
        created = await client.post("/elements/api-v2/instances", json=seed, headers=PLATFORM_AUTH)
    assert created.status_code == 201
    instance_id = created.json()["id"]
    await change_and_poll(stack, "Bea")
    page = await stack_ui.get(f"/instances/{instance_id}")
    assert "held by the egress guard" in page.text
    assert "Held by the egress guard</dt><dd>1" in page.text
    assert "mycoolapp.com is not loopback" in page.text


async def test_an_instance_registered_for_another_poller_is_not_polled_here(
    stack: Stack, stack_ui: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(base_url=stack.emulator_url) as client:
        created = await client.post("/__admin/instances", json={"tenant": "cwmock", "name": "theirs"})
    instance_id = created.json()["id"]
    page = await stack_ui.get(f"/instances/{instance_id}")
    assert "Our poller does not poll this instance" in page.text
    overview = await stack_ui.get("/")
    assert "not polled here" in overview.text
    assert (await stack_ui.get("/instances/99")).status_code == 404
