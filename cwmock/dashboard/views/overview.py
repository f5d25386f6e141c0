"""`/__ui/`: the clock with its controls, and what the emulator holds at a glance."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.dashboard.pages import Pages
from cwmock.dashboard.sources import Sources

LATEST_ARRIVALS = 5


class Overview:
    """The home page."""

    def __init__(self, sources: Sources, pages: Pages) -> None:
        self.sources = sources
        self.pages = pages

    def instances(self) -> list[dict[str, Any]]:
        """A row per instance: identity, whether our poller polls it, its next window and event counts."""
        supervisor = self.sources.supervisor
        rows = []
        for instance in self.sources.emulator.registry.all():
            polled = supervisor is not None and supervisor.state(instance.id) is not None
            events = supervisor.events(instance.id) if supervisor is not None else []
            rows.append(
                {
                    "instance": instance,
                    "polled": polled,
                    "next_window": supervisor.next_window(instance.id) if supervisor is not None else None,
                    "events": len(events),
                    "notified": sum(1 for event in events if event["status"] == "NOTIFIED"),
                }
            )
        return rows

    def tenants(self) -> list[dict[str, Any]]:
        """A row per tenant: how many contacts exist and how many versions were written."""
        store = self.sources.emulator.store
        store.settle()
        rows = []
        for credentials in store.tenants:
            tenant = store.tenant(credentials.company)
            rows.append(
                {"company": credentials.company, "contacts": len(tenant.contacts), "writes": len(tenant.history.writes)}
            )
        return rows

    async def page(
        self, request: Request, *, error: str | None = None, form: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        """Render the home page (with an action's error when one failed)."""
        receiver = self.sources.receiver
        latest = receiver.arrivals()[-LATEST_ARRIVALS:][::-1] if receiver is not None else []
        return self.pages.render(
            request,
            "overview.html",
            title="Overview",
            section="overview",
            status=status,
            error=error,
            form=form,
            instances=self.instances(),
            tenant_rows=self.tenants(),
            faults=len(self.sources.emulator.faults.all()),
            latest_arrivals=latest,
        )

    async def show(self, request: Request) -> Response:
        """GET /."""
        return await self.page(request)

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__ui`."""
        return [Route("/", self.show, methods=["GET"])]
