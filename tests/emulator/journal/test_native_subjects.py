"""A native-API subject (tenant + clientId, registered through the admin API): its requests, faulted ones
included, and the versions it was served are kept under it, as an instance's hub requests are."""

from __future__ import annotations

import httpx
import pytest

from cwmock.emulator.app import create_emulator
from cwmock.emulator.native.auth import native_headers

pytestmark = pytest.mark.anyio

CONTACTS = "/v4_6_release/apis/3.0/company/contacts"


async def test_a_native_subjects_requests_and_served_versions_are_kept_under_it() -> None:
    emulator = create_emulator()
    transport = httpx.ASGITransport(app=emulator.app)
    mine = native_headers("cwmock", "cwmock-public", "cwmock-private", "my-integration")
    other = native_headers("cwmock", "cwmock-public", "cwmock-private", "someone-else")
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test") as client:
        body = {"tenant": "cwmock", "name": "native", "clientId": "my-integration"}
        subject = (await client.post("/__admin/instances", json=body)).json()
        assert subject["clientId"] == "my-integration"
        assert (await client.post("/__admin/instances", json=body)).status_code == 400  # one subject per clientId
        await client.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "Ada"}})
        fault = {"kind": "status", "status": 503, "path": CONTACTS, "times": 1}
        assert (await client.post("/__admin/faults", json=fault)).status_code == 201
        assert (await client.get(CONTACTS, headers=mine)).status_code == 503
        assert (await client.get(CONTACTS, params={"page": 1, "pageSize": 10}, headers=mine)).status_code == 200
        assert (await client.get(CONTACTS, headers=other)).status_code == 200
        log = (await client.get(f"/__admin/instances/{subject['id']}/requests")).json()
        served = (await client.get(f"/__admin/instances/{subject['id']}/served")).json()
    assert [(r["status"], r["fault"], r["resultEnd"]) for r in log["requests"]] == [
        (503, "status", None),
        (200, None, True),
    ]
    assert [v["id"] for v in served["versions"]] == [1]
    assert served["versions"][0]["times"] == 1  # the other clientId's read is not this subject's


async def test_a_clientid_must_be_text_without_surrounding_spaces() -> None:
    emulator = create_emulator()
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test") as client:
        for bad in (" padded", "", 7):
            body = {"tenant": "cwmock", "name": "native", "clientId": bad}
            assert (await client.post("/__admin/instances", json=body)).status_code == 400
