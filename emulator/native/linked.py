"""What a contact's `_info` links point at, so that no link the emulator sends leads to a 404.

`communications_href` lists the contact's communication items (ContactCommunication in ConnectWise Manage's
OpenAPI document). cwmock holds no notes, tracks, portal security entries, activities, documents, configurations,
tickets, opportunities or projects: those links answer an empty list, as a site without any would, and the image link
a placeholder image (docs/fidelity.md#linked-resources).
"""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.http.responses import dump_json, json_response
from cwmock.emulator.http.wire import api_base_url, render_communication
from cwmock.emulator.model.errors import NotFound
from cwmock.emulator.model.store import Store, Tenant
from cwmock.emulator.native.guard import ApiKeyGuard, TenantHandler
from cwmock.emulator.native.listing import Record, page_of, table_page
from cwmock.emulator.query.field_catalog import CONTACT_SCHEMA, FieldNode, Kind

# A contact's communications answer with the fields of its communication items, plus the contact's id.
COMMUNICATION_SCHEMA = FieldNode(
    "communication",
    Kind.OBJECT,
    {
        **CONTACT_SCHEMA.children["communicationitems"].children,
        "contactid": FieldNode("contactId", Kind.NUMBER),
        "_info": CONTACT_SCHEMA.children["_info"],
    },
)
# Lists under a contact that cwmock keeps empty.
EMPTY_CONTACT_LISTS = ("notes", "tracks", "portalSecurity")
# Lists at the API root that contacts link to with `?conditions=contact/id=N`; cwmock keeps them empty.
EMPTY_LISTS = (
    "sales/activities",
    "system/documents",
    "company/configurations",
    "service/tickets",
    "sales/opportunities",
    "project/projects",
)
# A 1x1 transparent PNG: what `image_href` answers (a real server sends the contact's photo or a default one).
PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class LinkedApi:
    """The contact sub-resources and the lists contacts link to."""

    def __init__(self, store: Store, codebase: str, guard: ApiKeyGuard) -> None:
        self.store = store
        self.codebase = codebase
        self.guard = guard

    def _contact(self, request: Request, tenant: Tenant) -> Record:
        return self.store.get_contact(tenant.credentials.company, request.path_params["id"])

    def _communications(self, request: Request, tenant: Tenant) -> list[Record]:
        contact = self._contact(request, tenant)
        base = api_base_url(request.url.scheme, request.url.netloc, self.codebase)
        return [render_communication(item, contact, base) for item in contact.get("communicationItems", [])]

    async def list_communications(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/contacts/{id}/communications."""
        return table_page(request, self._communications(request, tenant), COMMUNICATION_SCHEMA)

    async def get_communication(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/contacts/{id}/communications/{itemId}."""
        for item in self._communications(request, tenant):
            if item["id"] == request.path_params["item_id"]:
                return json_response(item)
        raise NotFound(f"communication {request.path_params['item_id']} of contact {request.path_params['id']}")

    async def empty_contact_list(self, request: Request, tenant: Tenant) -> Response:
        """An empty page for a list under an existing contact (404 for a contact that does not exist)."""
        self._contact(request, tenant)
        return page_of(request, [], lambda shown: [dump_json(item) for item in shown])

    async def empty_list(self, request: Request, tenant: Tenant) -> Response:
        """An empty page: cwmock holds none of these records."""
        return page_of(request, [], lambda shown: [dump_json(item) for item in shown])

    async def image(self, request: Request, tenant: Tenant) -> Response:
        """GET /company/contacts/{id}/image: a placeholder image for an existing contact."""
        self._contact(request, tenant)
        return Response(PLACEHOLDER_PNG, media_type="image/png")

    def routes(self, api: str) -> list[BaseRoute]:
        """Routes under the API root `api`."""
        guard = self.guard
        contact = f"{api}/company/contacts/{{id:int}}"
        handlers: list[tuple[str, TenantHandler]] = [
            (f"{contact}/communications", self.list_communications),
            (f"{contact}/communications/{{item_id:int}}", self.get_communication),
            (f"{contact}/image", self.image),
            *((f"{contact}/{name}", self.empty_contact_list) for name in EMPTY_CONTACT_LISTS),
            *((f"{api}/{path}", self.empty_list) for path in EMPTY_LISTS),
        ]
        return [
            (IdRoute if ":int}" in path else Route)(path, guard(handler), methods=["GET"]) for path, handler in handlers
        ]
