"""Hub paging modes: the token over page numbers (offset, the default) shifts under drift; keyset does not; both
honour `orderBy`; the switch through config and the admin API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig

from support.hub import CONFIG, HUB, START, hub_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
def emulator() -> Emulator:
    emulator = create_emulator(CONFIG, ManualClock(START))
    for n in range(9):
        emulator.store.create_contact("cwmock", {"firstName": f"c{n}"}, stamp=START - timedelta(minutes=9 - n))
    return emulator


@pytest.fixture
def headers(emulator: Emulator) -> dict[str, str]:
    return hub_headers(emulator.registry.create("cwmock", "paging", START).token)


async def follow(client: httpx.AsyncClient, headers: dict[str, str], between: Any = None, **params: Any) -> list[str]:
    """Every first name served following the tokens, 3 a page, calling `between()` after the first page."""
    query: dict[str, Any] = {"pageSize": 3, **params}
    names: list[str] = []
    while True:
        response = await client.get(HUB, params=query, headers=headers)
        assert response.status_code == 200, response.text
        names += [c["firstName"] for c in response.json()]
        if len(response.json()) < 3:
            return names
        if between is not None and "nextPage" not in query:
            between()
        query["nextPage"] = response.headers["elements-next-page-token"]


async def _switch(client: httpx.AsyncClient, mode: str) -> None:
    response = await client.put("/__admin/hub/paging", json={"mode": mode})
    assert response.json()["mode"] == mode


async def test_the_default_token_wraps_page_numbers_and_shifts_when_a_record_goes(
    client: httpx.AsyncClient, emulator: Emulator, headers: dict[str, str]
) -> None:
    assert (await client.get("/__admin/hub/paging")).json() == {"mode": "offset", "modes": ["offset", "keyset"]}
    assert await follow(client, headers) == [f"c{n}" for n in range(9)]
    deleted = await follow(client, headers, lambda: emulator.store.delete_contact("cwmock", 1))
    assert deleted == ["c0", "c1", "c2", "c4", "c5", "c6", "c7", "c8"], "c3 slid onto page 1: skipped"


async def test_keyset_paging_neither_skips_nor_repeats_when_a_record_goes(
    client: httpx.AsyncClient, emulator: Emulator, headers: dict[str, str]
) -> None:
    await _switch(client, "keyset")
    deleted = await follow(client, headers, lambda: emulator.store.delete_contact("cwmock", 1))
    assert deleted == [f"c{n}" for n in range(9)]


@pytest.mark.parametrize("mode", ["offset", "keyset"])
async def test_the_token_is_honoured_with_order_by(
    client: httpx.AsyncClient, headers: dict[str, str], mode: str
) -> None:
    await _switch(client, mode)
    assert await follow(client, headers, orderBy="firstName desc") == [f"c{n}" for n in range(8, -1, -1)]


async def test_keyset_with_order_by_survives_a_record_moving_across_pages(
    client: httpx.AsyncClient, emulator: Emulator, headers: dict[str, str]
) -> None:
    await _switch(client, "keyset")
    # c1 (on the first page in lastUpdated order) is written again: it moves to the end, the rest do not shift.
    names = await follow(
        client,
        headers,
        lambda: emulator.store.replace_contact("cwmock", 2, {"firstName": "c1 moved"}, stamp=START),
        orderBy="lastUpdated asc",
    )
    assert names == ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c1 moved"]


async def test_offset_with_order_by_skips_when_a_record_moves_across_pages(
    client: httpx.AsyncClient, emulator: Emulator, headers: dict[str, str]
) -> None:
    names = await follow(
        client,
        headers,
        lambda: emulator.store.replace_contact("cwmock", 2, {"firstName": "c1 moved"}, stamp=START),
        orderBy="lastUpdated asc",
    )
    assert "c3" not in names, "the record after the moved one slid onto the page already read"


@pytest.mark.parametrize(
    ("issued", "used", "params", "word"),
    [
        ("offset", "keyset", {}, "offset token"),
        ("keyset", "offset", {}, "keyset token"),
        ("keyset", "keyset", {"orderBy": "firstName asc"}, "same orderBy"),
    ],
)
async def test_a_token_of_another_mode_or_order_is_a_400_saying_so(
    client: httpx.AsyncClient, headers: dict[str, str], issued: str, used: str, params: dict[str, str], word: str
) -> None:
    await _switch(client, issued)
    first = await client.get(HUB, params={"pageSize": 3}, headers=headers)
    await _switch(client, used)
    token = first.headers["elements-next-page-token"]
    response = await client.get(HUB, params={"pageSize": 3, "nextPage": token, **params}, headers=headers)
    assert response.status_code == 400
    assert word in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "word"), [({"mode": "sometimes"}, "offset, keyset"), ({"mode": "keyset", "x": 1}, "x"), ({}, "mode")]
)
async def test_the_admin_switch_refuses_what_it_does_not_know(
    client: httpx.AsyncClient, body: dict[str, Any], word: str
) -> None:
    response = await client.put("/__admin/hub/paging", json=body)
    assert response.status_code == 400
    assert word in response.text
    assert (await client.get("/__admin/hub/paging")).json()["mode"] == "offset", "a refused switch changes nothing"


def test_the_config_starts_in_the_mode_it_names_and_refuses_others() -> None:
    assert create_emulator(EmulatorConfig(hub_paging="keyset")).hub_paging.mode == "keyset"
    with pytest.raises(ValueError, match="offset, keyset"):
        EmulatorConfig(hub_paging="pages")  # type: ignore[arg-type]
