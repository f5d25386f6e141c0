"""A hub request answered by a fault (its handler never ran) is journalled under the instance its token names.

Without that, the oracle sees the window as clean with no hub request and requires versions the poller was never
shown (found by the stateful property test: a 500 fault on the only request of a window).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cwmock.emulator.app import Emulator

pytestmark = pytest.mark.anyio

HUB = "/elements/api-v2/hubs/crm/contacts"


async def _journal_after(cwmock_emulator: Emulator, fault: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=cwmock_emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test") as client:
        instance = (await client.post("/__admin/instances", json={"tenant": "cwmock", "name": "qa"})).json()
        auth = authorization or (
            f"User cwmock-user-secret, Organization cwmock-organization-secret, Element {instance['token']}"
        )
        assert (await client.post("/__admin/faults", json={**fault, "path": HUB, "times": 1})).status_code == 201
        await client.get(HUB, headers={"Authorization": auth})
        [entry] = (await client.get("/__admin/journal")).json()["entries"]
        return dict(entry)


@pytest.mark.parametrize(
    "fault",
    [{"kind": "status", "status": 503}, {"kind": "rate_limit", "retryAfter": 30}],
    ids=["status", "rate_limit"],
)
async def test_a_request_the_fault_answered_is_journalled_under_its_instance(
    cwmock_emulator: Emulator, fault: dict[str, Any]
) -> None:
    entry = await _journal_after(cwmock_emulator, fault, None)
    assert entry["fault"] == fault["kind"]
    assert (entry["tenant"], entry["instance"]) == ("cwmock", 1)


async def test_a_token_that_names_no_instance_stays_unattributed(cwmock_emulator: Emulator) -> None:
    auth = "User cwmock-user-secret, Organization cwmock-organization-secret, Element no-such-token"
    entry = await _journal_after(cwmock_emulator, {"kind": "status", "status": 500}, auth)
    assert entry["fault"] == "status"
    assert (entry["tenant"], entry["instance"]) == (None, None)
