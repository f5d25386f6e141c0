"""The Open Connectors hub view of contacts (`/elements/api-v2/hubs/crm/contacts`) over the same store.

What the Open Connectors poller queries: CEQL `where`, `orderBy`, `fields`, `page`/`pageSize`, and
`nextPage` / `elements-next-page-token` (offset or keyset: `PagingSwitch`; a page shorter than `pageSize`, or an
empty one, ends the result). Every version served is logged against the instance. Errors are the platform's
(`cwmock.emulator.hub.errors`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.http.params import IdRoute, query_texts
from cwmock.emulator.http.responses import error_status, json_array_response
from cwmock.emulator.http.wire import BaseUrls, RenderedContacts
from cwmock.emulator.hub.auth import HubAuthError, parse_hub_authorization, secrets_match
from cwmock.emulator.hub.errors import hub_error, provider_failure, request_id_of
from cwmock.emulator.hub.paging import PagingSwitch, next_token, parse_hub_page
from cwmock.emulator.journal.request_state import annotate, request_moment
from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.errors import EmulatorError, NotFound
from cwmock.emulator.model.instances import Instance, InstanceRegistry
from cwmock.emulator.model.store import Store
from cwmock.emulator.model.versions import Moment
from cwmock.emulator.query.list_request import HUB_QUERY_PARAMETERS, hub_list_query
from cwmock.emulator.query.parsed import ParsedQueries
from cwmock.emulator.query.planner import Window

HUB_PREFIX = "/elements/api-v2/hubs/crm"
InstanceHandler = Callable[[Request, Instance], Awaitable[Response]]


class ProviderError(Exception):
    """ConnectWise refused what the hub asked of it (the hub answers it as the platform reports a provider's error)."""

    def __init__(self, error: EmulatorError) -> None:
        super().__init__(error.message)
        self.error = error


def _described(exc: EmulatorError) -> str:
    details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
    return exc.message + (f" ({details})" if details else "")


class HubApi:
    """Hub routes bound to one store and instance registry, paging as `paging` says.

    `rendered` caches each contact version's wire JSON (shared with the native API when the app passes both one).
    """

    def __init__(
        self,
        store: Store,
        registry: InstanceRegistry,
        config: EmulatorConfig,
        paging: PagingSwitch | None = None,
        rendered: RenderedContacts | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.config = config
        self.paging = paging if paging is not None else PagingSwitch(config.hub_paging)
        self.rendered = rendered if rendered is not None else RenderedContacts(store.reference)
        self.queries = ParsedQueries(hub_list_query, HUB_QUERY_PARAMETERS, keyset="where")
        self.base_urls = BaseUrls(config.codebase)

    def authenticated(self, handler: InstanceHandler) -> Callable[[Request], Awaitable[Response]]:
        """Run `handler` only for the account secrets and a registered instance token."""

        async def endpoint(request: Request) -> Response:
            request_id = request_id_of(request)
            try:
                creds = parse_hub_authorization(request.headers)
            except HubAuthError as exc:
                return hub_error(401, str(exc), request_id)
            if not secrets_match(creds, self.config.user_secret, self.config.organization_secret):
                return hub_error(401, "the User or Organization secret is not valid", request_id)
            instance = self.registry.by_token(creds.element) if creds.element else None
            if instance is None:
                return hub_error(401, "no instance has this Element token; create one first", request_id)
            annotate(request, tenant=instance.tenant, instance=instance.id)
            try:
                response = await handler(request, instance)
            except ProviderError as exc:
                return provider_failure(error_status(exc.error), _described(exc.error), request_id)
            except EmulatorError as exc:
                return hub_error(error_status(exc), _described(exc), request_id)
            response.headers["elements-request-id"] = request_id
            return response

        return endpoint

    def _base_url(self, request: Request, instance: Instance) -> str:
        configured = instance.configuration.get("baseUrl")
        if isinstance(configured, str) and configured:
            return configured.rstrip("/")
        return self.base_urls.of(request)

    def _served(self, request: Request, instance: Instance, records: list[Record]) -> None:
        moment = request_moment(request) or Moment(self.store.server_now(), self.store.next_sequence())
        instance.record_served(((r["id"], r["_info"]["lastUpdated"]) for r in records), moment)

    async def list_contacts(self, request: Request, instance: Instance) -> Response:
        """GET /hubs/crm/contacts."""
        params = query_texts(request.scope)
        query = self.queries.query(params)
        mode = self.paging.mode
        page = parse_hub_page(params.get("page"), params.get("pageSize"), params.get("nextPage"), mode, query.order)
        if page.after_id is not None:
            window = Window(page.size, after_id=page.after_id, after_keys=page.after_keys)
        else:
            window = Window(page.size, page.offset)
        shown = query.page(self.store, instance.tenant, window).records
        self._served(request, instance, shown)
        annotate(request, returned=len(shown), result_end=len(shown) < page.size)
        base = self._base_url(request, instance)
        headers = {"elements-returned-count": str(len(shown))}
        if shown:
            # Sent on every non-empty page, the last one included: "the header comes even when no further data
            # exists" (Cloud Elements, "Element Builder Events").
            headers["elements-next-page-token"] = next_token(page, shown[-1], mode, query.order)
        shape = None if query.fields is None else query.shape
        return json_array_response(self.rendered.json_list(shown, base, shape), headers=headers)

    async def get_contact(self, request: Request, instance: Instance) -> Response:
        """GET /hubs/crm/contacts/{id}."""
        try:
            record = self.store.get_contact(instance.tenant, request.path_params["id"])
        except NotFound as exc:
            raise ProviderError(exc) from None
        self._served(request, instance, [record])
        body = self.rendered.json(record, self._base_url(request, instance))
        return Response(body, media_type="application/json")

    def routes(self) -> list[BaseRoute]:
        """The hub's routes."""
        return [
            Route(f"{HUB_PREFIX}/contacts", self.authenticated(self.list_contacts), methods=["GET"]),
            IdRoute(f"{HUB_PREFIX}/contacts/{{id:int}}", self.authenticated(self.get_contact), methods=["GET"]),
        ]
