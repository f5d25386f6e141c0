"""Companies and their sites as ConnectWise serves them, built from the reference fixture's rows.

Field order follows the Company and CompanySite models of ConnectWise Manage's OpenAPI document (2025.x, as
generated into ai-connor/connectwise); a fixture row names its status, country, territory and types by id, and the
record embeds them as references (`{"id", "name"}`), as the API does. Links (`*_href`) are the HTTP layer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Row = Mapping[str, Any]
Record = dict[str, Any]

# Who wrote the fixture's companies, as `_info.updatedBy` and `enteredBy` name a member.
REFERENCE_MEMBER = "cwmock"

COMPANY_FIELDS = (
    "id", "identifier", "name", "status", "addressLine1", "addressLine2", "city", "state", "zip", "country",
    "phoneNumber", "faxNumber", "website", "territory", "market", "accountNumber", "defaultContact", "leadFlag",
    "unsubscribeFlag", *(f"userDefinedField{n}" for n in range(1, 11)), "vendorIdentifier", "taxIdentifier",
    "deletedFlag", "mobileGuid", "isVendorFlag", "types",
)  # fmt: skip
SITE_FIELDS = (
    "id", "name", "addressLine1", "addressLine2", "city", "zip", "phoneNumber", "phoneNumberExt", "faxNumber",
    "primaryAddressFlag", "defaultShippingFlag", "defaultBillingFlag", "defaultMailingFlag", "inactiveFlag",
    "mobileGuid",
)  # fmt: skip


def _reference(table: Mapping[int, Row], row_id: object, keys: tuple[str, ...]) -> Record:
    if not isinstance(row_id, int) or row_id not in table:
        raise ValueError(f"the reference fixture names id {row_id!r}, which its lookup table does not hold")
    row = table[row_id]
    return {key: row[key] for key in keys if key in row}


def company_record(row: Row, lookups: Mapping[str, Mapping[int, Row]]) -> Record:
    """A fixture company row as `GET /company/companies/{id}` returns it, without links."""
    resolved: Record = {}
    for name in COMPANY_FIELDS:
        value = row.get(name)
        if value is None or value == "":
            continue
        if name == "status":
            value = _reference(lookups["companyStatuses"], value, ("id", "name"))
        elif name == "country":
            value = _reference(lookups["countries"], value, ("id", "identifier", "name"))
        elif name == "territory":
            value = _reference(lookups["locations"], value, ("id", "name"))
        elif name == "types":
            value = [_reference(lookups["companyTypes"], type_id, ("id", "name")) for type_id in value]
        resolved[name] = value
    stamp = str(row["lastUpdated"])
    resolved["_info"] = {
        "lastUpdated": stamp,
        "updatedBy": REFERENCE_MEMBER,
        "dateEntered": stamp,
        "enteredBy": REFERENCE_MEMBER,
    }
    return resolved


def site_record(row: Row, company: Record) -> Record:
    """A fixture site row as `GET /company/companies/{id}/sites/{siteId}` returns it, without links."""
    record: Record = {name: row[name] for name in SITE_FIELDS if row.get(name) not in (None, "")}
    record["company"] = {key: company[key] for key in ("id", "identifier", "name")}
    stamp = company["_info"]["lastUpdated"]
    record["_info"] = {"lastUpdated": stamp, "updatedBy": REFERENCE_MEMBER, "dateEntered": stamp}
    return record
