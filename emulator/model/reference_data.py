"""Companies, sites and lookup lists that contacts refer to by id (read-only, from a fixture)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cwmock.emulator.model.companies import company_record, site_record
from cwmock.fixtures import read_fixture

DEFAULT_REFERENCE_FIXTURE = "reference_data.json"

LOOKUP_TABLES = (
    "countries", "contactTypes", "relationships", "departments", "communicationTypes", "companyStatuses",
    "companyTypes", "locations",
)  # fmt: skip


@dataclass(frozen=True)
class Company:
    """A company with its sites: names for references, and the records the native API serves."""

    id: int
    identifier: str
    name: str
    sites: Mapping[int, str]
    record: Mapping[str, Any] = field(default_factory=dict)
    site_records: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReferenceData:
    """Everything a contact may point at, by id."""

    companies: Mapping[int, Company]
    lookups: Mapping[str, Mapping[int, Mapping[str, Any]]]
    _embedded: dict[tuple[object, ...], dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    def embedded(self, key: tuple[object, ...], value: dict[str, Any]) -> dict[str, Any]:
        """The one object for a reference row as contacts embed it (`company`, `site`, ...): the first `value`.

        A million contacts pointing at a few companies then hold a few objects, not a million copies. Stored
        records are never changed in place, so sharing their reference parts is safe.
        """
        return self._embedded.setdefault(key, value)

    def mobile_guid(self, company_id: int, site_id: int | None = None) -> str | None:
        """The `mobileGuid` of a company, or of one of its sites (None when the fixture gives it none)."""
        company = self.companies.get(company_id)
        if company is None:
            return None
        record = company.record if site_id is None else company.site_records.get(site_id, {})
        guid = record.get("mobileGuid")
        return str(guid) if guid else None

    @classmethod
    def from_json(cls, text: str) -> ReferenceData:
        """Parse the reference fixture format (see `fixtures/reference_data.json`)."""
        data = json.loads(text)
        lookups = {table: {int(row["id"]): dict(row) for row in data.get(table, [])} for table in LOOKUP_TABLES}
        companies = {}
        for row in data["companies"]:
            record = company_record(row, lookups)
            companies[int(row["id"])] = Company(
                id=int(row["id"]),
                identifier=str(row["identifier"]),
                name=str(row["name"]),
                sites={int(s["id"]): str(s["name"]) for s in row.get("sites", [])},
                record=record,
                site_records={int(s["id"]): site_record(s, record) for s in row.get("sites", [])},
            )
        return cls(companies=companies, lookups=lookups)

    @classmethod
    def load(cls, fixture: str = DEFAULT_REFERENCE_FIXTURE) -> ReferenceData:
        """The packaged reference fixture named `fixture`."""
        return cls.from_json(read_fixture(fixture))
