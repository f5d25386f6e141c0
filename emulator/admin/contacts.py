"""Admin mutations of one tenant's contacts: no ConnectWise credentials, explicit stamps and visibility delays.

Every route is under `/__admin/tenants/{tenant}`. Options travel beside the contact: `stamp` (ISO instant, default
the clock's time), `updatedBy`, `visibleAfter` (seconds after the stamp at which reads see the change).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.core.validation import check_text
from cwmock.emulator.admin.options import (
    duration_option,
    handles_errors,
    instant_option,
    int_option,
    options_body,
    query_duration,
)
from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.http.responses import json_response
from cwmock.emulator.model.contact_sets import load_contact_bodies
from cwmock.emulator.model.errors import InvalidObject, invalid_field
from cwmock.emulator.model.generated import generate_contacts
from cwmock.emulator.model.store import Store

MAX_BULK_CONTACTS = 10_000


class AdminContacts:
    """Create, update, delete, bulk-create, touch and seed contacts of a tenant."""

    def __init__(self, store: Store, fixtures_dir: Path | None = None) -> None:
        self.store = store
        self.fixtures_dir = fixtures_dir

    @staticmethod
    def _tenant(request: Request) -> str:
        tenant: str = request.path_params["tenant"]
        return tenant

    @staticmethod
    def _write_options(options: dict[str, Any]) -> dict[str, Any]:
        updated_by = options.get("updatedBy")
        return {
            "stamp": instant_option(options, "stamp", clock=True),
            "updated_by": None if updated_by is None else check_text("updatedBy", updated_by),
            "visible_after": duration_option(options, "visibleAfter"),
        }

    async def create(self, request: Request) -> Response:
        """POST /contacts {"contact": {...}, "stamp"?, "updatedBy"?, "visibleAfter"?} → 201."""
        options = await options_body(request)
        if "contact" not in options:
            raise invalid_field("contact", 'send {"contact": {...the contact body...}} plus optional stamp')
        record = self.store.create_contact(self._tenant(request), options["contact"], **self._write_options(options))
        return json_response(record, status=201)

    async def replace(self, request: Request) -> Response:
        """PUT /contacts/{id} {"contact": {...}, ...}: full replace."""
        options = await options_body(request)
        if "contact" not in options:
            raise invalid_field("contact", 'send {"contact": {...the new contact body...}}')
        record = self.store.replace_contact(
            self._tenant(request),
            request.path_params["id"],
            options["contact"],
            **self._write_options(options),
        )
        return json_response(record)

    async def patch(self, request: Request) -> Response:
        """PATCH /contacts/{id} {"operations": [...], ...}."""
        options = await options_body(request)
        if "operations" not in options:
            raise invalid_field("operations", 'send {"operations": [{"op": "replace", "path": ..., "value": ...}]}')
        record = self.store.patch_contact(
            self._tenant(request),
            request.path_params["id"],
            options["operations"],
            **self._write_options(options),
        )
        return json_response(record)

    async def delete(self, request: Request) -> Response:
        """DELETE /contacts/{id}[?visibleAfter=S] → 204."""
        delay = query_duration(request, "visibleAfter")
        self.store.delete_contact(self._tenant(request), request.path_params["id"], visible_after=delay)
        return Response(status_code=204)

    async def bulk_create(self, request: Request) -> Response:
        """POST /contacts/bulk {"count": N, "seed"?, "stamp"?, "visibleAfter"?} → 201 {"ids": [...]}."""
        options = await options_body(request)
        count = int_option(options, "count", minimum=1)
        if count is None:
            raise invalid_field("count", "count (how many contacts to generate) is required")
        if count > MAX_BULK_CONTACTS:
            raise invalid_field("count", f"count may be at most {MAX_BULK_CONTACTS} per call; call again for more")
        seed = int_option(options, "seed", minimum=-(2**63), default=0)
        write = self._write_options(options)
        tenant = self._tenant(request)
        bodies = generate_contacts(count, self.store.reference, seed or 0)
        ids = [record["id"] for record in self.store.create_contacts(tenant, bodies, **write)]
        return json_response({"ids": ids}, status=201)

    async def touch(self, request: Request) -> Response:
        """POST /contacts/touch {"ids": [...]} or {"count": N} (the first N by id), "stamp"? → {"ids": [...]}."""
        options = await options_body(request)
        tenant = self._tenant(request)
        ids = options.get("ids")
        if ids is None:
            count = int_option(options, "count", minimum=1)
            if count is None:
                raise InvalidObject('send {"ids": [...]} or {"count": N} to say which contacts to touch')
            ids = self.store.latest_ids(tenant)[:count]
        elif not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise invalid_field("ids", "ids must be a list of contact ids")
        elif len(ids) > MAX_BULK_CONTACTS:
            raise invalid_field(
                "ids", f"ids may list at most {MAX_BULK_CONTACTS} contacts per call; call again for more"
            )
        write = self._write_options(options)
        write.pop("updated_by")
        touched = self.store.touch_contacts(tenant, ids, **write)
        return json_response({"ids": [record["id"] for record in touched]})

    async def seed(self, request: Request) -> Response:
        """POST /seed {"fixture": "contacts/sample.json"} or {"contacts": [...]}, "stamp"? → 201 {"ids": [...]}."""
        options = await options_body(request)
        if "contacts" in options:
            bodies = options["contacts"]
            if not isinstance(bodies, list):
                raise invalid_field("contacts", "contacts must be a list of contact bodies")
        else:
            fixture = options.get("fixture", "contacts/sample.json")
            if not isinstance(fixture, str):
                raise invalid_field("fixture", "fixture must be the relative path of a contact-set fixture")
            try:
                bodies = load_contact_bodies(fixture, self.fixtures_dir)
            except (FileNotFoundError, ValueError) as exc:
                raise invalid_field("fixture", str(exc)) from None
        write = self._write_options(options)
        tenant = self._tenant(request)
        ids = [record["id"] for record in self.store.create_contacts(tenant, bodies, **write)]
        return json_response({"ids": ids}, status=201)

    async def set_visibility_delay(self, request: Request) -> Response:
        """PUT /visibility-delay {"seconds": d}: later writes become visible at stamp + d."""
        options = await options_body(request)
        seconds = duration_option(options, "seconds")
        if seconds is None:
            raise invalid_field("seconds", "seconds is required")
        self.store.set_visibility_delay(self._tenant(request), seconds)
        return json_response({"tenant": self._tenant(request), "seconds": seconds})

    async def set_date_entered(self, request: Request) -> Response:
        """PUT /date-entered {"enabled": bool}: new contacts get `_info.dateEntered` (not faithful; off by default)."""
        options = await options_body(request)
        enabled = options.get("enabled")
        if not isinstance(enabled, bool):
            raise invalid_field("enabled", 'send {"enabled": true} or {"enabled": false}')
        self.store.set_date_entered(self._tenant(request), enabled)
        return json_response({"tenant": self._tenant(request), "enabled": enabled})

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__admin`."""
        base = "/tenants/{tenant}"
        return [
            Route(f"{base}/contacts", handles_errors(self.create), methods=["POST"]),
            Route(f"{base}/contacts/bulk", handles_errors(self.bulk_create), methods=["POST"]),
            Route(f"{base}/contacts/touch", handles_errors(self.touch), methods=["POST"]),
            IdRoute(f"{base}/contacts/{{id:int}}", handles_errors(self.replace), methods=["PUT"]),
            IdRoute(f"{base}/contacts/{{id:int}}", handles_errors(self.patch), methods=["PATCH"]),
            IdRoute(f"{base}/contacts/{{id:int}}", handles_errors(self.delete), methods=["DELETE"]),
            Route(f"{base}/seed", handles_errors(self.seed), methods=["POST"]),
            Route(f"{base}/visibility-delay", handles_errors(self.set_visibility_delay), methods=["PUT"]),
            Route(f"{base}/date-entered", handles_errors(self.set_date_entered), methods=["PUT"]),
        ]
