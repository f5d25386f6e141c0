"""Hub paging against respx routes: cursor tokens, offset fallback, the end of a result, errors, the Date (the
platform's own paging, so keyset paging through `where` is off: tests/poller/test_keyset.py tests that)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import respx

from cwmock.poller import hub_client
from cwmock.poller.hub_client import HubClient, HubError

pytestmark = pytest.mark.anyio

HUB = "http://hub.test/elements/api-v2"
AUTH = "User u, Organization o, Element e"
DATE = "Thu, 01 Jan 2026 00:15:00 GMT"


def records(first: int, count: int) -> list[dict[str, Any]]:
    return [{"id": n} for n in range(first, first + count)]


async def test_cursor_paging_follows_tokens_until_a_short_page() -> None:
    pages = {None: (records(1, 2), "t1"), "t1": (records(3, 2), "t2"), "t2": (records(5, 1), "t3")}

    def answer(request: httpx.Request) -> httpx.Response:
        body, token = pages[request.url.params.get("nextPage")]
        return httpx.Response(200, json=body, headers={"elements-next-page-token": token, "Date": DATE})

    with respx.mock(assert_all_called=True) as router:
        route = router.get(url__startswith=f"{HUB}/hubs/crm/contacts").mock(side_effect=answer)
        async with httpx.AsyncClient() as client:
            hub = HubClient(client, HUB, AUTH, keyset=False)
            result = await hub.fetch_all("/hubs/crm/contacts?where=a%3E1", 2)
    assert [r["id"] for r in result.records] == [1, 2, 3, 4, 5]
    assert route.call_count == 3
    urls = [str(call.request.url) for call in route.calls]
    assert urls == [
        f"{HUB}/hubs/crm/contacts?where=a%3E1&pageSize=2",
        f"{HUB}/hubs/crm/contacts?where=a%3E1&pageSize=2&nextPage=t1",
        f"{HUB}/hubs/crm/contacts?where=a%3E1&pageSize=2&nextPage=t2",
    ]
    assert all(call.request.headers["Authorization"] == AUTH for call in route.calls)
    assert result.server_date == datetime(2026, 1, 1, 0, 15, tzinfo=timezone.utc)


async def test_a_full_last_page_with_a_token_is_followed_by_an_empty_page() -> None:
    with respx.mock() as router:
        route = router.get(url__startswith=HUB).mock(
            side_effect=[
                httpx.Response(200, json=records(1, 2), headers={"elements-next-page-token": "t1"}),
                httpx.Response(200, json=[], headers={}),
            ]
        )
        async with httpx.AsyncClient() as client:
            result = await HubClient(client, HUB, AUTH, keyset=False).fetch_all("/hubs/crm/contacts", 2)
    assert len(result.records) == 2
    assert route.call_count == 2
    assert route.calls.last.request.url.params["nextPage"] == "t1"


async def test_without_tokens_offset_pages_are_the_fallback() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json=records(page * 10, 3 if page < 3 else 1))

    with respx.mock() as router:
        route = router.get(url__startswith=HUB).mock(side_effect=answer)
        async with httpx.AsyncClient() as client:
            result = await HubClient(client, HUB, AUTH).fetch_all("/hubs/crm/contacts?orderBy=id%20asc", 3)
    assert [call.request.url.params.get("page") for call in route.calls] == [None, "2", "3"]
    assert len(result.records) == 7
    assert result.server_date is None


async def test_a_page_size_in_the_template_is_kept() -> None:
    with respx.mock() as router:
        route = router.get(url__startswith=HUB).mock(return_value=httpx.Response(200, json=[]))
        async with httpx.AsyncClient() as client:
            await HubClient(client, HUB, AUTH).fetch_all("/hubs/crm/contacts?pageSize=7", None)
    assert route.calls.last.request.url.params.get_list("pageSize") == ["7"]


@pytest.mark.parametrize(
    ("responses", "problem"),
    [
        ([httpx.Response(500, text="boom")], "answered 500"),
        ([httpx.Response(200, json={"not": "a list"})], "expected a JSON array"),
        ([httpx.Response(200, text="<html>")], "did not answer JSON"),
        ([httpx.ConnectError("refused")], "ConnectError"),
        (
            [
                httpx.Response(200, json=records(1, 2), headers={"elements-next-page-token": "t"}),
                httpx.Response(200, json=records(3, 2), headers={"elements-next-page-token": "t"}),
            ],
            "repeated the page token",
        ),
        (
            [
                httpx.Response(200, json=records(1, 2), headers={"elements-next-page-token": "t"}),
                httpx.Response(200, json=records(3, 2)),
            ],
            "carried no elements-next-page-token",
        ),
    ],
)
async def test_an_unfinished_result_is_an_error(responses: list[Any], problem: str) -> None:
    with respx.mock() as router:
        router.get(url__startswith=HUB).mock(side_effect=responses)
        async with httpx.AsyncClient() as client:
            with pytest.raises(HubError, match=problem):
                await HubClient(client, HUB, AUTH, keyset=False).fetch_all("/hubs/crm/contacts", 2)


async def test_a_result_that_never_ends_is_cut_off() -> None:
    with respx.mock() as router:
        router.get(url__startswith=HUB).mock(return_value=httpx.Response(200, json=records(1, 2)))
        async with httpx.AsyncClient() as client:
            with pytest.raises(HubError, match="gave up after 5 pages"):
                await HubClient(client, HUB, AUTH, max_pages=5, keyset=False).fetch_all("/hubs/crm/contacts", 2)


async def test_the_next_page_is_asked_for_before_this_pages_records_are_read() -> None:
    """The hub serves page n+1 while the poller reads page n (keyset paging: the next address is the last id)."""
    events: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        events.append(f"asked {len(events)}")
        first = 1 + 2 * sum(event.startswith("asked") for event in events[:-1])
        return httpx.Response(200, json=records(first, 2 if first < 5 else 1))

    def read_page(page: list[Any], texts: list[str] | None) -> None:
        assert texts is not None
        assert [json.loads(text) for text in texts] == page, "each record's text as served"
        events.append(f"read {[r['id'] for r in page]}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        result = await HubClient(client, HUB, AUTH).fetch_all("/hubs/crm/contacts?where=a%3E1", 2, read_page)
    assert [e.split()[0] for e in events] == ["asked", "asked", "read", "asked", "read", "read"]
    assert [e for e in events if e.startswith("read")] == ["read [1, 2]", "read [3, 4]", "read [5]"]
    assert (result.pages, result.served) == (3, 5)


async def test_a_page_asked_for_ahead_is_dropped_when_reading_fails() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json=records(1 + 2 * (len(asked) - 1), 2))

    def read_page(page: list[Any], texts: list[str] | None) -> None:
        raise RuntimeError("the reader broke")

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(RuntimeError, match="the reader broke"):
            await HubClient(client, HUB, AUTH).fetch_all("/hubs/crm/contacts?where=a%3E1", 2, read_page)
    assert len(asked) == 2, "the second page was asked for ahead, then no more"


async def test_the_never_ending_guard_counts_records_when_pages_are_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """10,000 pages or 10,000,000 records, whichever is more pages: pages of 10 read a 100,000-record burst."""
    monkeypatch.setattr(hub_client, "DEFAULT_MAX_PAGES", 3)
    monkeypatch.setattr(hub_client, "DEFAULT_MAX_RECORDS", 20)

    def answer(request: httpx.Request) -> httpx.Response:
        after = int(request.url.params["where"].rsplit(">", 1)[1]) if "id >" in request.url.params["where"] else 0
        return httpx.Response(200, json=records(after + 1, 2 if after < 14 else 1))

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        result = await HubClient(client, HUB, AUTH).fetch_all("/hubs/crm/contacts?where=a%3E1", 2)
        assert (result.pages, result.served) == (8, 15), "20 records' worth is 10 pages of 2, above the 3 pages"
        with pytest.raises(HubError, match="gave up after 3 pages"):  # a limit given is the limit
            await HubClient(client, HUB, AUTH, max_pages=3).fetch_all("/hubs/crm/contacts?where=a%3E1", 2)
