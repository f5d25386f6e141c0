"""ConnectWise setup tables that references point at, as their own endpoints serve them.

A contact refers to a contact type as `{"id", "name"}`, while `GET /company/contacts/types/{id}` answers a
ContactType, whose text is `description` (ConnectWise Manage's OpenAPI document, 2025.x: ContactType,
CommunicationType, CompanyStatus, CompanyType, and SystemLocation for territories and company locations).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cwmock.emulator.model.reference_data import ReferenceData

Record = dict[str, Any]
Row = Mapping[str, Any]


def _contact_type(row: Row) -> Record:
    return {"id": row["id"], "description": row["name"], "defaultFlag": False, "serviceAlertFlag": False}


def _communication_type(row: Row) -> Record:
    kind = row["communicationType"]
    return {
        "id": row["id"],
        "description": row["name"],
        "phoneFlag": kind == "Phone",
        "faxFlag": kind == "Fax",
        "emailFlag": kind == "Email",
        "defaultFlag": False,
    }


def _as_is(row: Row) -> Record:
    return dict(row)


# Endpoint (under the API root) -> (lookup table, how one of its rows is served).
SETUP_TABLES: Mapping[str, tuple[str, Callable[[Row], Record]]] = {
    "company/contacts/types": ("contactTypes", _contact_type),
    "company/communicationTypes": ("communicationTypes", _communication_type),
    "company/companies/statuses": ("companyStatuses", _as_is),
    "company/companies/types": ("companyTypes", _as_is),
    "system/locations": ("locations", _as_is),
}


def setup_records(reference: ReferenceData, endpoint: str) -> list[Record]:
    """The records an endpoint of `SETUP_TABLES` serves, by ascending id."""
    table, serve = SETUP_TABLES[endpoint]
    rows = reference.lookups[table]
    return [serve(rows[row_id]) for row_id in sorted(rows)]
