"""Keyset paging through `where`: against the hub's default offset paging, a record inserted before the cursor,
deleted before it, or moved across pages between two page fetches neither hides another record nor repeats one;
following the platform's token instead does, in the order where the change shifts pages (so these tests can fail)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.poller.hub_client import HubClient, HubError
from cwmock.poller.keyset import KeysetQuery, keyset_position

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
HUB = "http://cw.test/elements/api-v2"
URL = "/hubs/crm/contacts?where=lastUpdated>'2025-12-31T00:00:00Z'"
PAGE = 4
CONTACTS = 12


@pytest.fixture
def emulator() -> Emulator:
    emulator = create_emulator(clock=ManualClock(START))
    assert emulator.hub_paging.mode == "offset", "proved against the hub's default"
    # Older than the url's bound, so outside the result, with the lowest id.
    emulator.store.create_contact("cwmock", {"firstName": "old"}, stamp=START - timedelta(days=5))
    # Three contacts per second, so stamps tie (the token-following client orders by lastUpdated, then id).
    for n in range(CONTACTS):
        emulator.store.create_contact(
            "cwmock", {"firstName": f"c{n:02d}"}, stamp=START - timedelta(seconds=60 - n // 3)
        )
    return emulator


Mutation = Callable[[Emulator], None]


def insert_before(emulator: Emulator) -> None:
    """A contact enters the result before the cursor: the old one, written again, with the lowest id."""
    emulator.store.touch_contacts("cwmock", [1], stamp=START)


def delete_before(emulator: Emulator) -> None:
    """A contact on the page already read goes."""
    emulator.store.delete_contact("cwmock", 3)


def update_across(emulator: Emulator) -> None:
    """A contact on the page already read is written again: in lastUpdated order it moves to the last page."""
    emulator.store.replace_contact("cwmock", 3, {"firstName": "c01 moved"}, stamp=START - timedelta(seconds=1))


async def fetch(emulator: Emulator, mutation: Mutation, *, keyset: bool, order: str = "") -> list[str]:
    """Every first name the hub client reads, with `mutation` applied once, right after the first page; following
    the platform's token, in `order`."""
    token = emulator.registry.create("cwmock", "keyset", START).token
    config = emulator.config
    auth = f"User {config.user_secret}, Organization {config.organization_secret}, Element {token}"
    pages: list[list[Any]] = []

    def read_page(records: list[Any], texts: list[str] | None) -> None:
        pages.append(records)
        if len(pages) == 1:
            mutation(emulator)

    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport) as client:
        url = URL if keyset else f"{URL}&orderBy={order}"
        await HubClient(client, HUB, auth, keyset=keyset).fetch_all(url, PAGE, read_page)
    return [record["firstName"] for page in pages for record in page]


def unchanged(names: list[str]) -> set[str]:
    return {f"c{n:02d}" for n in range(CONTACTS)} - {"c01"}


@pytest.mark.parametrize("mutation", [insert_before, delete_before, update_across])
async def test_keyset_paging_serves_every_record_present_throughout_exactly_once(
    emulator: Emulator, mutation: Mutation
) -> None:
    names = await fetch(emulator, mutation, keyset=True)
    assert len(names) == len(set(names)), f"a record was served twice: {names}"
    assert unchanged(names) <= set(names), f"skipped: {sorted(unchanged(names) - set(names))}"
    # What changed is read at most once; its new version is the next window's (its stamp is after this one's start).
    assert names.count("c01") + names.count("c01 moved") <= 1
    assert "old" not in names, "the contact that entered before the cursor is the next window's"


@pytest.mark.parametrize(
    ("mutation", "order"),
    [(insert_before, "id asc"), (delete_before, "id asc"), (update_across, "lastUpdated asc, id asc")],
)
async def test_following_the_platforms_token_skips_or_repeats_under_the_same_change(
    emulator: Emulator, mutation: Mutation, order: str
) -> None:
    names = await fetch(emulator, mutation, keyset=False, order=order)
    skipped = unchanged(names) - set(names)
    assert skipped or len(names) != len(set(names)), f"offset pages did not shift: {names}"


def test_the_next_page_asks_for_the_records_after_the_last_one() -> None:
    query = KeysetQuery.of("/hubs/crm/contacts?where=firstName like 'A%'&pageSize=50")
    assert query is not None
    after = query.after(42)
    path, _, params = after.partition("?")
    assert path == "/hubs/crm/contacts"
    decoded = dict(httpx.QueryParams(params))
    assert decoded == {
        "pageSize": "50",
        "where": "(firstName like 'A%') and id > 42",
        "orderBy": "id asc",
    }


@pytest.mark.parametrize("url", ["/c?orderBy=firstName asc", "/c?page=2", "/c?nextPage=t"])
def test_a_url_that_pages_or_orders_itself_is_followed_as_it_is(url: str) -> None:
    assert KeysetQuery.of(url) is None


@pytest.mark.parametrize(
    ("record", "position"),
    [
        ({"id": 3}, 3),
        ({"id": True}, None),
        ({"id": "3"}, None),
        ({}, None),
        ([1], None),
    ],
)
def test_a_records_position_is_its_whole_number_id(record: Any, position: Any) -> None:
    assert keyset_position(record) == position


async def test_a_hub_that_does_not_move_on_is_an_error_not_a_loop() -> None:
    stuck = [{"id": 1}] * 2

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=stuck)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(HubError, match="cannot be continued by keyset"):
            await HubClient(client, HUB, "auth").fetch_all("/hubs/crm/contacts", 2)
