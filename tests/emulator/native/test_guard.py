"""Who may call the native API: bad credentials answer 401 (or a cloud site's 404), and the optional rate budget."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
CWMOCK = native_headers("cwmock", "cwmock-public", "cwmock-private")
CLOUDELEMENTS = native_headers("cloudelements", "xxxxxxxx", "xxxxxxxxxxxxxxxxxx")
BAD = [
    {},
    {"clientId": "x"},
    {"clientId": "x", "Authorization": "Bearer token"},
    native_headers("cwmock", "cwmock-public", "wrong-private"),
    native_headers("nobody", "cwmock-public", "cwmock-private"),
]

Factory = Callable[..., Any]


@pytest.fixture
async def emulator_client() -> AsyncIterator[Factory]:
    clients: list[httpx.AsyncClient] = []

    def make(**settings: Any) -> tuple[Emulator, httpx.AsyncClient]:
        emulator = create_emulator(EmulatorConfig(**settings), ManualClock(START))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app), base_url="http://cw.test")
        clients.append(client)
        return emulator, client

    yield make
    for client in clients:
        await client.aclose()


@pytest.mark.parametrize("headers", BAD, ids=["none", "no-auth", "not-basic", "wrong-key", "no-company"])
async def test_bad_credentials_answer_401_by_default(emulator_client: Factory, headers: dict[str, str]) -> None:
    _, client = emulator_client()
    response = await client.get(CONTACTS, headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "Unauthorized")


@pytest.mark.parametrize("headers", BAD, ids=["none", "no-auth", "not-basic", "wrong-key", "no-company"])
async def test_a_cloud_site_may_answer_404_like_an_unknown_path(
    emulator_client: Factory, headers: dict[str, str]
) -> None:
    """PSA Developer Guide: "Are you getting a 404 error ... on cloud? You may have incorrect authentication"."""
    _, client = emulator_client(bad_credentials_status=404)
    refused = await client.get(CONTACTS, headers=headers)
    unknown = await client.get(f"{CONTACTS}/nowhere", headers=CWMOCK)
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == {**unknown.json(), "message": f"GET {CONTACTS}: Not Found"}
    assert (await client.get(CONTACTS, headers=CWMOCK)).status_code == 200, "good keys still open it"


async def test_the_rate_budget_answers_429_with_retry_after_on_the_emulated_clock(emulator_client: Factory) -> None:
    """PSA Developer Guide, "Rate Limiting": 429 with Retry-After seconds and the ConnectWiseAPI body."""
    emulator, client = emulator_client(rate_limit_per_minute=3)
    clock = emulator.clock
    assert isinstance(clock, ManualClock)
    for second in range(3):
        clock.set(START + timedelta(seconds=10 * second))
        assert (await client.get(CONTACTS, headers=CWMOCK)).status_code == 200
    limited = await client.get(CONTACTS, headers=CWMOCK)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "40", "the first request leaves the minute 40 s from now"
    assert limited.json() == {
        "error": "ConnectWiseAPI",
        "message": "Too many requests. Please try again in 40 seconds.",
    }
    assert (await client.get(CONTACTS, headers=CLOUDELEMENTS)).status_code == 200, "each member has its own budget"
    assert (await client.get(CONTACTS, headers=BAD[3])).status_code == 401, "refused credentials spend nothing"
    clock.set(START + timedelta(seconds=59))
    assert (await client.get(CONTACTS, headers=CWMOCK)).status_code == 429
    clock.set(START + timedelta(seconds=60))
    assert (await client.get(CONTACTS, headers=CWMOCK)).status_code == 200, "waiting Retry-After frees the budget"


async def test_no_budget_by_default(emulator_client: Factory) -> None:
    _, client = emulator_client()
    statuses = {(await client.get(CONTACTS, headers=CWMOCK)).status_code for _ in range(1200)}
    assert statuses == {200}


def test_the_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="401 or 404"):
        EmulatorConfig(bad_credentials_status=403)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1 or more"):
        EmulatorConfig(rate_limit_per_minute=0)
    with pytest.raises(ValueError, match="ignored, applied, refused"):
        EmulatorConfig(patch_reference_paths="sometimes")  # type: ignore[arg-type]
