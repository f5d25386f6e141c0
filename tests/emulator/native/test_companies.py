"""Companies as sync clients read them: conditions honoured, the fields they read, sites, statuses and types."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio

API = "/v4_6_release/apis/3.0"
COMPANIES = f"{API}/company/companies"


async def identifiers(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(COMPANIES, params=params)
    assert response.status_code == 200, response.text
    return [company["identifier"] for company in response.json()]


async def test_conditions_are_honoured(cwmock_client: httpx.AsyncClient) -> None:
    assert await identifiers(cwmock_client, conditions='identifier = "Globex"') == ["Globex"]
    assert await identifiers(cwmock_client, conditions='status/name = "Inactive"') == ["Initech"]
    assert await identifiers(cwmock_client, conditions="deletedFlag = true") == []
    assert len(await identifiers(cwmock_client, conditions="deletedFlag = false")) == 5
    assert await identifiers(cwmock_client, conditions="lastUpdated > [2025-06-05T00:00:00Z]") == ["Globex", "Initech"]
    assert await identifiers(cwmock_client, childConditions="types/name = 'Partner'") == ["EarthTrisolarisOrganization"]
    ordered = await identifiers(cwmock_client, orderBy="name desc", pageSize="2")
    assert ordered == ["Initech", "Globex"]


async def test_an_unknown_field_is_a_400_as_for_contacts(cwmock_client: httpx.AsyncClient) -> None:
    response = await cwmock_client.get(COMPANIES, params={"conditions": "statu/name = 'Active'"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["resource"]) == ("conditions", "company")
    assert "did you mean 'status'" in error["message"]


async def test_a_company_has_the_fields_sync_clients_read(cwmock_client: httpx.AsyncClient) -> None:
    company = (await cwmock_client.get(f"{COMPANIES}/132")).json()
    for field in ("deletedFlag", "status", "types", "territory", "phoneNumber", "addressLine1", "city", "zip"):
        assert field in company, field
    assert company["_info"]["lastUpdated"] == "2025-06-03T09:00:00Z"
    assert company["types"][0]["_info"]["type_href"].endswith("//company/companies/types/1")
    partial = await cwmock_client.get(COMPANIES, params={"fields": "id,status/name", "pageSize": "1"})
    assert partial.json() == [{"id": 2, "status": {"name": "Active"}}]


async def test_sites_statuses_and_types(cwmock_client: httpx.AsyncClient) -> None:
    sites = (await cwmock_client.get(f"{COMPANIES}/132/sites")).json()
    assert [(s["id"], s["name"]) for s in sites] == [(136, "Earth"), (137, "Trisolaris")]
    assert sites[0]["company"]["identifier"] == "EarthTrisolarisOrganization"
    assert (await cwmock_client.get(f"{COMPANIES}/132/sites/137")).json()["name"] == "Trisolaris"
    assert (await cwmock_client.get(f"{COMPANIES}/132/sites/251")).status_code == 404, "another company's site"
    assert (await cwmock_client.get(f"{COMPANIES}/9999/sites")).status_code == 404
    statuses = (await cwmock_client.get(f"{COMPANIES}/statuses")).json()
    assert [s["name"] for s in statuses] == ["Active", "Inactive", "Not-Approved"]
    vendor = await cwmock_client.get(f"{COMPANIES}/types", params={"conditions": "vendorFlag = true"})
    assert [t["name"] for t in vendor.json()] == ["Vendor"]
