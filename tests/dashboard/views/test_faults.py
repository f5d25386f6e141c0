"""Faults: listed, added from the form with the admin API's options and errors, removed."""

from __future__ import annotations

import json

import httpx
import pytest

from cwmock.emulator.app import Emulator

pytestmark = pytest.mark.anyio


async def test_a_fault_added_from_the_form_is_listed_and_fires(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    added = await ui.post("/faults", data={"kind": "status", "status": "503", "times": "1", "path": "/v4_6_release/*"})
    assert added.status_code == 303
    [fault] = emulator.faults.all()
    assert fault.to_json()["status"] == 503
    assert fault.to_json()["times"] == 1
    page = await ui.get("/faults")
    assert "Remove fault 1" in page.text
    assert "status=503" in page.text


async def test_options_the_kind_does_not_take_are_refused_by_name(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    refused = await ui.post("/faults", data={"kind": "latency", "status": "500", "seconds": "2"})
    assert refused.status_code == 400
    assert "a latency fault takes no status" in refused.text
    assert emulator.faults.all() == []
    bad = await ui.post("/faults", data={"kind": "status", "status": "418"})
    assert bad.status_code == 400
    assert "418" in bad.text


async def test_policies_and_mutations(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    assert (await ui.post("/faults", data={"kind": "skew", "seconds": "-30"})).status_code == 303
    mutation = {"op": "create", "tenant": "cwmock", "contact": {"firstName": "Zed"}}
    added = await ui.post("/faults", data={"kind": "mutate_between_pages", "mutation": json.dumps(mutation)})
    assert added.status_code == 303
    assert [fault.kind for fault in emulator.faults.all()] == ["skew", "mutate_between_pages"]


async def test_remove_one_or_all(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    for _ in range(3):
        await ui.post("/faults", data={"kind": "malformed_json"})
    assert (await ui.post("/faults/2/remove", data={})).status_code == 303
    assert [fault.id for fault in emulator.faults.all()] == [1, 3]
    missing = await ui.post("/faults/2/remove", data={})
    assert missing.status_code == 404
    assert (await ui.post("/faults/clear", data={})).status_code == 303
    assert emulator.faults.all() == []
