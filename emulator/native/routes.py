"""The native ConnectWise Manage REST API 3.0 for contacts: handlers parse, call the store, serialize."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.http.bodies import read_json
from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.http.responses import json_array_response, json_response
from cwmock.emulator.http.wire import BaseUrls, RenderedContacts, render_contact
from cwmock.emulator.journal.request_state import annotate, request_moment
from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.errors import invalid_field
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.store import Store, Tenant
from cwmock.emulator.model.versions import Moment
from cwmock.emulator.native.companies import CompanyApi
from cwmock.emulator.native.guard import ApiKeyGuard
from cwmock.emulator.native.linked import LinkedApi
from cwmock.emulator.native.listing import lowercase_params, navigable_page
from cwmock.emulator.native.paging import forward_link, parse_page_id, parse_page_request
from cwmock.emulator.native.rate_budget import RateBudget
from cwmock.emulator.query.list_request import NATIVE_QUERY_PARAMETERS, ListQuery, native_list_query
from cwmock.emulator.query.parsed import ParsedQueries
from cwmock.emulator.query.planner import Window


class NativeApi:
    """Routes of `/{codebase}apis/3.0` and `/login/companyinfo`, bound to one store."""

    def __init__(
        self,
        store: Store,
        config: EmulatorConfig,
        registry: InstanceRegistry | None = None,
        rendered: RenderedContacts | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.rendered = rendered if rendered is not None else RenderedContacts(store.reference)
        self.base_urls = BaseUrls(config.codebase)
        self.queries = ParsedQueries(native_list_query, NATIVE_QUERY_PARAMETERS, keyset="conditions")
        budget = RateBudget(config.rate_limit_per_minute, store.server_now) if config.rate_limit_per_minute else None
        self.guard = ApiKeyGuard(store, config.bad_credentials_status, budget, registry)

    def _served(self, request: Request, tenant: Tenant, records: Sequence[Record]) -> None:
        """Log the versions a native-API subject was served (docs/contract-suite/live-judge.md#native-subjects)."""
        subject = self.guard.subject(tenant, request.headers.get("clientid", "").strip())
        if subject is not None:
            moment = request_moment(request) or Moment(self.store.server_now(), self.store.next_sequence())
            subject.record_served(((r["id"], r["_info"]["lastUpdated"]) for r in records), moment)

    def base_url(self, request: Request) -> str:
        """The API root as the client addressed it."""
        return self.base_urls.of(request)

    # -- contacts ------------------------------------------------------------------------

    async def list_contacts(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/contacts: conditions, childConditions, orderBy, fields; navigable or forward-only paging."""
        params = lowercase_params(request)
        query = self.queries.query(params)
        base = self.base_url(request)

        shape = None if query.fields is None else query.shape

        def serialize(records: Sequence[Record]) -> list[bytes]:
            return self.rendered.json_list(records, base, shape)

        if request.headers.get("pagination-type", "").lower() == "forward-only":
            return self._forward_only(request, params, query, tenant, serialize)
        page = parse_page_request(params.get("page"), params.get("pagesize"))
        found = query.page(self.store, tenant.credentials.company, Window(page.size, page.offset), count=True)
        assert found.total is not None, "asked for the count"
        self._served(request, tenant, found.records)
        return navigable_page(request, page, found.records, found.total, serialize)

    def _forward_only(
        self,
        request: Request,
        params: dict[str, str],
        query: ListQuery,
        tenant: Tenant,
        serialize: Callable[[Sequence[Record]], list[bytes]],
    ) -> Response:
        if query.order:
            raise invalid_field("orderBy", "orderBy cannot be used with forward-only pagination (it orders by id)")
        page = parse_page_request(None, params.get("pagesize"))
        after = parse_page_id(params.get("pageid"))
        # One record past the page tells whether there is a next one.
        found = query.page(self.store, tenant.credentials.company, Window(page.size + 1, after_id=after)).records
        shown = found[: page.size]
        more = len(found) > page.size
        self._served(request, tenant, shown)
        url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        link = forward_link(url, request.query_params.multi_items(), shown[-1]["id"] if shown else None)
        annotate(request, returned=len(shown), result_end=not more)
        return json_array_response(serialize(shown), headers={"Link": link})

    async def count_contacts(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/contacts/count, with the same conditions as the list."""
        query = self.queries.query(lowercase_params(request))
        return json_response({"count": query.count(self.store, tenant.credentials.company)})

    async def get_contact(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/contacts/{id}."""
        record = self.store.get_contact(tenant.credentials.company, request.path_params["id"])
        self._served(request, tenant, [record])
        return json_response(render_contact(record, self.base_url(request), self.store.reference))

    async def create_contact(self, request: Request, tenant: Tenant) -> Response:
        """POST /company/contacts → 201 with the stored contact."""
        body = await read_json(request, self.config.max_body_bytes)
        record = self.store.create_contact(tenant.credentials.company, body)
        return json_response(render_contact(record, self.base_url(request), self.store.reference), status=201)

    async def replace_contact(self, request: Request, tenant: Tenant) -> Response:
        """PUT /company/contacts/{id}: full replace."""
        body = await read_json(request, self.config.max_body_bytes)
        record = self.store.replace_contact(tenant.credentials.company, request.path_params["id"], body)
        return json_response(render_contact(record, self.base_url(request), self.store.reference))

    async def patch_contact(self, request: Request, tenant: Tenant) -> Response:
        """PATCH /company/contacts/{id} with a list of operations."""
        body = await read_json(request, self.config.max_body_bytes)
        record = self.store.patch_contact(tenant.credentials.company, request.path_params["id"], body)
        return json_response(render_contact(record, self.base_url(request), self.store.reference))

    async def delete_contact(self, request: Request, tenant: Tenant) -> Response:
        """DELETE /company/contacts/{id} → 204, empty body."""
        self.store.delete_contact(tenant.credentials.company, request.path_params["id"])
        return Response(status_code=204)

    # -- system ----------------------------------------------------------------------------

    async def system_info(self, request: Request, tenant: Tenant) -> Response:
        """GET /system/info."""
        return json_response(
            {
                "version": self.config.version_number,
                "isCloud": False,
                "serverTimeZone": "UTC",
                "cloudRegion": "NA",
            }
        )

    async def company_info(self, request: Request) -> Response:
        """GET /login/companyinfo/{company} at the host root: where the codebase is (JSON null if unknown)."""
        tenant = self.store.find_tenant(request.path_params["company"])
        if tenant is None:
            return json_response(None)
        return json_response(
            {
                "CompanyName": tenant.credentials.company,
                "Codebase": self.config.codebase,
                "VersionCode": self.config.version_code,
                "VersionNumber": self.config.version_number,
                "CompanyID": tenant.credentials.company,
                "IsCloud": "False",  # a string, as real servers send it ("True" in the cloud)
            }
        )

    def routes(self) -> list[BaseRoute]:
        """The route table: the login route at the root, the API under the codebase."""
        api = f"/{self.config.codebase}apis/3.0"
        auth = self.guard
        return [
            Route("/login/companyinfo/{company}", self.company_info, methods=["GET"]),
            Route(f"{api}/company/contacts", auth(self.list_contacts), methods=["GET"]),
            Route(f"{api}/company/contacts/", auth(self.list_contacts), methods=["GET"]),
            Route(f"{api}/company/contacts", auth(self.create_contact), methods=["POST"]),
            Route(f"{api}/company/contacts/", auth(self.create_contact), methods=["POST"]),
            Route(f"{api}/company/contacts/count", auth(self.count_contacts), methods=["GET"]),
            IdRoute(f"{api}/company/contacts/{{id:int}}", auth(self.get_contact), methods=["GET"]),
            IdRoute(f"{api}/company/contacts/{{id:int}}", auth(self.replace_contact), methods=["PUT"]),
            IdRoute(f"{api}/company/contacts/{{id:int}}", auth(self.patch_contact), methods=["PATCH"]),
            IdRoute(f"{api}/company/contacts/{{id:int}}", auth(self.delete_contact), methods=["DELETE"]),
            Route(f"{api}/system/info", auth(self.system_info), methods=["GET"]),
            *CompanyApi(self.config.codebase, self.guard).routes(api),
            *LinkedApi(self.store, self.config.codebase, self.guard).routes(api),
        ]
