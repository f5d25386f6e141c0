"""Contacts and companies as they go on the wire: stored records plus `*_href` links for the caller's host."""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.requests import Request

from cwmock.emulator.http.responses import dump_json
from cwmock.emulator.model.contacts import FIELD_ORDER, Record
from cwmock.emulator.model.reference_data import Company, ReferenceData

DEFAULT_RENDER_CACHE_SIZE = 20_000


def api_base_url(scheme: str, host: str, codebase: str) -> str:
    """`https://host/v4_6_release/apis/3.0` for the host and codebase a client used."""
    return f"{scheme}://{host}/{codebase}apis/3.0"


class BaseUrls:
    """`api_base_url` of the scheme and host a request was addressed to (`request.url`), kept per origin.

    Starlette builds `request.url` from the scope's scheme, its first `Host` header (else the server's address) and
    the path, and parses it again for `netloc`: about 8 µs a request, for a text that depends on the scheme, the
    `Host` header and the server address alone (the path only follows the host). So it is built once per origin,
    for the last `MAX_ORIGINS` origins.
    """

    MAX_ORIGINS = 64

    def __init__(self, codebase: str) -> None:
        self.codebase = codebase
        self._by_origin: dict[tuple[object, ...], str] = {}

    def of(self, request: Request) -> str:
        """The API root as the client addressed it: `api_base_url(request.url.scheme, request.url.netloc, ...)`."""
        scope = request.scope
        host = next((value for key, value in scope["headers"] if key == b"host"), None)
        server = scope.get("server")  # a [host, port] pair, as a tuple or (Starlette's test client) a list
        origin = (scope.get("scheme", "http"), host, tuple(server) if isinstance(server, list) else server)
        try:
            found = self._by_origin.get(origin)
        except TypeError:  # a server address no ASGI server sends: answered, not kept
            return api_base_url(request.url.scheme, request.url.netloc, self.codebase)
        if found is None:
            found = api_base_url(request.url.scheme, request.url.netloc, self.codebase)
            if len(self._by_origin) >= self.MAX_ORIGINS:
                del self._by_origin[next(iter(self._by_origin))]
            self._by_origin[origin] = found
        return found


def reference_links(base_url: str) -> dict[str, Callable[[Mapping[str, Any]], dict[str, str]]]:
    """The nested `_info` of each kind of reference, as real responses carry it (PipedreamHQ/pipedream's captured
    contact): the referenced record's link, written with the real server's doubled slash (`apis/3.0//company/...`)."""
    return {
        "company": lambda ref: {"company_href": f"{base_url}//company/companies/{ref['id']}"},
        "companyLocation": lambda ref: {"location_href": f"{base_url}//system/locations/{ref['id']}"},
        "territory": lambda ref: {"location_href": f"{base_url}//system/locations/{ref['id']}"},
        "types": lambda ref: {"type_href": f"{base_url}//company/contacts/types/{ref['id']}"},
        "communicationType": lambda ref: {"type_href": f"{base_url}//company/communicationTypes/{ref['id']}"},
        "status": lambda ref: {"status_href": f"{base_url}//company/companies/statuses/{ref['id']}"},
        "companyTypes": lambda ref: {"type_href": f"{base_url}//company/companies/types/{ref['id']}"},
    }


def _linked(reference: Mapping[str, Any], info: dict[str, str]) -> Record:
    return {**reference, "_info": info}


def contact_links(base_url: str, contact_id: int, last_updated: str) -> dict[str, str]:
    """A contact's own `_info` links, in the order of the captured contact (PipedreamHQ/pipedream)."""
    contact = f"{base_url}//company/contacts/{contact_id}"
    by_contact = f"conditions=contact/id={contact_id}"
    return {
        "communications_href": f"{contact}/communications",
        "notes_href": f"{contact}/notes",
        "tracks_href": f"{contact}/tracks",
        "portalSecurity_href": f"{contact}/portalSecurity",
        "activities_href": f"{base_url}//sales/activities?{by_contact}",
        "documents_href": f"{base_url}//system/documents?recordType=Contact&recordId={contact_id}",
        "configurations_href": f"{base_url}//company/configurations?{by_contact}",
        "tickets_href": f"{base_url}//service/tickets?{by_contact}",
        "opportunities_href": f"{base_url}//sales/opportunities?{by_contact}",
        "projects_href": f"{base_url}//project/projects?{by_contact}",
        "image_href": f"{contact}/image?lastModified={last_updated}",
    }


_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes


def mobile_guid(kind: str, record_id: int) -> str:
    """The `mobileGuid` ConnectWise gives every record: here derived from the record's kind and id, so it is stable.

    It is `str(uuid.uuid5(uuid.NAMESPACE_URL, f"cwmock:{kind}:{record_id}"))` (RFC 4122, section 4.3), written out:
    every contact rendered computes one, and building the `UUID` object costs twice the hash.
    """
    name = f"cwmock:{kind}:{record_id}".encode()
    digest = bytearray(hashlib.sha1(_URL_NAMESPACE + name, usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_AFTER_MOBILE_GUID = frozenset(FIELD_ORDER[FIELD_ORDER.index("mobileGuid") + 1 :]) | {"_info"}


def _with_guid(info: dict[str, str], guid: str | None) -> dict[str, str]:
    return {**info, "mobileGuid": guid} if guid else info


def render_contact(record: Mapping[str, Any], base_url: str, reference: ReferenceData) -> Record:
    """The stored contact as ConnectWise sends it: a `mobileGuid`, nested `_info` on references, `_info` links.

    The `_info` of `company` and `site` also carries the referenced record's own `mobileGuid`, after its link, as
    in PipedreamHQ/pipedream's captured contact (docs/fidelity.md#contact-shape).
    """
    return ContactRenderer(base_url, reference).render(record)


# The keys whose values render differently from how they are stored (the rest are copied as they are).
_LINKED_KEYS = frozenset({"company", "companyLocation", "site", "types", "communicationItems", "_info"})


class ContactRenderer:
    """`render_contact` for one base URL, reusing what contacts share: the rendered `company`, `site` and
    `companyLocation` of the reference rows contacts embed (one object per row, `ReferenceData.embedded`).

    A rendered reference is kept by the `id()` of the stored object it renders, with that object, so the `id()`
    cannot be another object's while it is kept; stored records (and the rows they embed) are never changed in
    place. At most `MAX_REFERENCES` are kept (then the memo starts afresh): a fixture has a few dozen rows.
    """

    MAX_REFERENCES = 4_096

    def __init__(self, base_url: str, reference: ReferenceData) -> None:
        self.base_url = base_url
        self.reference = reference
        self.links = reference_links(base_url)
        self._references: dict[tuple[str, int, object], tuple[Mapping[str, Any], Record]] = {}

    def render(self, record: Mapping[str, Any]) -> Record:
        """`record` as ConnectWise sends it (see `render_contact`)."""
        wire: Record = {}
        guid_missing = True  # "mobileGuid" not in wire
        for key, value in record.items():
            if guid_missing:
                if key in _AFTER_MOBILE_GUID:
                    wire["mobileGuid"] = record.get("mobileGuid") or mobile_guid("contact", record["id"])
                    guid_missing = False
                elif key == "mobileGuid":
                    guid_missing = False
            if key in _LINKED_KEYS:
                value = self._linked_value(record, key, value)
            wire[key] = value
        return wire

    def _linked_value(self, record: Mapping[str, Any], key: str, value: Any) -> Any:
        links = self.links
        if key == "company" or key == "companyLocation":
            return self._kept(key, value, None)
        if key == "site":
            return self._kept(key, value, record["company"]["id"]) if "company" in record else value
        if key == "types":
            return [_linked(item, links["types"](item)) for item in value]
        if key == "communicationItems":
            typed = links["communicationType"]
            return [{**item, "type": _linked(item["type"], typed(item["type"]))} for item in value]
        return {**value, **contact_links(self.base_url, record["id"], value["lastUpdated"])}  # _info

    def _kept(self, key: str, value: Mapping[str, Any], company_id: Any) -> Record:
        memo = (key, id(value), company_id)
        found = self._references.get(memo)
        if found is not None and found[0] is value:
            return found[1]
        rendered = self._reference_value(key, value, company_id)
        if len(self._references) >= self.MAX_REFERENCES:
            self._references.clear()
        self._references[memo] = (value, rendered)
        return rendered

    def _reference_value(self, key: str, value: Mapping[str, Any], company_id: Any) -> Record:
        reference = self.reference
        if key == "company":
            return _linked(value, _with_guid(self.links[key](value), reference.mobile_guid(value["id"])))
        if key == "companyLocation":
            return _linked(value, self.links[key](value))
        href = f"{self.base_url}//company/companies/{company_id}/sites/{value['id']}"  # site
        return _linked(value, _with_guid({"site_href": href}, reference.mobile_guid(company_id, value["id"])))


def render_communication(item: Mapping[str, Any], contact: Mapping[str, Any], base_url: str) -> Record:
    """One communication item as `GET /company/contacts/{id}/communications` lists it (ContactCommunication)."""
    links = reference_links(base_url)
    wire: Record = {"id": item["id"], "contactId": contact["id"]}
    for key, value in item.items():
        if key == "type":
            wire[key] = _linked(value, links["communicationType"](value))
        elif key != "id":
            wire[key] = value
    info = contact["_info"]
    wire["_info"] = {
        "lastUpdated": info["lastUpdated"],
        "updatedBy": info["updatedBy"],
        "contact_href": f"{base_url}//company/contacts/{contact['id']}",
    }
    return wire


class RenderedContacts:
    """Each stored contact version's wire JSON, serialized once per base URL and then reused.

    Stored records are never changed in place (every write stores a new one), so a record object identifies a
    version. The cache holds each record it rendered, which keeps the record's `id()` from being reused by another
    object while its bytes are cached: a cached `id()` can only be that very record, so a page is looked up by `id()`
    alone, in C. The oldest record goes when `capacity` is reached, so memory stays bounded however many contacts a
    client walks through; so does the number of base URLs (hosts a client addressed) kept at once.
    """

    MAX_BASE_URLS = 4

    def __init__(self, reference: ReferenceData, capacity: int = DEFAULT_RENDER_CACHE_SIZE) -> None:
        self.reference = reference
        self.capacity = capacity
        # First in, first out. An OrderedDict, not a dict: `next(iter(a_dict))` walks past every slot the evictions
        # emptied at the front, thousands once the cache is full (8.6 µs an insertion at 20,000, against 0.9 µs).
        self._held: OrderedDict[int, Mapping[str, Any]] = OrderedDict()
        self._by_base: dict[str, dict[int, bytes]] = {}
        self._renderers: dict[str, ContactRenderer] = {}  # one per base URL in `_by_base`

    def __len__(self) -> int:
        return len(self._held)

    def json(self, record: Mapping[str, Any], base_url: str) -> bytes:
        """`dump_json(render_contact(record, base_url, reference))`, from the cache when this version was rendered."""
        return self.json_many([record], base_url)[0]

    def json_many(self, records: Sequence[Mapping[str, Any]], base_url: str) -> list[bytes]:
        """`json` of each record: a page is a thousand of them, so hits are looked up in C and only misses rendered."""
        cache = self._by_base.get(base_url)
        if cache is None:
            cache = self._new_base(base_url)
        found: list[bytes | None] = list(map(cache.get, map(id, records)))
        if not all(found):  # wire JSON is never empty: a falsy entry is a miss
            for index, record in enumerate(records):
                if found[index] is None:
                    found[index] = self._render(record, base_url, cache)
        return found  # type: ignore[return-value]  # every None was replaced

    def json_list(
        self, records: Sequence[Mapping[str, Any]], base_url: str, shape: Callable[[Record], Record] | None = None
    ) -> list[bytes]:
        """Each record's wire JSON for a list page: `json_many`'s cached bytes, or with `shape` (a `fields`
        selection) each rendering shaped and dumped afresh (not cached: the selection varies)."""
        if shape is None:
            return self.json_many(records, base_url)
        if base_url not in self._by_base:
            self._new_base(base_url)
        renderer = self._renderers[base_url]
        return [dump_json(shape(renderer.render(record))) for record in records]

    def _new_base(self, base_url: str) -> dict[int, bytes]:
        if len(self._by_base) >= self.MAX_BASE_URLS:
            oldest = next(iter(self._by_base))
            del self._by_base[oldest], self._renderers[oldest]
        cache: dict[int, bytes] = {}
        self._by_base[base_url] = cache
        self._renderers[base_url] = ContactRenderer(base_url, self.reference)
        return cache

    def _render(self, record: Mapping[str, Any], base_url: str, cache: dict[int, bytes]) -> bytes:
        key = id(record)
        rendered = dump_json(self._renderers[base_url].render(record))
        if key not in self._held:
            if len(self._held) >= self.capacity:
                oldest, _ = self._held.popitem(last=False)
                for other in self._by_base.values():
                    other.pop(oldest, None)
            self._held[key] = record
        cache[key] = rendered
        return rendered


def render_company(company: Company, base_url: str) -> Record:
    """A company as `GET /company/companies` lists it: references with their `_info` links, and its own."""
    links = reference_links(base_url)
    wire: Record = {}
    for key, value in company.record.items():
        if key in ("status", "territory"):
            value = _linked(value, links[key](value))
        elif key == "types":
            value = [_linked(item, links["companyTypes"](item)) for item in value]
        elif key == "_info":
            value = {
                **value,
                "sites_href": f"{base_url}//company/companies/{company.id}/sites",
                "contacts_href": f"{base_url}//company/contacts?conditions=company/id={company.id}",
            }
        wire[key] = value
    return wire


def render_site(site: Mapping[str, Any], base_url: str) -> Record:
    """A company's site as `GET /company/companies/{id}/sites` lists it, its company linked."""
    company = site["company"]
    return {**site, "company": _linked(company, reference_links(base_url)["company"](company))}
