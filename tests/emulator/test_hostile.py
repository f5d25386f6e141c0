"""The hostile-input suite of the emulator: every endpoint of the native API, the hub, the platform API and the
admin API, sent what schemathesis does not send (`support.hostile`), in-process.

For every request: no 5xx; a refused one (4xx) leaves the store, the instances, the faults and the clock exactly as
they were; and afterwards the server still answers reads and writes on every API. Examples per test: 150 under
the default `ci` profile (derandomized), 3,000 under `--cwmock-profile deep` (`tox -e deep`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from hypothesis import given

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator
from cwmock.emulator.model.snapshot import take_snapshot
from cwmock.fixtures import SEED_INSTANCE, read_fixture

from support.hostile import Endpoint, HostileRequest, hostile_requests, hostile_settings, routes_of
from support.in_process import CONTACTS, HUB_CONTACTS, INSTANCES, NATIVE, PLATFORM_AUTH, client_of, whole_emulator

API = "/v4_6_release/apis/3.0"
ADMIN_TOKEN_FREE: dict[str, str] = {}
SEED: dict[str, Any] = json.loads(read_fixture(SEED_INSTANCE))
CONTACT = {"firstName": "Ada", "lastName": "Lovelace", "title": "Countess", "company": {"id": 2},
           "communicationItems": [{"type": {"id": 1}, "value": "ada@example.com"}], "customFields": [{"id": 1}],
           "integratorTags": ["x"]}  # fmt: skip
CONTACT_SLOTS = (
    "/firstName",
    "/lastName",
    "/title",
    "/company/id",
    "/communicationItems/0/value",
    "/communicationItems/0/type/id",
    "/customFields/0",
    "/integratorTags/0",
    "",
)
PATCH = [{"op": "replace", "path": "title", "value": "Dr"}]
PATCH_SLOTS = ("/0/value", "/0/path", "/0/op", "")
HUB = {"Authorization": "set per world"}  # replaced by the instance token of each fresh world

NATIVE_ENDPOINTS = [
    Endpoint("GET", "/login/companyinfo/{company}", path_values={"company": "cwmock"}),
    Endpoint(
        "GET",
        f"{API}/company/contacts",
        NATIVE,
        query={"conditions": "id > 0", "orderBy": "id desc", "fields": "id,firstName", "page": "1", "pageSize": "25"},
    ),
    Endpoint(
        "GET", f"{API}/company/contacts/", NATIVE, query={"childConditions": 'communicationItems/value like "%a%"'}
    ),
    Endpoint("POST", f"{API}/company/contacts", NATIVE, CONTACT, body_slots=CONTACT_SLOTS),
    Endpoint("POST", f"{API}/company/contacts/", NATIVE, CONTACT, body_slots=CONTACT_SLOTS),
    Endpoint("GET", f"{API}/company/contacts/count", NATIVE, query={"conditions": 'firstName like "A*"'}),
    Endpoint("GET", f"{API}/company/contacts/{{id:int}}", NATIVE, path_values={"id": "1"}),
    Endpoint(
        "PUT", f"{API}/company/contacts/{{id:int}}", NATIVE, CONTACT, body_slots=CONTACT_SLOTS, path_values={"id": "1"}
    ),
    Endpoint(
        "PATCH", f"{API}/company/contacts/{{id:int}}", NATIVE, PATCH, body_slots=PATCH_SLOTS, path_values={"id": "1"}
    ),
    Endpoint("DELETE", f"{API}/company/contacts/{{id:int}}", NATIVE, path_values={"id": "1"}),
    Endpoint("GET", f"{API}/company/companies", NATIVE, query={"page": "1"}),
    Endpoint("GET", f"{API}/company/companies/{{id:int}}", NATIVE, path_values={"id": "2"}),
    Endpoint("GET", f"{API}/system/info", NATIVE),
    *(
        Endpoint("GET", f"{API}/{listed}", NATIVE, query={"conditions": "id > 0", "fields": "id", "page": "1"})
        for listed in (
            "company/contacts/types",
            "company/communicationTypes",
            "company/companies/statuses",
            "company/companies/types",
            "system/locations",
            "sales/activities",
            "system/documents",
            "company/configurations",
            "service/tickets",
            "sales/opportunities",
            "project/projects",
        )
    ),
    *(
        Endpoint("GET", f"{API}/{one}/{{id:int}}", NATIVE, path_values={"id": "1"})
        for one in (
            "company/contacts/types",
            "company/communicationTypes",
            "company/companies/statuses",
            "company/companies/types",
            "system/locations",
        )
    ),
    Endpoint("GET", f"{API}/company/companies/{{id:int}}/sites", NATIVE, path_values={"id": "2"}),
    Endpoint(
        "GET",
        f"{API}/company/companies/{{id:int}}/sites/{{site_id:int}}",
        NATIVE,
        path_values={"id": "2", "site_id": "1"},
    ),
    *(
        Endpoint("GET", f"{API}/company/contacts/{{id:int}}/{linked}", NATIVE, path_values={"id": "1"})
        for linked in ("communications", "image", "notes", "tracks", "portalSecurity")
    ),
    Endpoint(
        "GET",
        f"{API}/company/contacts/{{id:int}}/communications/{{item_id:int}}",
        NATIVE,
        path_values={"id": "1", "item_id": "1"},
    ),
]
HUB_ENDPOINTS = [
    Endpoint(
        "GET",
        HUB_CONTACTS,
        HUB,
        query={"where": "lastUpdated >= '2025-01-01T00:00:00Z'", "pageSize": "200", "orderBy": "id", "fields": "id"},
    ),
    Endpoint("GET", HUB_CONTACTS, HUB, query={"nextPage": "eyJhZnRlciI6MH0", "where": "firstName like 'A%'"}),
    Endpoint("GET", f"{HUB_CONTACTS}/{{id:int}}", HUB, path_values={"id": "1"}),
]
PLATFORM = {"Authorization": PLATFORM_AUTH}
SEED_SLOTS = (
    "/name",
    "/configuration/company",
    "/configuration/event.poller.refresh_interval",
    "/configuration/event.poller.configuration",
    "/configuration/baseUrl",
    "/configuration/event.notification.callback.url",
    "/tags",
    "/element/key",
    "",
)
PLATFORM_ENDPOINTS = [
    Endpoint("POST", INSTANCES, PLATFORM, SEED, body_slots=SEED_SLOTS),
    Endpoint("GET", f"{INSTANCES}/{{id:int}}", PLATFORM, path_values={"id": "1"}),
    Endpoint(
        "PATCH",
        f"{INSTANCES}/{{id:int}}",
        PLATFORM,
        {"configuration": {"event.poller.refresh_interval": 5}, "name": "n"},
        body_slots=("/configuration/event.poller.refresh_interval", "/name", "/configuration", ""),
        path_values={"id": "1"},
    ),
    Endpoint("DELETE", f"{INSTANCES}/{{id:int}}", PLATFORM, path_values={"id": "1"}),
    Endpoint("GET", f"{INSTANCES}/{{id:int}}/events", PLATFORM, path_values={"id": "1"}),
]
T = {"tenant": "cwmock"}
WRITE = {"contact": CONTACT, "stamp": "2026-01-01T00:00:00Z", "updatedBy": "me", "visibleAfter": 0}
WRITE_SLOTS = (
    *(f"/contact{slot}" for slot in CONTACT_SLOTS if slot),
    "/stamp",
    "/updatedBy",
    "/visibleAfter",
    "/contact",
    "",
)
FAULT = {"kind": "status", "status": 503, "pathRegex": "/nowhere/.*", "method": "GET", "times": 1, "after": 0,
         "probability": 0.5, "seed": 1}  # fmt: skip
MUTATION = {"kind": "mutate_between_pages", "mutation": {"op": "create", "tenant": "cwmock", "contact": CONTACT,
            "stamp": "2026-01-01T00:00:00Z"}, "path": "/nowhere"}  # fmt: skip
ADMIN_ENDPOINTS = [
    Endpoint("GET", "/__admin/clock"),
    Endpoint(
        "POST",
        "/__admin/clock/set",
        body={"instant": "2026-06-01T00:00:00Z", "allowBackwards": False},
        body_slots=("/instant", "/allowBackwards", ""),
    ),
    Endpoint("POST", "/__admin/clock/advance", body={"seconds": 60}, body_slots=("/seconds", "")),
    Endpoint("POST", "/__admin/clock/advance", body={"to": "2026-01-02T00:00:00Z"}, body_slots=("/to",)),
    Endpoint("POST", "/__admin/clock/freeze"),
    Endpoint(
        "POST",
        "/__admin/clock/follow",
        body={"offsetSeconds": 0, "speed": 2},
        body_slots=("/offsetSeconds", "/speed", ""),
    ),
    # timeout 0: a valid long-poll must not hold the suite; every hostile until or timeout is refused or instant.
    Endpoint("GET", "/__admin/clock/wait", query={"until": "2025-01-01T00:00:00Z", "timeout": "0", "follower": "f"}),
    Endpoint("DELETE", "/__admin/clock/followers/{name}", path_values={"name": "f"}),
    Endpoint("POST", "/__admin/tenants/{tenant}/contacts", body=WRITE, body_slots=WRITE_SLOTS, path_values=T),
    Endpoint(
        "POST",
        "/__admin/tenants/{tenant}/contacts/bulk",
        body={"count": 2, "seed": 1, "visibleAfter": 0},
        body_slots=("/count", "/seed", "/visibleAfter", ""),
        path_values=T,
    ),
    Endpoint(
        "POST",
        "/__admin/tenants/{tenant}/contacts/touch",
        body={"ids": [1], "stamp": "2026-01-01T00:00:00Z"},
        body_slots=("/ids", "/ids/0", "/stamp", ""),
        path_values=T,
    ),
    Endpoint(
        "PUT",
        "/__admin/tenants/{tenant}/contacts/{id:int}",
        body=WRITE,
        body_slots=WRITE_SLOTS,
        path_values={**T, "id": "1"},
    ),
    Endpoint(
        "PATCH",
        "/__admin/tenants/{tenant}/contacts/{id:int}",
        body={"operations": PATCH},
        body_slots=(*tuple(f"/operations{slot}" for slot in PATCH_SLOTS if slot), "/operations", ""),
        path_values={**T, "id": "1"},
    ),
    Endpoint(
        "DELETE",
        "/__admin/tenants/{tenant}/contacts/{id:int}",
        query={"visibleAfter": "0"},
        path_values={**T, "id": "1"},
    ),
    Endpoint(
        "POST",
        "/__admin/tenants/{tenant}/seed",
        body={"fixture": "contacts/sample.json"},
        body_slots=("/fixture", ""),
        path_values=T,
    ),
    Endpoint(
        "POST",
        "/__admin/tenants/{tenant}/seed",
        body={"contacts": [CONTACT]},
        body_slots=("/contacts", "/contacts/0", "/contacts/0/firstName"),
        path_values=T,
    ),
    Endpoint(
        "PUT",
        "/__admin/tenants/{tenant}/visibility-delay",
        body={"seconds": 5},
        body_slots=("/seconds", ""),
        path_values=T,
    ),
    Endpoint(
        "PUT",
        "/__admin/tenants/{tenant}/date-entered",
        body={"enabled": True},
        body_slots=("/enabled", ""),
        path_values=T,
    ),
    Endpoint("GET", "/__admin/hub/paging"),
    Endpoint("PUT", "/__admin/hub/paging", body={"mode": "keyset"}, body_slots=("/mode", "")),
    Endpoint(
        "GET",
        "/__admin/history",
        query={"tenant": "cwmock", "id": "1", "since": "2020-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z"},
    ),
    Endpoint("GET", "/__admin/sequence"),
    Endpoint("GET", "/__admin/journal", query={"path": "/v4"}),
    Endpoint("DELETE", "/__admin/journal"),
    Endpoint(
        "POST",
        "/__admin/instances",
        body={"tenant": "cwmock", "name": "n", "tags": ["t"], "configuration": {"a": 1}},
        body_slots=("/tenant", "/name", "/tags", "/tags/0", "/configuration", ""),
    ),
    Endpoint("GET", "/__admin/instances"),
    Endpoint("GET", "/__admin/instances/{id:int}", path_values={"id": "1"}),
    Endpoint("DELETE", "/__admin/instances/{id:int}", path_values={"id": "1"}),
    Endpoint("GET", "/__admin/instances/{id:int}/served", path_values={"id": "1"}),
    Endpoint("GET", "/__admin/instances/{id:int}/requests", path_values={"id": "1"}),
    Endpoint("GET", "/__admin/requests/unattributed"),
    Endpoint("POST", "/__admin/reset", body={"tenant": "cwmock"}, body_slots=("/tenant", "")),
    Endpoint("GET", "/__admin/snapshot"),
    Endpoint(
        "POST",
        "/__admin/restore",
        body={
            "format": "cwmock-snapshot/1",
            "sequence": 1,
            "tenants": {},
            "instances": {"state": {"nextId": 1, "random": [3, [0] * 625, None]}, "items": []},
        },
        body_slots=("/sequence", "/tenants", "/instances/state/nextId", "/instances/items", ""),
    ),
    Endpoint(
        "POST",
        "/__admin/faults",
        body=FAULT,
        body_slots=("/kind", "/status", "/method", "/times", "/after", "/probability", "/seed", ""),
        pattern_slots=("/pathRegex",),
    ),
    Endpoint(
        "POST",
        "/__admin/faults",
        body={"kind": "latency", "seconds": 1, "mode": "emulated", "path": "/x"},
        body_slots=("/seconds", "/mode"),
        pattern_slots=("/path",),
    ),
    Endpoint("POST", "/__admin/faults", body={"kind": "skew", "seconds": 60}, body_slots=("/seconds",)),
    Endpoint(
        "POST",
        "/__admin/faults",
        body={"kind": "rate_limit", "retryAfter": 3, "path": "/x"},
        body_slots=("/retryAfter",),
    ),
    Endpoint(
        "POST",
        "/__admin/faults",
        body=MUTATION,
        body_slots=(
            "/mutation/contact/firstName",
            "/mutation/stamp",
            "/mutation/tenant",
            "/mutation",
            "/mutation/contact",
        ),
    ),
    Endpoint("GET", "/__admin/faults"),
    Endpoint("DELETE", "/__admin/faults"),
    Endpoint("GET", "/__admin/faults/{id:int}", path_values={"id": "1"}),
    Endpoint("DELETE", "/__admin/faults/{id:int}", path_values={"id": "1"}),
    Endpoint(
        "POST",
        "/__admin/socket-faults",
        body={"kind": "cut_body_after", "cutAfter": 3, "times": 1, "from": "2026-01-01T00:00:00Z"},
        body_slots=("/kind", "/cutAfter", "/times", "/from", ""),
    ),
    Endpoint(
        "POST",
        "/__admin/socket-faults",
        body={"kind": "reset_before_response", "path": "/x", "probability": 0.5, "seed": 1},
        body_slots=("/probability", "/seed"),
        pattern_slots=("/path",),
    ),
    Endpoint("GET", "/__admin/socket-faults"),
    Endpoint("DELETE", "/__admin/socket-faults"),
    Endpoint("GET", "/__admin/socket-faults/{id:int}", path_values={"id": "1"}),
    Endpoint("DELETE", "/__admin/socket-faults/{id:int}", path_values={"id": "1"}),
    Endpoint("GET", "/__admin/fault-proxy"),
    Endpoint("GET", "/openapi.json"),
]
FAMILIES = {"native": NATIVE_ENDPOINTS, "hub": HUB_ENDPOINTS, "platform": PLATFORM_ENDPOINTS, "admin": ADMIN_ENDPOINTS}


def world() -> tuple[Emulator, str]:
    """A fresh emulator holding one contact, one admin instance (its hub token returned) and nothing else."""
    emulator = whole_emulator()
    emulator.socket_faults.proxy_url = "http://127.0.0.1:9"  # as if a fault proxy served it: socket faults are taken
    emulator.store.create_contact("cwmock", CONTACT)
    token = emulator.registry.create("cwmock", "hostile", emulator.store.server_now()).token
    return emulator, token


def state(emulator: Emulator) -> str:
    """Everything a refused request must leave as it was: store and instances (less the request numbering),
    faults (with their counters) and the clock."""
    snapshot = take_snapshot(emulator.store, emulator.registry)
    del snapshot["sequence"], snapshot["takenAt"]
    faults = [fault.to_json() for fault in emulator.faults.all()]
    faults += [fault.to_json() for fault in emulator.socket_faults.all()]
    assert isinstance(emulator.clock, ManualClock)
    return json.dumps(
        {"snapshot": snapshot, "faults": faults, "clock": emulator.clock.status().to_json()}, sort_keys=True
    )


async def still_serving(client: httpx.AsyncClient) -> None:
    """Reads and writes on every API answer normally (the faults cleared first: one may legitimately be listed)."""
    assert (await client.delete("/__admin/faults")).status_code == 204
    token = (await client.post("/__admin/instances", json={"tenant": "cwmock", "name": "after"})).json()["token"]
    hub = {"Authorization": f"{PLATFORM_AUTH}, Element {token}"}
    checks = [
        await client.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "Still"}}),
        await client.post(CONTACTS, headers=NATIVE, json={"firstName": "Here"}),
        await client.get(CONTACTS, headers=NATIVE),
        await client.get(HUB_CONTACTS, headers=hub),
        await client.post(INSTANCES, headers=PLATFORM, json=SEED),
        await client.get("/__admin/snapshot"),
        await client.get("/__admin/history"),
        await client.get("/__admin/faults"),
        await client.get("/__admin/clock"),
        await client.get("/__admin/journal"),
    ]
    for response in checks:
        assert response.status_code < 300, (response.request.method, response.request.url.path, response.text[:300])


async def throw(request: HostileRequest) -> None:
    emulator, token = world()
    hub = f"{PLATFORM_AUTH}, Element {token}"
    headers = [(name.encode(), (hub if value == HUB["Authorization"] else value).encode("latin-1")
                if isinstance(value, str) else value) for name, value in request.headers.items()]  # fmt: skip
    async with client_of(emulator) as client:
        before = state(emulator)
        response = await client.request(
            request.endpoint.method, request.path, params=request.query, headers=headers, content=request.content
        )
        assert response.status_code < 500, f"{request!r} answered {response.status_code}: {response.text[:500]}"
        if 400 <= response.status_code < 500:
            assert state(emulator) == before, f"{request!r} was refused ({response.status_code}) but left a trace"
        await still_serving(client)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_hostile_input_never_gets_a_5xx_never_leaves_a_trace_and_never_stops_the_server(
    family: str, pytestconfig: pytest.Config
) -> None:
    @hostile_settings(pytestconfig.getoption("--cwmock-profile"))
    @given(hostile_requests(FAMILIES[family]))
    def property_(request: HostileRequest) -> None:
        asyncio.run(throw(request))

    property_()


def test_the_suite_covers_every_endpoint() -> None:
    covered = {(e.method, e.route) for endpoints in FAMILIES.values() for e in endpoints}
    missing = routes_of(whole_emulator().app.routes) - covered
    assert not missing, f"endpoints the hostile suite does not throw anything at: {sorted(missing)}"
