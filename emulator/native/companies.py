"""Companies, their sites, and the setup tables references point at: read-only, filtered as the contact list is."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.http.responses import json_response
from cwmock.emulator.http.wire import api_base_url, render_company, render_site
from cwmock.emulator.model.errors import NotFound
from cwmock.emulator.model.reference_data import Company
from cwmock.emulator.model.setup_tables import SETUP_TABLES, setup_records
from cwmock.emulator.model.store import Tenant
from cwmock.emulator.native.guard import ApiKeyGuard, TenantHandler
from cwmock.emulator.native.listing import Record, table_page
from cwmock.emulator.query.field_catalog import COMPANY_SCHEMA, FieldNode, infer_schema


class CompanyApi:
    """`company/companies` (with `conditions`), `company/companies/{id}/sites`, and the setup tables."""

    def __init__(self, codebase: str, guard: ApiKeyGuard) -> None:
        self.codebase = codebase
        self.guard = guard

    def base_url(self, request: Request) -> str:
        """The API root as the client addressed it."""
        return api_base_url(request.url.scheme, request.url.netloc, self.codebase)

    @staticmethod
    def company(tenant: Tenant, company_id: int) -> Company:
        """A company of the tenant's reference data, or NotFound."""
        found = tenant.reference.companies.get(company_id)
        if found is None:
            raise NotFound(f"company {company_id} not found")
        return found

    async def list_companies(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/companies: `conditions` (unknown fields a 400), `childConditions`, `orderBy`, `fields`."""
        base = self.base_url(request)
        companies = sorted(tenant.reference.companies.values(), key=lambda company: company.id)
        return table_page(request, [render_company(c, base) for c in companies], COMPANY_SCHEMA)

    async def get_company(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/companies/{id}."""
        company = self.company(tenant, request.path_params["id"])
        return json_response(render_company(company, self.base_url(request)))

    def _sites(self, request: Request, tenant: Tenant) -> list[Record]:
        company = self.company(tenant, request.path_params["id"])
        base = self.base_url(request)
        return [render_site(company.site_records[site_id], base) for site_id in sorted(company.site_records)]

    async def list_sites(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/companies/{id}/sites (what a contact's `site._info.site_href` points into)."""
        sites = self._sites(request, tenant)
        return table_page(request, sites, infer_schema("site", sites))

    async def get_site(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/companies/{id}/sites/{siteId}."""
        for site in self._sites(request, tenant):
            if site["id"] == request.path_params["site_id"]:
                return json_response(site)
        raise NotFound(f"site {request.path_params['site_id']} of company {request.path_params['id']} not found")

    def _setup_list(self, endpoint: str) -> TenantHandler:
        async def listing(request: Request, tenant: Tenant) -> Response:
            records = setup_records(tenant.reference, endpoint)
            return table_page(request, records, _schema(records))

        return listing

    def _setup_one(self, endpoint: str) -> TenantHandler:
        async def one(request: Request, tenant: Tenant) -> Response:
            for record in setup_records(tenant.reference, endpoint):
                if record["id"] == request.path_params["id"]:
                    return json_response(record)
            raise NotFound(f"{endpoint} {request.path_params['id']} not found")

        return one

    def routes(self, api: str) -> list[BaseRoute]:
        """Routes under the API root `api`; each setup table has a list and a by-id route."""
        guard = self.guard
        routes: list[BaseRoute] = [
            Route(f"{api}/company/companies", guard(self.list_companies), methods=["GET"]),
            IdRoute(f"{api}/company/companies/{{id:int}}", guard(self.get_company), methods=["GET"]),
            IdRoute(f"{api}/company/companies/{{id:int}}/sites", guard(self.list_sites), methods=["GET"]),
            IdRoute(f"{api}/company/companies/{{id:int}}/sites/{{site_id:int}}", guard(self.get_site), methods=["GET"]),
        ]
        for endpoint in SETUP_TABLES:
            routes.append(Route(f"{api}/{endpoint}", guard(self._setup_list(endpoint)), methods=["GET"]))
            routes.append(IdRoute(f"{api}/{endpoint}/{{id:int}}", guard(self._setup_one(endpoint)), methods=["GET"]))
        return routes


def _schema(records: list[Record]) -> FieldNode:
    return infer_schema("record", records)
