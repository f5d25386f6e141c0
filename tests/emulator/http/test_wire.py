"""Contact versions serialized once and reused: the same bytes as rendering afresh, never a stale version."""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator
from cwmock.emulator.http.responses import dump_json, json_array_response
from cwmock.emulator.http.wire import (
    BaseUrls,
    ContactRenderer,
    RenderedContacts,
    api_base_url,
    contact_links,
    mobile_guid,
    reference_links,
    render_contact,
)
from cwmock.emulator.model.contacts import FIELD_ORDER
from cwmock.emulator.model.generated import generate_contacts
from cwmock.emulator.model.reference_data import ReferenceData
from cwmock.emulator.model.store import Store

BASE = "http://cwmock.test/v4_6_release/apis/3.0"
OTHER_BASE = "https://other.example:8443/v4_6_release/apis/3.0"
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"


@pytest.fixture
def store() -> Store:
    return Store(ManualClock(datetime(2026, 1, 1, tzinfo=timezone.utc)))


def test_cached_bytes_equal_a_fresh_rendering(store: Store) -> None:
    record = store.create_contact("cwmock", {"firstName": "Ann", "company": {"id": 132}, "site": {"id": 136}})
    rendered = RenderedContacts(store.reference)
    first = rendered.json(record, BASE)
    assert first == dump_json(render_contact(record, BASE, store.reference))
    assert rendered.json(record, BASE) is first, "a second rendering of the same version reuses the bytes"


def test_a_new_version_is_rendered_afresh(store: Store) -> None:
    rendered = RenderedContacts(store.reference)
    old = store.create_contact("cwmock", {"firstName": "Ann"})
    rendered.json(old, BASE)
    new = store.patch_contact("cwmock", old["id"], [{"op": "replace", "path": "firstName", "value": "Bea"}])
    assert json.loads(rendered.json(new, BASE))["firstName"] == "Bea"
    assert json.loads(rendered.json(old, BASE))["firstName"] == "Ann"


def test_each_base_url_gets_its_own_links(store: Store) -> None:
    record = store.create_contact("cwmock", {"firstName": "Ann", "company": {"id": 132}})
    rendered = RenderedContacts(store.reference)
    rendered.json(record, BASE)
    assert rendered.json(record, OTHER_BASE) == dump_json(render_contact(record, OTHER_BASE, store.reference))
    assert rendered.json(record, BASE) == dump_json(render_contact(record, BASE, store.reference))


def test_the_cache_keeps_at_most_its_capacity(store: Store) -> None:
    rendered = RenderedContacts(store.reference, capacity=2)
    records = [store.create_contact("cwmock", {"firstName": f"N{n}"}) for n in range(3)]
    for record in records:
        rendered.json(record, BASE)
    assert len(rendered) == 2
    assert rendered.json(records[0], BASE) == dump_json(render_contact(records[0], BASE, store.reference))


@pytest.mark.parametrize("items", [[], [{"a": 1}], [{"a": 1}, {"b": [2, "ø"]}]])
def test_an_array_response_is_the_dump_of_the_list(items: list[dict[str, object]]) -> None:
    assert json_array_response([dump_json(item) for item in items]).body == dump_json(items)


@pytest.mark.anyio
async def test_a_listed_page_shows_each_contact_as_last_written(
    cwmock_client: httpx.AsyncClient, cwmock_emulator: Emulator
) -> None:
    created = [(await cwmock_client.post(CONTACTS, json={"firstName": f"N{n}"})).json() for n in range(3)]
    before = await cwmock_client.get(CONTACTS)
    assert [c["firstName"] for c in before.json()] == ["N0", "N1", "N2"]
    patch = [{"op": "replace", "path": "firstName", "value": "Changed"}]
    assert (await cwmock_client.patch(f"{CONTACTS}/{created[1]['id']}", json=patch)).status_code == 200
    after = await cwmock_client.get(CONTACTS)
    assert [c["firstName"] for c in after.json()] == ["N0", "Changed", "N2"]
    records = cwmock_emulator.store.list_contacts("cwmock")
    assert after.content == dump_json([render_contact(r, BASE, cwmock_emulator.store.reference) for r in records])
    shaped = await cwmock_client.get(CONTACTS, params={"fields": "id,firstName"})
    assert shaped.json() == [{"id": c["id"], "firstName": c["firstName"]} for c in after.json()]


def test_many_renders_each_record_as_one_would(store: Store) -> None:
    records = [store.create_contact("cwmock", {"firstName": f"N{n}", "company": {"id": 132}}) for n in range(3)]
    rendered = RenderedContacts(store.reference, capacity=2)
    once = rendered.json_many([records[0], records[1], records[0], records[2]], BASE)
    assert once == [
        dump_json(render_contact(r, BASE, store.reference)) for r in (records[0], records[1], records[0], records[2])
    ]
    assert rendered.json_many(records, OTHER_BASE) == [
        dump_json(render_contact(r, OTHER_BASE, store.reference)) for r in records
    ]
    assert len(rendered) == 2


def test_contacts_share_their_reference_parts_and_still_render_alike(store: Store) -> None:
    body = {
        "firstName": "Ann",
        "company": {"id": 132},
        "site": {"id": 136},
        "types": [{"id": 11}],
        "communicationItems": [{"type": {"id": 1}, "value": "ann@example.com"}],
    }
    first, second = store.create_contact("cwmock", body), store.create_contact("cwmock", body)
    for name in ("company", "site"):
        assert first[name] is second[name], f"{name} is one object however many contacts point at it"
    assert first["types"][0] is second["types"][0]
    assert first["communicationItems"][0]["type"] is second["communicationItems"][0]["type"]
    assert first["company"] == {
        "id": 132,
        "identifier": "EarthTrisolarisOrganization",
        "name": "Earth-Trisolaris Organization",
    }
    assert json.loads(dump_json(render_contact(second, BASE, store.reference)))["company"]["_info"][
        "company_href"
    ].endswith("/132")
    assert "_info" not in first["company"], "rendering links must not change the shared object"


@pytest.mark.parametrize(("kind", "record_id"), [("contact", 1), ("contact", 250_000), ("company", 132), ("site", 0)])
def test_a_mobile_guid_is_the_uuid5_of_its_kind_and_id(kind: str, record_id: int) -> None:
    expected = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cwmock:{kind}:{record_id}"))
    assert mobile_guid(kind, record_id) == expected


HOSTS = st.one_of(
    st.none(),
    st.sampled_from(["cwmock.test", "127.0.0.1:8000", "[::1]:8443", "[::1", "h/x", "h?q", "h#f", "", "a@b:1"]),
    st.just("caf\xe9.test"),
    st.text(st.characters(min_codepoint=0, max_codepoint=0xFF), max_size=8),
)


ORIGINS = st.tuples(
    st.sampled_from(["http", "https"]),
    HOSTS,
    # Starlette's test client gives the server address as a list.
    st.sampled_from(
        [None, ("127.0.0.1", 80), ("127.0.0.1", 443), ("10.0.0.1", 8000), ("::1", 9000), ["testserver", 80]]
    ),
    st.sampled_from(["/", "/elements/api-v2/hubs/crm/contacts", "//x", "/a?b"]),
    st.sampled_from([b"", b"where=id%20%3E%201", b"a=%ZZ"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ORIGINS, min_size=1, max_size=6))
def test_base_urls_are_what_request_url_gives(
    requests: list[tuple[str, str | None, tuple[str, int] | list[object] | None, str, bytes]],
) -> None:
    """The API root kept per origin is the one `request.url` gives, for any Host header, server and path."""
    kept = BaseUrls("v4_6_release/")
    for scheme, host, server, path, query in requests * 2:  # the first time builds it, the second reads it back
        headers = [] if host is None else [(b"host", host.encode("latin-1"))]  # as a server reads header bytes
        scope: dict[str, Any] = {"type": "http", "scheme": scheme, "server": server, "path": path}
        scope.update(query_string=query, headers=headers)
        try:
            url = Request(scope).url
            want = api_base_url(url.scheme, url.netloc, "v4_6_release/")
        except ValueError as exc:
            with pytest.raises(ValueError, match=re.escape(str(exc))):
                kept.of(Request(scope))
        else:
            assert kept.of(Request(scope)) == want


def test_base_urls_tell_origins_apart() -> None:
    kept = BaseUrls("v4_6_release/")
    scopes = [
        {"type": "http", "scheme": s, "server": ("127.0.0.1", 80), "path": "/", "headers": h, "query_string": b""}
        for s in ("http", "https")
        for h in ([], [(b"host", b"a.test")], [(b"host", b"b.test:81")], [(b"host", b"b.test:81"), (b"host", b"c")])
    ]
    assert [kept.of(Request(scope)) for scope in scopes * 2] == [
        f"{scheme}://{host}/v4_6_release/apis/3.0"
        for scheme in ("http", "https")
        for host in ("127.0.0.1" if scheme == "http" else "127.0.0.1:80", "a.test", "b.test:81", "b.test:81")
    ] * 2


def reference_render(record: Mapping[str, Any], base_url: str, reference: ReferenceData) -> dict[str, Any]:
    """`render_contact` as it was before `ContactRenderer` kept rendered reference rows: what it must still give."""
    links = reference_links(base_url)
    wire: dict[str, Any] = {}
    for key, value in record.items():
        if key in AFTER_MOBILE_GUID and "mobileGuid" not in wire:
            wire["mobileGuid"] = record.get("mobileGuid") or mobile_guid("contact", record["id"])
        if key == "company":
            guid = reference.mobile_guid(value["id"])
            info = links[key](value)
            value = {**value, "_info": {**info, "mobileGuid": guid} if guid else info}
        elif key == "companyLocation":
            value = {**value, "_info": links[key](value)}
        elif key == "site" and "company" in record:
            company_id = record["company"]["id"]
            info = {"site_href": f"{base_url}//company/companies/{company_id}/sites/{value['id']}"}
            guid = reference.mobile_guid(company_id, value["id"])
            value = {**value, "_info": {**info, "mobileGuid": guid} if guid else info}
        elif key == "types":
            value = [{**item, "_info": links["types"](item)} for item in value]
        elif key == "communicationItems":
            typed = links["communicationType"]
            value = [{**item, "type": {**item["type"], "_info": typed(item["type"])}} for item in value]
        elif key == "_info":
            value = {**value, **contact_links(base_url, record["id"], value["lastUpdated"])}
        wire[key] = value
    return wire


AFTER_MOBILE_GUID = frozenset(FIELD_ORDER[FIELD_ORDER.index("mobileGuid") + 1 :]) | {"_info"}


@functools.cache
def stored_contacts() -> tuple[ReferenceData, list[dict[str, Any]]]:
    store = Store(ManualClock(datetime(2026, 1, 1, tzinfo=timezone.utc)))
    records = [store.create_contact("cwmock", body) for body in generate_contacts(40, store.reference)]
    extra = {"firstName": "Bo", "companyLocation": {"id": 2}, "types": [{"id": 1}]}
    records.append(store.create_contact("cwmock", extra))
    return store.reference, records


@st.composite
def contact_variants(draw: st.DrawFn) -> dict[str, Any]:
    """A stored contact, its keys reordered or dropped, its `mobileGuid` and references varied (fresh objects too)."""
    record = dict(draw(st.sampled_from(stored_contacts()[1])))
    keys = draw(st.permutations(list(record)))
    keys = [key for key in keys if key in ("id", "_info") or draw(st.booleans()) or key in ("company", "site")]
    varied = {key: record[key] for key in keys}
    guid = draw(st.sampled_from(["absent", None, "", "stored-guid"]))
    if guid != "absent":
        varied["mobileGuid"] = guid
    for key in ("company", "site"):
        if key in varied and draw(st.booleans()):
            varied[key] = {**varied[key]}  # a copy: the same row as another object
        if key in varied and draw(st.booleans()):
            varied[key] = {**varied[key], "id": draw(st.sampled_from([2, 132, 999_999]))}
    if "site" in varied and draw(st.booleans()):
        varied.pop("company", None)  # a site without its company renders as stored
    return dict(draw(st.permutations(list(varied.items()))))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(contact_variants(), min_size=1, max_size=8),
    st.sampled_from([BASE, OTHER_BASE]),
    st.sampled_from([1, 4096]),
)
def test_a_renderer_renders_as_render_contact_did(records: list[dict[str, Any]], base: str, kept: int) -> None:
    """`ContactRenderer` (one per base URL, reused) and `render_contact` give the same bytes as before, whatever the
    key order, the `mobileGuid`, the reference rows (shared, copied, unknown) and however full its memo is."""
    reference = stored_contacts()[0]
    renderer = ContactRenderer(base, reference)
    renderer.MAX_REFERENCES = kept
    for record in records * 2:
        expected = dump_json(reference_render(record, base, reference))
        assert dump_json(renderer.render(record)) == expected
        assert dump_json(render_contact(record, base, reference)) == expected
