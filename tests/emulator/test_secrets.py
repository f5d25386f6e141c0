"""No response, error or log line repeats a secret: a ConnectWise private key, a signature key, the account secrets
or the admin token. The sweep calls every route of an emulator serving the platform API and the dashboard too (the
OpenAPI document's paths, the platform's and the dashboard's), with good credentials, with none, and with broken
ones that carry the secrets."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute, Mount, Route

from cwmock.core.clock import Clock
from cwmock.dashboard.app import mount_dashboard
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.store import Store
from cwmock.emulator.native.auth import native_headers
from cwmock.emulator.platform.routes import PlatformApi

from support.secrets import (
    ADMIN_TOKEN,
    CONFIG,
    ORGANIZATION_SECRET,
    PRIVATE_KEY,
    SECRETS,
    SIGNATURE_KEY,
    TENANT,
    USER_SECRET,
    instance_body,
    leaked,
)

pytestmark = pytest.mark.anyio

PLATFORM = {"Authorization": f"User {USER_SECRET}, Organization {ORGANIZATION_SECRET}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
NATIVE = native_headers(TENANT.company, TENANT.public_key, PRIVATE_KEY)
# Credentials that open nothing but carry the real secrets, for an answer to echo if it would.
BROKEN = [
    {"Authorization": f"User {USER_SECRET} Organization {ORGANIZATION_SECRET}"},
    {"Authorization": f"User {USER_SECRET}, Organization"},
    {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
    {"Authorization": "Basic " + base64.b64encode(f"sweep+wrong:{PRIVATE_KEY}".encode()).decode(), "clientId": "c"},
    {"Authorization": f"Basic {PRIVATE_KEY}", "clientId": "c"},
]
PATH_VALUES = {"id": "1", "site_id": "136", "item_id": "1", "company": "sweep", "tenant": "sweep", "name": "app.js"}
# Long-polls and wall-clock following would only slow the sweep; they answer with the clock's status.
SKIPPED = {("GET", "/__admin/clock/wait"), ("POST", "/__admin/clock/follow"), ("POST", "/__ui/clock/follow")}


class Listener:
    def instance_created(self, registered: Any, instance: Any) -> None:
        logging.getLogger("cwmock.sweep").info("created %s", registered.id)

    def instance_updated(self, registered: Any, instance: Any) -> None:
        pass

    def instance_deleted(self, instance_id: int) -> None:
        pass

    def events(self, instance_id: int) -> list[dict[str, Any]]:
        return []


def emulator_with_platform() -> Emulator:
    def routes(store: Store, registry: InstanceRegistry, clock: Clock, config: EmulatorConfig) -> Sequence[BaseRoute]:
        return PlatformApi(store, registry, clock, config, Listener()).routes()

    emulator = create_emulator(CONFIG, extra_routes=routes)
    mount_dashboard(emulator)
    return emulator


def operations(emulator: Emulator) -> list[tuple[str, str]]:
    """(method, path template) of every route the app serves: the OpenAPI document's and the platform's."""
    found: list[tuple[str, str]] = []
    for route in emulator.app.routes:
        children = route.routes if isinstance(route, Mount) else [route]
        prefix = route.path if isinstance(route, Mount) else ""
        for child in children:
            if isinstance(child, Route):
                found.extend(
                    (method, prefix + child.path) for method in sorted(child.methods or ()) if method != "HEAD"
                )
    order = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
    return sorted(set(found), key=lambda op: (order[op[0]], op[1]))


def concrete(template: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PATH_VALUES[m.group(1)], template)


def headers_for(path: str) -> dict[str, str]:
    if path.startswith(("/__admin", "/__ui")):
        return ADMIN
    if path.startswith("/elements/api-v2/instances"):
        return PLATFORM
    if path.startswith("/elements/"):
        return {"Authorization": f"{PLATFORM['Authorization']}, Element {TOKEN[0]}"}
    return NATIVE


TOKEN: list[str] = [""]


def body_for(method: str, path: str, snapshot: Any) -> Any:
    if path == "/elements/api-v2/instances":
        return instance_body()
    if path == "/__admin/instances":
        return {"tenant": "sweep", "name": "by-admin", "configuration": instance_body()["configuration"]}
    if path == "/__admin/restore":
        return snapshot
    if path.endswith("/contacts") or path.endswith("/contacts/"):
        contact = {"firstName": "Sweep", "company": {"id": 132}}
        return {"contact": contact} if path.startswith("/__admin") else contact
    if method == "PATCH" and "/apis/3.0/" in path:
        return [{"op": "replace", "path": "lastName", "value": "Swept"}]
    if method == "PATCH":
        return {"configuration": {"event.poller.refresh_interval": "5"}}
    return {"firstName": "Swept"} if method == "PUT" else {}


def leaks(response: httpx.Response) -> list[str]:
    return leaked(response.text + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items()))


async def test_no_answer_or_log_line_repeats_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    emulator = emulator_with_platform()
    caplog.set_level(logging.DEBUG)
    transport = httpx.ASGITransport(app=emulator.app)
    found: dict[str, list[str]] = {}
    called = 0
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        created = await client.post("/elements/api-v2/instances", json=instance_body(), headers=PLATFORM)
        assert created.status_code == 201, created.text
        TOKEN[0] = created.json()["token"]
        snapshot = (await client.get("/__admin/snapshot", headers=ADMIN)).json()
        for method, template in operations(emulator):
            if (method, template) in SKIPPED:
                continue
            path = concrete(template)
            body = body_for(method, path, snapshot) if method in ("POST", "PUT", "PATCH") else None
            for headers in (headers_for(path), {}, *BROKEN):
                response = await client.request(method, path, json=body, headers=headers)
                called += 1
                if leaks(response):
                    found[f"{method} {path} ({response.status_code})"] = leaks(response)
    assert called > 500, "the sweep reached every route"
    assert not found, f"answers that repeat a secret: {found}"
    logged = [record.getMessage() for record in caplog.records]
    assert any("created" in line for line in logged), "the log capture saw the emulator's process"
    assert not [line for line in logged if any(secret in line for secret in SECRETS)]


async def test_instance_answers_hide_secrets_and_a_restore_keeps_them(caplog: pytest.LogCaptureFixture) -> None:
    """The answers most likely to leak, checked by name: each shows the instance, none its secrets."""
    emulator = emulator_with_platform()
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        created = (await client.post("/elements/api-v2/instances", json=instance_body(), headers=PLATFORM)).json()
        for path, headers in (
            ("/elements/api-v2/instances/1", PLATFORM),
            ("/__admin/instances", ADMIN),
            ("/__admin/instances/1", ADMIN),
            ("/__admin/snapshot", ADMIN),
        ):
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, path
            assert created["token"] in response.text, f"{path} shows the instance"
            assert not leaks(response), path
        snapshot = (await client.get("/__admin/snapshot", headers=ADMIN)).json()
        restored = await client.post("/__admin/restore", json=snapshot, headers=ADMIN)
        assert restored.status_code == 200, restored.text
        patched = await client.patch("/elements/api-v2/instances/1", json={"name": "after"}, headers=PLATFORM)
        assert patched.status_code == 200, "a restored instance keeps the secrets it had, so it still parses"
    stored = emulator.registry.get(1)
    assert stored.document is not None
    assert stored.document["configuration"]["event.notification.signature.key"] == SIGNATURE_KEY
