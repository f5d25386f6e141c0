"""Contacts and companies as they go on the wire: stored records plus `*_href` links for the caller's host."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .contacts import Record
from .reference_data import Company


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
