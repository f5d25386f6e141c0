"""The platform API: the seed's POST /instances body verbatim, and the instance lifecycle."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute

from cwmock.core.clock import Clock
from cwmock.core.instance.config import Instance
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.model.instances import Instance as Registered
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.store import Store
from cwmock.emulator.platform.routes import PlatformApi
from cwmock.fixtures import read_fixture

pytestmark = pytest.mark.anyio

INSTANCES = "/elements/api-v2/instances"
AUTH = {"Authorization": "User cwmock-user-secret, Organization cwmock-organization-secret"}
SEED = read_fixture("instances/seed_example_polling.json")


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def instance_created(self, registered: Registered, instance: Instance) -> None:
        self.calls.append(("created", (registered.id, instance.configuration.company)))

    def instance_updated(self, registered: Registered, instance: Instance) -> None:
        self.calls.append(("updated", (registered.id, instance.configuration.refresh_interval_minutes)))

    def instance_deleted(self, instance_id: int) -> None:
        self.calls.append(("deleted", instance_id))

    def events(self, instance_id: int) -> list[dict[str, Any]]:
        return [{"id": "e1", "status": "NOTIFIED", "instance": instance_id}]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def emulator(recorder: Recorder) -> Emulator:
    def routes(store: Store, registry: InstanceRegistry, clock: Clock, config: EmulatorConfig) -> Sequence[BaseRoute]:
        return PlatformApi(store, registry, clock, config, recorder).routes()

    return create_emulator(extra_routes=routes)


async def test_the_seed_body_verbatim_creates_an_instance(
    client: httpx.AsyncClient, emulator: Emulator, recorder: Recorder
) -> None:
    response = await client.post(INSTANCES, content=SEED, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"] == 1
    assert created["token"]
    assert created["createdDate"].startswith("2026-01-01T00:00:00")
    assert "providerData" not in created, "accepted, never used, not part of the platform's document"
    assert created["configuration"]["baseUrl"] == "https://api-cloudelements/v4_6_release/apis/3.0"
    registered = emulator.registry.get(1)
    assert registered.tenant == "cloudelements", "chosen by company + public.key/private.key"
    assert recorder.calls == [("created", (1, "cloudelements"))]
    assert (await client.get(f"{INSTANCES}/1", headers=AUTH)).json() == created


async def test_without_the_account_secrets_it_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(INSTANCES, content=SEED)
    assert response.status_code == 401
    wrong = await client.post(INSTANCES, content=SEED, headers={"Authorization": "User x, Organization y"})
    assert wrong.status_code == 401


async def test_the_seed_template_body_is_400_naming_each_key(client: httpx.AsyncClient) -> None:
    response = await client.post(INSTANCES, content=read_fixture("instances/seed_template.json"), headers=AUTH)
    assert response.status_code == 400
    keys = {p["key"] for p in response.json()["problems"]}
    assert "/configuration/oauth.api.key" in keys
    assert "/configuration/event.poller.refresh_interval" in keys
    assert len(keys) == 11


async def test_keys_that_open_no_tenant_are_400(client: httpx.AsyncClient) -> None:
    body = json.loads(SEED)
    body["configuration"]["private.key"] = "wrong"
    response = await client.post(INSTANCES, json=body, headers=AUTH)
    assert response.status_code == 400
    assert "/configuration/private.key" in {p["key"] for p in response.json()["problems"]}


async def test_patch_merges_configuration_and_tells_the_poller(client: httpx.AsyncClient, recorder: Recorder) -> None:
    await client.post(INSTANCES, content=SEED, headers=AUTH)
    patched = await client.patch(
        f"{INSTANCES}/1", json={"configuration": {"event.poller.refresh_interval": "5"}}, headers=AUTH
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["configuration"]["event.poller.refresh_interval"] == "5"
    assert patched.json()["configuration"]["company"] == "cloudelements"
    assert recorder.calls[-1] == ("updated", (1, 5))
    bad = await client.patch(
        f"{INSTANCES}/1", json={"configuration": {"event.poller.refresh_interval": "x"}}, headers=AUTH
    )
    assert bad.status_code == 400
    assert (await client.get(f"{INSTANCES}/1", headers=AUTH)).json()["configuration"][
        "event.poller.refresh_interval"
    ] == "5"


async def test_delete_and_events(client: httpx.AsyncClient, recorder: Recorder) -> None:
    await client.post(INSTANCES, content=SEED, headers=AUTH)
    events = await client.get(f"{INSTANCES}/1/events", headers=AUTH)
    assert events.json() == [{"id": "e1", "status": "NOTIFIED", "instance": 1}]
    assert (await client.delete(f"{INSTANCES}/1", headers=AUTH)).status_code == 200
    assert recorder.calls[-1] == ("deleted", 1)
    assert (await client.get(f"{INSTANCES}/1", headers=AUTH)).status_code == 404


async def test_the_answer_is_the_platforms_document_without_secrets(client: httpx.AsyncClient) -> None:
    """Cloud Elements devportal, connectwisecrmrest "Authenticate": the example response's fields."""
    body = json.loads(SEED)
    body["configuration"]["event.notification.signature.key"] = "never-shown-signature-key"
    created = (await client.post(INSTANCES, json=body, headers=AUTH)).json()
    assert {"id", "name", "token", "createdDate", "element", "valid", "disabled", "eventsEnabled"} <= set(created)
    assert {"id": 3012, "key": "connectwisecrmrest", "hub": "crm"}.items() <= created["element"].items()
    assert (created["name"], created["valid"], created["disabled"]) == (body["name"], True, False)
    assert created["eventsEnabled"] is True, "the seed enables events"
    configuration = created["configuration"]
    assert "private.key" not in configuration
    assert "event.notification.signature.key" not in configuration
    assert configuration["company"] == "cloudelements", "the rest of the configuration as given"
    shown = json.dumps(created)
    assert body["configuration"]["private.key"] not in shown
    assert "never-shown-signature-key" not in shown
    patched = await client.patch(f"{INSTANCES}/1", json={"name": "renamed"}, headers=AUTH)
    assert patched.json() == {**created, "name": "renamed"}
    assert (await client.get(f"{INSTANCES}/1", headers=AUTH)).json() == patched.json()
