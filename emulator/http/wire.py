"""Contacts and companies as they go on the wire: stored records plus `*_href` links for the caller's host."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cwmock.emulator.http.responses import dump_json
from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.reference_data import Company

DEFAULT_RENDER_CACHE_SIZE = 20_000


def api_base_url(scheme: str, host: str, codebase: str) -> str:
    """`https://host/v4_6_release/apis/3.0` for the host and codebase a client used."""
    return f"{scheme}://{host}/{codebase}apis/3.0"


def render_contact(record: Mapping[str, Any], base_url: str) -> Record:
    """The stored contact with ConnectWise's `_info` links added."""
    wire = dict(record)
    company = wire.get("company")
    if company is not None:
        # Real responses carry the doubled slash in reference links: ".../apis/3.0//company/companies/132".
        wire["company"] = {
            **company,
            "_info": {"company_href": f"{base_url}//company/companies/{company['id']}"},
        }
        site = wire.get("site")
        if site is not None:
            href = f"{base_url}//company/companies/{company['id']}/sites/{site['id']}"
            wire["site"] = {**site, "_info": {"site_href": href}}
    info = dict(wire["_info"])
    info["communications_href"] = f"{base_url}/company/contacts/{wire['id']}/communications"
    wire["_info"] = info
    return wire


class RenderedContacts:
    """Each stored contact version's wire JSON, serialized once per base URL and then reused.

    Stored records are never changed in place (every write stores a new one), so a record object identifies a
    version. Entries keep their record alive, which keeps its `id()` from being reused while cached; the oldest
    entry goes when `capacity` is reached, so memory stays bounded however many contacts a client walks through.
    """

    def __init__(self, capacity: int = DEFAULT_RENDER_CACHE_SIZE) -> None:
        self.capacity = capacity
        self._entries: dict[int, tuple[Mapping[str, Any], str, bytes]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def json(self, record: Mapping[str, Any], base_url: str) -> bytes:
        """`dump_json(render_contact(record, base_url))`, from the cache when this version was rendered before."""
        entry = self._entries.get(id(record))
        if entry is not None and entry[0] is record and entry[1] == base_url:
            return entry[2]
        return self._render(record, base_url, entry is None)

    def json_many(self, records: Iterable[Mapping[str, Any]], base_url: str) -> list[bytes]:
        """`json` of each record; a page is a thousand of them, so the hit path is inlined here."""
        entries = self._entries
        result = []
        for record in records:
            entry = entries.get(id(record))
            if entry is not None and entry[0] is record and entry[1] == base_url:
                result.append(entry[2])
            else:
                result.append(self._render(record, base_url, entry is None))
        return result

    def _render(self, record: Mapping[str, Any], base_url: str, new_entry: bool) -> bytes:
        key = id(record)
        rendered = dump_json(render_contact(record, base_url))
        if new_entry and len(self._entries) >= self.capacity:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (record, base_url, rendered)
        return rendered


def render_company(company: Company, base_url: str) -> Record:
    """A company as `GET /company/companies` lists it."""
    return {
        "id": company.id,
        "identifier": company.identifier,
        "name": company.name,
        "_info": {
            "sites_href": f"{base_url}/company/companies/{company.id}/sites",
            "contacts_href": f"{base_url}/company/contacts?conditions=company/id={company.id}",
        },
    }
