"""Keyset paging through `where`: against the hub's default offset paging, a record inserted before the cursor,
deleted before it, or moved across pages between two page fetches neither hides another record nor repeats one;
following the platform's token instead does (so these tests can fail)."""

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
    # Three contacts per second, so keyset positions share seconds and ties are broken by id.
    for n in range(CONTACTS):
        emulator.store.create_contact(
            "cwmock", {"firstName": f"c{n:02d}"}, stamp=START - timedelta(seconds=60 - n // 3)
        )
    return emulator


Mutation = Callable[[Emulator], None]


def insert_before(emulator: Emulator) -> None:
    """A contact stamped before the cursor appears (written with an old stamp, e.g. a late commit)."""
    emulator.store.create_contact("cwmock", {"firstName": "inserted"}, stamp=START - timedelta(seconds=60))


def delete_before(emulator: Emulator) -> None:
    """A contact on the page already read goes."""
    emulator.store.delete_contact("cwmock", 2)


def update_across(emulator: Emulator) -> None:
    """A contact on the page already read is written again: in (lastUpdated, id) order it moves to the end."""
    emulator.store.replace_contact("cwmock", 2, {"firstName": "c01 moved"}, stamp=START - timedelta(seconds=1))


async def fetch(emulator: Emulator, mutation: Mutation, *, keyset: bool) -> list[str]:
    """Every first name the hub client reads, with `mutation` applied once, right after the first page."""
    token = emulator.registry.create("cwmock", "keyset", START).token
    config = emulator.config
    auth = f"User {config.user_secret}, Organization {config.organization_secret}, Element {token}"
    pages: list[list[Any]] = []

    def read_page(records: list[Any]) -> None:
        pages.append(records)
        if len(pages) == 1:
            mutation(emulator)

    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport) as client:
        # Following the token, the same order is asked for explicitly, so both read the same pages until the change.
        url = URL if keyset else URL + "&orderBy=lastUpdated asc, id asc"
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
    if mutation is update_across:
        assert names.count("c01") + names.count("c01 moved") == 2, "both versions of the moved record, once each"


@pytest.mark.parametrize("mutation", [insert_before, delete_before, update_across])
async def test_following_the_platforms_token_skips_or_repeats_under_the_same_change(
    emulator: Emulator, mutation: Mutation
) -> None:
    names = await fetch(emulator, mutation, keyset=False)
    skipped = unchanged(names) - set(names)
    assert skipped or len(names) != len(set(names)), f"offset pages did not shift: {names}"


def test_the_next_page_asks_for_the_records_after_the_last_one() -> None:
    query = KeysetQuery.of("/hubs/crm/contacts?where=firstName like 'A%'&pageSize=50")
    assert query is not None
    after = query.after(datetime(2026, 1, 1, 0, 0, 5, 500_000, tzinfo=timezone.utc), 42)
    path, _, params = after.partition("?")
    assert path == "/hubs/crm/contacts"
    decoded = dict(httpx.QueryParams(params))
    assert decoded == {
        "pageSize": "50",
        "where": "(firstName like 'A%') and lastUpdated >= '2026-01-01T00:00:05Z' and "
        "(lastUpdated >= '2026-01-01T00:00:06Z' or id > 42)",
        "orderBy": "lastUpdated asc, id asc",
    }


@pytest.mark.parametrize("url", ["/c?orderBy=firstName asc", "/c?page=2", "/c?nextPage=t"])
def test_a_url_that_pages_or_orders_itself_is_followed_as_it_is(url: str) -> None:
    assert KeysetQuery.of(url) is None


@pytest.mark.parametrize(
    ("record", "position"),
    [
        (
            {"id": 3, "_info": {"lastUpdated": "2026-01-01T00:00:05Z"}},
            (datetime(2026, 1, 1, 0, 0, 5, tzinfo=timezone.utc), 3),
        ),
        ({"id": 3}, None),
        ({"id": True, "_info": {"lastUpdated": "2026-01-01T00:00:05Z"}}, None),
        ({"id": 3, "_info": {"lastUpdated": "yesterday"}}, None),
        ([1], None),
    ],
)
def test_a_records_position_needs_its_stamp_and_id(record: Any, position: Any) -> None:
    assert keyset_position(record) == position


async def test_a_hub_that_does_not_move_on_is_an_error_not_a_loop() -> None:
    stuck = [{"id": 1, "_info": {"lastUpdated": "2026-01-01T00:00:05Z"}}] * 2

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=stuck)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(HubError, match="cannot be continued by keyset"):
            await HubClient(client, HUB, "auth").fetch_all("/hubs/crm/contacts", 2)
