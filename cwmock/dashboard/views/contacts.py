"""`/__ui/tenants/{tenant}` and `/__ui/tenants/{tenant}/contacts/{id}`: a tenant's contacts and each one's version
history; create, edit (a full replace), touch (a new stamp) and delete, with an optional stamp and visibility delay."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.dashboard.forms import Form, FormError
from cwmock.dashboard.pages import Pages, redirect, run_form
from cwmock.dashboard.sources import Sources
from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.model.contacts import READ_ONLY_FIELDS, display_name
from cwmock.emulator.model.errors import NotFound
from cwmock.emulator.model.store import Store, Tenant

# Contacts listed on a tenant's page, newest ids first (a bulk load can hold thousands).
LISTED_CONTACTS = 200


def contact_rows(tenant: Tenant) -> list[dict[str, Any]]:
    """A row per contact ever written, newest id first: name, stamp, how many versions, and whether it is visible."""
    rows = []
    for contact_id in sorted(tenant.history.by_id, reverse=True)[:LISTED_CONTACTS]:
        writes = tenant.history.by_id[contact_id]
        latest = writes[-1]
        shown = (
            latest.record
            if latest.record is not None
            else next((w.record for w in reversed(writes) if w.record is not None), {})
        )
        if latest.became_visible is None:
            state = "pending"
        elif latest.record is None:
            state = "deleted"
        else:
            state = "visible"
        rows.append(
            {
                "id": contact_id,
                "name": display_name(shown or {}),
                "stamp": latest.stamp,
                "writes": len(writes),
                "state": state,
                "visible_from": latest.visible_from,
            }
        )
    return rows


def _contact_path(request: Request) -> str:
    return f"/tenants/{request.path_params['tenant']}/contacts/{request.path_params['id']}"


def _stamp(record: dict[str, Any]) -> str:
    return str(record["_info"]["lastUpdated"])


def _write_options(form: Form) -> dict[str, Any]:
    return {
        "stamp": form.instant("stamp", label="Stamp"),
        "visible_after": form.number("visibleAfter", label="Visible after (seconds)"),
    }


class Contacts:
    """A tenant's page, a contact's page and their forms."""

    def __init__(self, sources: Sources, pages: Pages) -> None:
        self.sources = sources
        self.pages = pages

    @property
    def store(self) -> Store:
        """The emulator's store."""
        return self.sources.emulator.store

    def _missing(self, request: Request, error: NotFound) -> Response:
        return self.pages.render(
            request, "missing.html", title="Not found", section="tenants", status=404, error=error.message
        )

    async def tenant_page(
        self, request: Request, *, error: str | None = None, form: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        """Render a tenant's page."""
        try:
            tenant = self.store.tenant(request.path_params["tenant"])
        except NotFound as exc:
            return self._missing(request, exc)
        self.store.settle()
        company = tenant.credentials.company
        return self.pages.render(
            request,
            "tenant.html",
            title=f"Tenant {company}",
            section=f"tenant:{company}",
            status=status,
            error=error,
            form=form,
            company=company,
            rows=contact_rows(tenant),
            total=len(tenant.history.by_id),
            listed=LISTED_CONTACTS,
            visibility_delay=tenant.visibility_delay,
        )

    async def contact_page(
        self, request: Request, *, error: str | None = None, form: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        """Render a contact's page: the current record, every version and pending write, and the forms."""
        contact_id: int = request.path_params["id"]
        try:
            tenant = self.store.tenant(request.path_params["tenant"])
            self.store.settle()
            if contact_id not in tenant.history.by_id:
                raise NotFound(f"contact {contact_id} was never written in tenant {tenant.credentials.company}")
        except NotFound as exc:
            return self._missing(request, exc)
        company = tenant.credentials.company
        current = tenant.contacts.get(contact_id)
        latest = tenant.current(contact_id)
        editable = {k: v for k, v in (latest or {}).items() if k not in READ_ONLY_FIELDS}
        versions = [v for v in tenant.history.versions() if v.id == contact_id]
        pending = [w for w in tenant.history.pending() if w.id == contact_id]
        return self.pages.render(
            request,
            "contact.html",
            title=f"Contact {contact_id} of {company}",
            section=f"tenant:{company}",
            status=status,
            error=error,
            form=form,
            company=company,
            contact_id=contact_id,
            current=current,
            exists=latest is not None,
            editable=editable,
            versions=versions[::-1],
            pending=pending,
        )

    async def tenant_page_get(self, request: Request) -> Response:
        """GET /tenants/{tenant}."""
        return await self.tenant_page(request)

    async def contact_page_get(self, request: Request) -> Response:
        """GET /tenants/{tenant}/contacts/{id}."""
        return await self.contact_page(request)

    async def create(self, request: Request) -> Response:
        """POST /tenants/{tenant}/contacts firstName, lastName, body (JSON), stamp, visibleAfter."""
        company = request.path_params["tenant"]

        async def act(form: Form) -> Response:
            body = form.json_object("body", label="Contact JSON") or {}
            for field, label in (("firstName", "First name"), ("lastName", "Last name")):
                value = form.text(field, label=label)
                if value is not None:
                    body[field] = value
            if "firstName" not in body:
                raise FormError("firstName", "First name is required (in its field or in the contact JSON)")
            record = self.store.create_contact(company, body, **_write_options(form))
            stamped = f"({display_name(record)}), stamped {record['_info']['lastUpdated']}"
            return redirect(f"/tenants/{company}/contacts/{record['id']}", f"Created contact {record['id']} {stamped}.")

        return await run_form(request, act, self.tenant_page)

    async def edit(self, request: Request) -> Response:
        """POST /tenants/{tenant}/contacts/{id}/edit body (JSON), stamp, visibleAfter: a full replace."""
        company, contact_id = request.path_params["tenant"], request.path_params["id"]

        async def act(form: Form) -> Response:
            body = form.json_object("body", label="Contact JSON")
            if body is None:
                raise FormError("body", "Contact JSON is required: the whole contact as it should be")
            record = self.store.replace_contact(company, contact_id, body, **_write_options(form))
            return redirect(_contact_path(request), f"Saved contact {contact_id}, stamped {_stamp(record)}.")

        return await run_form(request, act, self.contact_page)

    async def touch(self, request: Request) -> Response:
        """POST /tenants/{tenant}/contacts/{id}/touch stamp, visibleAfter: the same contact with a new stamp."""
        company, contact_id = request.path_params["tenant"], request.path_params["id"]

        async def act(form: Form) -> Response:
            [record] = self.store.touch_contacts(company, [contact_id], **_write_options(form))
            return redirect(_contact_path(request), f"Touched contact {contact_id}: stamped {_stamp(record)}.")

        return await run_form(request, act, self.contact_page)

    async def delete(self, request: Request) -> Response:
        """POST /tenants/{tenant}/contacts/{id}/delete visibleAfter."""
        company, contact_id = request.path_params["tenant"], request.path_params["id"]

        async def act(form: Form) -> Response:
            delay = form.number("visibleAfter", label="Visible after (seconds)")
            self.store.delete_contact(company, contact_id, visible_after=delay)
            return redirect(_contact_path(request), f"Deleted contact {contact_id}.")

        return await run_form(request, act, self.contact_page)

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__ui`."""
        contact = "/tenants/{tenant}/contacts/{id:int}"
        return [
            Route("/tenants/{tenant}", self.tenant_page_get, methods=["GET"]),
            Route("/tenants/{tenant}/contacts", self.create, methods=["POST"]),
            IdRoute(contact, self.contact_page_get, methods=["GET"]),
            IdRoute(f"{contact}/edit", self.edit, methods=["POST"]),
            IdRoute(f"{contact}/touch", self.touch, methods=["POST"]),
            IdRoute(f"{contact}/delete", self.delete, methods=["POST"]),
        ]
