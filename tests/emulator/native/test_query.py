"""Conditions, orderBy, fields and forward-only paging through the native API."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from cwmock.emulator.app import Emulator

pytestmark = pytest.mark.anyio

CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
BASE = datetime(2025, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def people(cwmock_emulator: Emulator) -> Emulator:
    rows = [
        ("Mike", "Evans", 132, 0),
        ("Ye", "Wenjie", 132, 10),
        ("Wile", "Coyote", 250, 20),
        ("Hank", "Scorpio", 310, 30),
        ("mike", "O'Neil", 250, 40),
    ]
    for first, last, company, seconds in rows:
        cwmock_emulator.store.create_contact(
            "cwmock",
            {"firstName": first, "lastName": last, "company": {"id": company}},
            stamp=BASE + timedelta(seconds=seconds),
        )
    return cwmock_emulator


async def names(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(CONTACTS, params=params)
    assert response.status_code == 200, response.text
    return [f"{c.get('firstName')} {c.get('lastName')}" for c in response.json()]


async def test_conditions_filter_the_list_and_the_count(cwmock_client: httpx.AsyncClient, people: Emulator) -> None:
    assert await names(cwmock_client, conditions="lastUpdated > [2025-01-01T00:00:20Z]") == [
        "Hank Scorpio",
        "mike O'Neil",
    ]
    assert await names(cwmock_client, conditions='firstName = "MIKE" and company/id = 250') == ["mike O'Neil"]
    assert await names(cwmock_client, conditions="company/id in (132, 310) and lastName like 'W*'") == ["Ye Wenjie"]
    count = await cwmock_client.get(f"{CONTACTS}/count", params={"conditions": "company/id = 132"})
    assert count.json() == {"count": 2}


async def test_a_raw_plus_in_a_bracketed_date_arrives_as_a_space(
    cwmock_client: httpx.AsyncClient, people: Emulator
) -> None:
    raw = "/v4_6_release/apis/3.0/company/contacts?conditions=lastUpdated%20%3E%20[2025-01-01T02:00:30+02:00]"
    response = await cwmock_client.get(raw)
    assert [c["lastName"] for c in response.json()] == ["O'Neil"]
    encoded = await names(cwmock_client, conditions="lastUpdated > [2025-01-01T02:00:30+02:00]")
    assert encoded == ["mike O'Neil"]


async def test_bad_conditions_are_a_400_naming_token_and_position(
    cwmock_client: httpx.AsyncClient, people: Emulator
) -> None:
    response = await cwmock_client.get(CONTACTS, params={"conditions": "lastNam = 'x'"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "InvalidObject"
    assert body["errors"][0]["field"] == "conditions"
    assert "position 0" in body["errors"][0]["message"]
    assert "lastNam" in body["errors"][0]["message"]
    broken = await cwmock_client.get(CONTACTS, params={"conditions": "firstName = "})
    assert broken.status_code == 400


async def test_order_by_several_keys_and_fields(cwmock_client: httpx.AsyncClient, people: Emulator) -> None:
    ordered = await cwmock_client.get(CONTACTS, params={"orderBy": "firstName desc, id asc", "fields": "id,firstName"})
    assert ordered.json() == [
        {"id": 2, "firstName": "Ye"},
        {"id": 3, "firstName": "Wile"},
        {"id": 1, "firstName": "Mike"},
        {"id": 5, "firstName": "mike"},
        {"id": 4, "firstName": "Hank"},
    ]
    nested = await cwmock_client.get(f"{CONTACTS}/1", params={})
    assert "company" in nested.json()
    partial = await cwmock_client.get(CONTACTS, params={"fields": "company/id,_info/lastUpdated", "pageSize": 1})
    assert partial.json() == [{"company": {"id": 132}, "_info": {"lastUpdated": "2025-01-01T00:00:00Z"}}]
    bad = await cwmock_client.get(CONTACTS, params={"orderBy": "shoeSize asc"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "orderBy")


async def test_forward_only_paging_follows_the_link_header(cwmock_client: httpx.AsyncClient, people: Emulator) -> None:
    headers = {"pagination-type": "forward-only"}
    url: str | None = f"{CONTACTS}?pageSize=2&conditions=lastUpdated%20>%20[2024-01-01T00:00:00Z]"
    pages = []
    while url is not None:
        response = await cwmock_client.get(url, headers=headers)
        assert response.status_code == 200
        assert "link" in response.headers, "the Developer Guide: there will always be a link header"
        pages.append([c["id"] for c in response.json()])
        match = re.fullmatch(r'<http://cwmock\.test([^>]*)>; rel="next"', response.headers["link"])
        if match is None:
            assert (response.headers["link"], pages[-1]) == ("", []), "only an empty page ends the chain"
            url = None
        else:
            url = match.group(1)
            assert "conditions=" in url, "the next URL keeps the original query"
            assert url.endswith(f"pageId={pages[-1][-1]}"), "the next pageId is the last id of this page"
    assert pages == [[1, 2], [3, 4], [5], []]


async def test_forward_only_sends_a_link_on_the_first_page_even_when_it_is_the_last(
    cwmock_client: httpx.AsyncClient, people: Emulator
) -> None:
    """christaylorcodes/ConnectWiseManageAPI (Invoke-CWMAllResult) reports an error when the first page has none."""
    response = await cwmock_client.get(CONTACTS, params={"pageSize": 1000}, headers={"pagination-type": "forward-only"})
    assert response.headers["link"].endswith(f'pageId={response.json()[-1]["id"]}>; rel="next"')


async def test_forward_only_refuses_order_by(cwmock_client: httpx.AsyncClient, people: Emulator) -> None:
    response = await cwmock_client.get(
        CONTACTS, params={"orderBy": "lastName asc"}, headers={"pagination-type": "forward-only"}
    )
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "orderBy")


async def test_a_quoted_datetime_is_a_400_giving_the_bracketed_spelling(
    cwmock_client: httpx.AsyncClient, people: Emulator
) -> None:
    response = await cwmock_client.get(CONTACTS, params={"conditions": 'lastUpdated > "2025-01-01T00:00:20Z"'})
    assert response.status_code == 400
    assert "_info/lastUpdated > [2025-01-01T00:00:20Z]" in response.json()["errors"][0]["message"]


async def test_custom_field_conditions_need_one_custom_field_to_satisfy_them(cwmock_client: httpx.AsyncClient) -> None:
    """PSA Developer Guide: `customFieldConditions=caption="TomNumber" AND value !=null`."""
    tom = {"id": 5, "caption": "TomNumber", "type": "Text", "entryMethod": "EntryField", "value": "42"}
    other = {"id": 6, "caption": "Colour", "type": "Text", "entryMethod": "EntryField", "value": "red"}
    blank = {"id": 5, "caption": "TomNumber", "type": "Text", "entryMethod": "EntryField"}
    for name, fields in (("Tom", [tom, other]), ("Blank", [blank, other]), ("None", [])):
        assert (await cwmock_client.post(CONTACTS, json={"firstName": name, "customFields": fields})).status_code == 201

    async def matching(text: str) -> list[str]:
        response = await cwmock_client.get(CONTACTS, params={"customFieldConditions": text})
        assert response.status_code == 200, response.text
        return [c["firstName"] for c in response.json()]

    assert await matching('caption="TomNumber" AND value !=null') == ["Tom"]
    assert await matching('caption = "TomNumber"') == ["Tom", "Blank"]
    assert await matching('caption = "Colour" and value = "42"') == [], "one custom field must satisfy the whole"
    assert await matching("id = 6 and value like 'r*'") == ["Tom", "Blank"]
    count = await cwmock_client.get(f"{CONTACTS}/count", params={"customFieldConditions": 'value = "42"'})
    assert count.json() == {"count": 1}
    bad = await cwmock_client.get(CONTACTS, params={"customFieldConditions": "colour = 'red'"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "customFieldConditions")
