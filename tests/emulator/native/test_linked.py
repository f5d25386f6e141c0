"""No link the emulator sends leads to a 404: every `*_href` in every response answers, and so do its own links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cwmock.emulator.app import Emulator

pytestmark = pytest.mark.anyio

API = "/v4_6_release/apis/3.0"
CONTACTS = f"{API}/company/contacts"
EVERYTHING = {
    "firstName": "Mike",
    "lastName": "Evans",
    "company": {"id": 132},
    "site": {"id": 137},
    "companyLocation": {"id": 39},
    "types": [{"id": 11}],
    "communicationItems": [
        {"type": {"id": 1}, "value": "mike@example.com", "defaultFlag": True},
        {"type": {"id": 2}, "value": "555-0100", "extension": "12"},
    ],
}


def hrefs(document: Any) -> Iterator[str]:
    """Every `*_href` value anywhere in a JSON document."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key.endswith("_href") and isinstance(value, str):
                yield value
            else:
                yield from hrefs(value)
    elif isinstance(document, list):
        for item in document:
            yield from hrefs(item)


async def test_every_link_the_emulator_sends_answers(cwmock_client: httpx.AsyncClient) -> None:
    created = await cwmock_client.post(CONTACTS, json=EVERYTHING)
    assert created.status_code == 201, created.text
    starts = [CONTACTS, f"{API}/company/companies", f"{API}/company/companies/132/sites"]
    queue = [*starts, *hrefs(created.json())]
    seen: dict[str, int] = {}
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = await cwmock_client.get(url)
        seen[url] = response.status_code
        if response.headers.get("content-type", "").startswith("application/json"):
            queue.extend(hrefs(response.json()))
    broken = {url: status for url, status in seen.items() if status != 200}
    assert not broken, f"links that do not answer 200: {broken}"
    kinds = {url.split("apis/3.0//", 1)[-1].split("?")[0].rstrip("0123456789/") for url in seen}
    assert len(seen) > 30, f"the walk followed the links of contacts, companies, sites and setup tables: {kinds}"


async def test_the_contact_carries_the_links_of_the_captured_contact(cwmock_client: httpx.AsyncClient) -> None:
    """PipedreamHQ/pipedream's ConnectWise test event: 11 links, in this order, written `apis/3.0//...`."""
    contact = (await cwmock_client.post(CONTACTS, json=EVERYTHING)).json()
    base = "http://cwmock.test/v4_6_release/apis/3.0//"
    links = {key: value for key, value in contact["_info"].items() if key.endswith("_href")}
    assert list(links) == [
        "communications_href", "notes_href", "tracks_href", "portalSecurity_href", "activities_href",
        "documents_href", "configurations_href", "tickets_href", "opportunities_href", "projects_href", "image_href",
    ]  # fmt: skip
    assert all(value.startswith(base) for value in links.values())
    assert links["tickets_href"] == f"{base}service/tickets?conditions=contact/id={contact['id']}"
    assert links["image_href"].endswith(f"/image?lastModified={contact['_info']['lastUpdated']}")
    assert contact["companyLocation"] == {
        "id": 39,
        "name": "My Accounts",
        "_info": {"location_href": f"{base}system/locations/39"},
    }
    assert contact["communicationItems"][0]["type"]["_info"] == {"type_href": f"{base}company/communicationTypes/1"}
    assert len(contact["mobileGuid"]) == 36


async def test_company_and_site_info_carry_their_mobile_guid(cwmock_client: httpx.AsyncClient) -> None:
    """The captured contact's `company` and `site` `_info`: the link, then the referenced record's `mobileGuid`."""
    created = (await cwmock_client.post(CONTACTS, json=EVERYTHING)).json()
    company = (await cwmock_client.get(f"{API}/company/companies/132")).json()
    site = (await cwmock_client.get(f"{API}/company/companies/132/sites/137")).json()
    base = "http://cwmock.test/v4_6_release/apis/3.0//company/companies/132"
    for contact in (created, (await cwmock_client.get(CONTACTS)).json()[0]):
        assert list(contact["company"]["_info"].items()) == [
            ("company_href", base),
            ("mobileGuid", company["mobileGuid"]),
        ]
        assert list(contact["site"]["_info"].items()) == [
            ("site_href", f"{base}/sites/137"),
            ("mobileGuid", site["mobileGuid"]),
        ]
    assert len({company["mobileGuid"], site["mobileGuid"], created["mobileGuid"]}) == 3
    moved = [{"op": "replace", "path": "site", "value": {"id": 136}}]
    patched = (await cwmock_client.patch(f"{CONTACTS}/{created['id']}", json=moved)).json()
    other_site = (await cwmock_client.get(f"{API}/company/companies/132/sites/136")).json()
    assert patched["site"]["_info"]["mobileGuid"] == other_site["mobileGuid"] != site["mobileGuid"]


async def test_communications_list_the_contacts_items(cwmock_client: httpx.AsyncClient) -> None:
    contact = (await cwmock_client.post(CONTACTS, json=EVERYTHING)).json()
    url = f"{CONTACTS}/{contact['id']}/communications"
    listed = await cwmock_client.get(url)
    assert listed.status_code == 200
    items = listed.json()
    assert [(c["contactId"], c["value"], c["communicationType"]) for c in items] == [
        (contact["id"], "mike@example.com", "Email"),
        (contact["id"], "555-0100", "Phone"),
    ]
    assert items[1]["extension"] == "12"
    assert [c["id"] for c in items] == [c["id"] for c in contact["communicationItems"]]
    phones = await cwmock_client.get(url, params={"conditions": 'communicationType = "Phone"'})
    assert [c["value"] for c in phones.json()] == ["555-0100"]
    one = await cwmock_client.get(f"{url}/{items[0]['id']}")
    assert one.json() == items[0]
    assert (await cwmock_client.get(f"{url}/999")).status_code == 404
    assert (await cwmock_client.get(f"{CONTACTS}/999/communications")).status_code == 404


async def test_contact_types_and_communication_types_are_served(cwmock_client: httpx.AsyncClient) -> None:
    types = (await cwmock_client.get(f"{CONTACTS}/types")).json()
    assert {"id": 11, "description": "No Longer Employed"}.items() <= types[-1].items()
    one = await cwmock_client.get(f"{CONTACTS}/types/11")
    assert one.json()["description"] == "No Longer Employed"
    assert (await cwmock_client.get(f"{CONTACTS}/types/99")).status_code == 404
    email = await cwmock_client.get(f"{API}/company/communicationTypes", params={"conditions": "emailFlag = true"})
    assert [t["description"] for t in email.json()] == ["Email"]


async def test_lists_cwmock_does_not_hold_are_empty_and_need_the_contact(cwmock_client: httpx.AsyncClient) -> None:
    contact = (await cwmock_client.post(CONTACTS, json={"firstName": "Ann"})).json()
    notes = await cwmock_client.get(f"{CONTACTS}/{contact['id']}/notes")
    assert (notes.status_code, notes.json()) == (200, [])
    assert (await cwmock_client.get(f"{CONTACTS}/999/notes")).status_code == 404
    tickets = await cwmock_client.get(f"{API}/service/tickets", params={"conditions": f"contact/id={contact['id']}"})
    assert (tickets.status_code, tickets.json()) == (200, [])
    image = await cwmock_client.get(f"{CONTACTS}/{contact['id']}/image")
    assert (image.status_code, image.headers["content-type"], image.content[:4]) == (200, "image/png", b"\x89PNG")


async def test_linked_resources_need_api_keys(cwmock_emulator: Emulator) -> None:
    transport = httpx.ASGITransport(app=cwmock_emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test") as anonymous:
        for path in (f"{CONTACTS}/types", f"{API}/company/companies/132/sites", f"{API}/service/tickets"):
            assert (await anonymous.get(path)).status_code == 401, path
