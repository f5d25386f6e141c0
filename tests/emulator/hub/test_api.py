"""The Open Connectors hub view: auth by instance token, CEQL, paging by cursor and offset, served log."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.http.responses import dump_json
from cwmock.emulator.http.wire import api_base_url, render_contact
from cwmock.emulator.query.list_request import hub_list_query

from support.hub import CONFIG, HUB, START, hub_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
def emulator() -> Emulator:
    emulator = create_emulator(CONFIG, ManualClock(START))
    for n in range(12):
        emulator.store.create_contact(
            "cwmock", {"firstName": f"c{n:02d}", "lastName": None}, stamp=START - timedelta(minutes=12 - n)
        )
    emulator.store.create_contact("cloudelements", {"firstName": "other tenant"})
    return emulator


@pytest.fixture
def token(emulator: Emulator) -> str:
    return emulator.registry.create("cwmock", "hub-test", START).token


async def test_seed_style_query_returns_the_contacts_after_the_bound(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get(HUB, params={"where": "lastUpdated>'2025-12-31T23:55:00Z'"}, headers=hub_headers(token))
    assert response.status_code == 200, response.text
    assert [c["firstName"] for c in response.json()] == ["c08", "c09", "c10", "c11"]
    assert response.headers["elements-returned-count"] == "4"
    assert response.headers["elements-request-id"]
    assert all("lastName" not in c for c in response.json()), "nulls are dropped"
    assert response.json()[0]["_info"]["lastUpdated"] == "2025-12-31T23:56:00Z"


@pytest.mark.parametrize(
    "where",
    [
        "_info.lastUpdated >= '2025-12-31T23:56:00.000Z'",
        "`_info`.`lastUpdated` > '2025-12-31T23:55:59Z' AND firstName LIKE 'c%'",
        "firstName IN ('c08', 'c09', 'c10', 'c11')",
        "lastUpdated > '2025-12-31T23:55:00Z' AND lastName IS NULL",
    ],
)
async def test_ceql_spellings(client: httpx.AsyncClient, token: str, where: str) -> None:
    response = await client.get(HUB, params={"where": where}, headers=hub_headers(token))
    assert [c["firstName"] for c in response.json()] == ["c08", "c09", "c10", "c11"]


async def test_bad_ceql_is_a_400_naming_the_problem(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get(HUB, params={"where": "lastUpdated>>'x'"}, headers=hub_headers(token))
    assert response.status_code == 400
    assert "where" in response.json()["message"]
    assert "position" in response.json()["message"]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "User cwmock-user-secret, Organization cwmock-organization-secret",
        "User wrong, Organization cwmock-organization-secret, Element {token}",
        "User cwmock-user-secret, Organization cwmock-organization-secret, Element nope",
        "Bearer xyz",
    ],
)
async def test_anything_but_secrets_and_a_known_token_is_401(
    client: httpx.AsyncClient, token: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization.format(token=token)}
    response = await client.get(HUB, headers=headers)
    assert response.status_code == 401
    assert response.json()["message"]


async def test_a_token_sees_only_its_own_tenant(client: httpx.AsyncClient, emulator: Emulator, token: str) -> None:
    theirs = emulator.registry.create("cloudelements", "other", START).token
    listed = await client.get(HUB, headers=hub_headers(theirs))
    assert [c["firstName"] for c in listed.json()] == ["other tenant"]
    # Ids count per tenant: id 1 exists in both, id 5 only in cwmock.
    assert (await client.get(f"{HUB}/5", headers=hub_headers(theirs))).status_code == 404
    assert (await client.get(f"{HUB}/5", headers=hub_headers(token))).json()["firstName"] == "c04"
    assert (await client.get(f"{HUB}/1", headers=hub_headers(theirs))).json()["firstName"] == "other tenant"
    assert (await client.get(f"{HUB}/1", headers=hub_headers(token))).json()["firstName"] == "c00"


async def cursor_pages(client: httpx.AsyncClient, token: str, size: int, **params: str) -> list[list[str]]:
    pages: list[list[str]] = []
    query: dict[str, Any] = {"pageSize": size, **params}
    while True:
        response = await client.get(HUB, params=query, headers=hub_headers(token))
        assert response.status_code == 200, response.text
        pages.append([c["firstName"] for c in response.json()])
        if len(pages[-1]) < size:
            return pages
        query["nextPage"] = response.headers["elements-next-page-token"]


async def test_cursor_paging_ends_on_a_short_page(client: httpx.AsyncClient, token: str) -> None:
    pages = await cursor_pages(client, token, 5)
    assert pages == [[f"c{n:02d}" for n in range(0, 5)], [f"c{n:02d}" for n in range(5, 10)], ["c10", "c11"]]


async def test_the_token_comes_even_on_the_last_page_and_an_empty_page_ends_too(
    client: httpx.AsyncClient, token: str
) -> None:
    exact = await client.get(HUB, params={"pageSize": 12}, headers=hub_headers(token))
    assert "elements-next-page-token" in exact.headers
    after = await client.get(
        HUB,
        params={"pageSize": 12, "nextPage": exact.headers["elements-next-page-token"]},
        headers=hub_headers(token),
    )
    assert (after.json(), after.headers.get("elements-next-page-token")) == ([], None)


async def test_offset_paging_and_order_by(client: httpx.AsyncClient, token: str) -> None:
    second = await client.get(HUB, params={"page": 2, "pageSize": 5}, headers=hub_headers(token))
    assert [c["firstName"] for c in second.json()] == [f"c{n:02d}" for n in range(5, 10)]
    ordered = await client.get(HUB, params={"orderBy": "firstName desc", "pageSize": 2}, headers=hub_headers(token))
    assert [c["firstName"] for c in ordered.json()] == ["c11", "c10"]
    assert "elements-next-page-token" in ordered.headers, "the token comes with an orderBy too"


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"orderBy": "firstName asc", "nextPage": "eyJhZnRlciI6MX0"}, "keyset token"),
        ({"nextPage": "garbage!"}, "nextPage"),
        ({"pageSize": "5000"}, "pageSize"),
        ({"page": "0"}, "page"),
    ],
)
async def test_paging_errors_are_400(client: httpx.AsyncClient, token: str, params: dict[str, str], word: str) -> None:
    response = await client.get(HUB, params=params, headers=hub_headers(token))
    assert response.status_code == 400
    assert word in response.json()["message"]


async def test_fields_cut_the_records(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get(
        HUB, params={"fields": "id,_info.lastUpdated", "pageSize": 1}, headers=hub_headers(token)
    )
    assert response.json() == [{"id": 1, "_info": {"lastUpdated": "2025-12-31T23:48:00Z"}}]


async def test_every_version_served_is_logged_per_instance(
    client: httpx.AsyncClient, emulator: Emulator, token: str
) -> None:
    await client.get(HUB, params={"pageSize": 2}, headers=hub_headers(token))
    emulator.store.replace_contact("cwmock", 1, {"firstName": "changed"}, stamp=START)
    await client.get(HUB, params={"pageSize": 2}, headers=hub_headers(token))
    await client.get(f"{HUB}/2", headers=hub_headers(token))
    served = (await client.get("/__admin/instances/1/served")).json()["versions"]
    keys = [(v["id"], v["stamp"], v["times"]) for v in served]
    assert keys == [
        (1, "2025-12-31T23:48:00Z", 1),
        (2, "2025-12-31T23:49:00Z", 3),
        (1, "2026-01-01T00:00:00Z", 1),
    ]
    journal = (await client.get("/__admin/journal", params={"path": HUB})).json()["entries"]
    assert [(e["instance"], e["tenant"], e["returned"], e["resultEnd"]) for e in journal[:2]] == [
        (1, "cwmock", 2, False),
        (1, "cwmock", 2, False),
    ]
    assert served[0]["first"]["seq"] == journal[0]["seq"]


async def test_offset_paging_skips_under_drift_as_real_offset_paging_does(
    client: httpx.AsyncClient, emulator: Emulator, token: str
) -> None:
    first = await client.get(HUB, params={"page": 1, "pageSize": 5}, headers=hub_headers(token))
    emulator.store.delete_contact("cwmock", first.json()[0]["id"])
    second = await client.get(HUB, params={"page": 2, "pageSize": 5}, headers=hub_headers(token))
    seen = [c["firstName"] for c in first.json() + second.json()]
    assert "c05" not in seen, "the row that slid onto page 1 is skipped: offset paging under drift"


Op = tuple[str, int]
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 0)),
        st.tuples(st.just("update"), st.integers(1, 30)),
        st.tuples(st.just("delete"), st.integers(1, 30)),
    ),
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial=st.integers(1, 25), size=st.integers(1, 7), between=st.lists(operations, min_size=6, max_size=6))
def test_keyset_paging_never_skips_or_repeats_a_record(initial: int, size: int, between: list[list[Op]]) -> None:
    asyncio.run(_keyset_scenario(initial, size, between))


async def _keyset_scenario(initial: int, size: int, between: list[list[Op]]) -> None:
    emulator = create_emulator(replace(CONFIG, hub_paging="keyset"), ManualClock(START))
    store = emulator.store
    for n in range(initial):
        store.create_contact("cwmock", {"firstName": f"i{n}"})
    token = emulator.registry.create("cwmock", "prop", START).token
    present_at_start = {r["id"] for r in store.list_contacts("cwmock")}
    touched: set[int] = set()
    seen: list[int] = []
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        params: dict[str, Any] = {"pageSize": size, "where": "lastUpdated >= '2020-01-01T00:00:00Z'"}
        for round_ops in [*between, *([[]] * 40)]:
            response = await client.get(HUB, params=params, headers=hub_headers(token))
            assert response.status_code == 200
            page = response.json()
            seen.extend(r["id"] for r in page)
            if len(page) < size:
                break
            params["nextPage"] = response.headers["elements-next-page-token"]
            for kind, target in round_ops:
                existing = {r["id"] for r in store.list_contacts("cwmock")}
                if kind == "create":
                    touched.add(store.create_contact("cwmock", {"firstName": "new"})["id"])
                elif target in existing and kind == "update":
                    store.replace_contact("cwmock", target, {"firstName": "upd"})
                elif target in existing and kind == "delete":
                    store.delete_contact("cwmock", target)
                    touched.add(target)
    assert len(seen) == len(set(seen)), f"a record was served twice: {seen}"
    stable = present_at_start - touched
    assert stable <= set(seen), f"records present throughout were skipped: {sorted(stable - set(seen))}"


def _fresh_page(emulator: Emulator, where: str | None = None) -> bytes:
    """The page as rendering every contact afresh gives it (what the hub sent before it reused rendered bytes)."""
    base = api_base_url("http", "cw.test", CONFIG.codebase)
    records = emulator.store.list_contacts("cwmock")
    if where is not None:
        records = hub_list_query({"where": where}).apply(records)
    return dump_json([render_contact(record, base, emulator.store.reference) for record in records])


async def test_a_page_is_the_same_bytes_as_a_fresh_rendering_each_time(
    client: httpx.AsyncClient, token: str, emulator: Emulator
) -> None:
    where = "lastUpdated > '2025-12-31T23:50:00Z'"
    first = await client.get(HUB, params={"where": where}, headers=hub_headers(token))
    second = await client.get(HUB, params={"where": where}, headers=hub_headers(token))
    assert first.content == second.content == _fresh_page(emulator, where)
    shaped = await client.get(HUB, params={"where": where, "fields": "id,firstName"}, headers=hub_headers(token))
    assert shaped.json() == [{"id": c["id"], "firstName": c["firstName"]} for c in first.json()]


async def test_a_page_shows_a_write_at_once_and_a_delayed_one_once_the_clock_reaches_it(
    client: httpx.AsyncClient, token: str, emulator: Emulator
) -> None:
    before = await client.get(HUB, headers=hub_headers(token))
    target = before.json()[3]["id"]
    emulator.store.patch_contact("cwmock", target, [{"op": "replace", "path": "firstName", "value": "now"}])
    written = await client.get(HUB, headers=hub_headers(token))
    assert written.json()[3]["firstName"] == "now"
    assert written.content == _fresh_page(emulator) != before.content
    emulator.store.set_visibility_delay("cwmock", 60)
    emulator.store.patch_contact("cwmock", target, [{"op": "replace", "path": "firstName", "value": "later"}])
    assert (await client.get(HUB, headers=hub_headers(token))).content == written.content
    assert isinstance(emulator.clock, ManualClock)
    emulator.clock.set(START + timedelta(seconds=61))
    moved = await client.get(HUB, headers=hub_headers(token))
    assert moved.json()[3]["firstName"] == "later"
    assert moved.content == _fresh_page(emulator)
    one = await client.get(f"{HUB}/{target}", headers=hub_headers(token))
    assert one.json() == moved.json()[3]
