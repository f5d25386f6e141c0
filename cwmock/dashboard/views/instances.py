"""`/__ui/instances/{id}`: an instance's configuration (secrets masked), our poller's state for it, its outbox and
event records, and redelivery of parked notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from cwmock.dashboard.forms import Form, FormError
from cwmock.dashboard.masking import MASK, mask_secrets
from cwmock.dashboard.pages import Pages, redirect, run_form
from cwmock.dashboard.sources import Sources, instance_document
from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.model.errors import NotFound
from cwmock.emulator.model.instances import Instance
from cwmock.poller.egress import egress_refusal
from cwmock.poller.state import PARKED, OutboxEntry, PollerState

POLLER_CONFIGURATION = "event.poller.configuration"


@dataclass(frozen=True)
class OutboxRow:
    """A notification still in the outbox, and what is happening to it."""

    entry: OutboxEntry
    status: str
    held: bool

    @property
    def parked(self) -> bool:
        """Whether it waits for a redelivery (held by the egress guard included)."""
        return self.entry.status == PARKED


def outbox_rows(state: PollerState, allowed_hosts: tuple[str, ...]) -> list[OutboxRow]:
    """Pending and parked notifications, oldest first, each with a status a person reads."""
    rows = []
    for entry in sorted([*state.pending(), *state.parked()], key=lambda e: e.number):
        held = entry.status == PARKED and egress_refusal(entry.url, allowed_hosts) is not None
        if held:
            status = "held by the egress guard"
        elif entry.status == PARKED:
            status = "parked"
        elif entry.attempts:
            status = "retrying"
        else:
            status = "queued"
        rows.append(OutboxRow(entry, status, held))
    return rows


def resources(document: dict[str, Any]) -> list[str]:
    """The names of the resources the instance polls."""
    configured = document.get("configuration", {}).get(POLLER_CONFIGURATION)
    return sorted(configured) if isinstance(configured, dict) else []


class Instances:
    """One instance's page and its redelivery form."""

    def __init__(self, sources: Sources, pages: Pages) -> None:
        self.sources = sources
        self.pages = pages

    def poller(self, instance: Instance, document: dict[str, Any]) -> dict[str, Any] | None:
        """What our poller holds for the instance (None when it does not poll it in this process)."""
        supervisor = self.sources.supervisor
        state = supervisor.state(instance.id) if supervisor is not None else None
        if supervisor is None or state is None:
            return None
        rows = outbox_rows(state, supervisor.settings.allowed_hosts)
        cursors: dict[str, datetime | None] = {name: state.last_poll(name) for name in resources(document)}
        return {
            "next_window": supervisor.next_window(instance.id),
            "windows": len(supervisor.windows(instance.id)),
            "cursors": cursors,
            "seen": state.seen_count(),
            "delivered": state.delivered_count(),
            "queued": sum(1 for row in rows if row.status == "queued"),
            "retrying": sum(1 for row in rows if row.status == "retrying"),
            "parked": sum(1 for row in rows if row.status == "parked"),
            "held": sum(1 for row in rows if row.held),
            "outbox": rows,
            "events": supervisor.events(instance.id),
        }

    async def page(
        self, request: Request, *, error: str | None = None, form: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        """Render the instance's page."""
        instance_id: int = request.path_params["id"]
        try:
            instance = self.sources.emulator.registry.get(instance_id)
        except NotFound as exc:
            return self.pages.render(
                request, "missing.html", title="Not found", section="overview", status=404, error=exc.message
            )
        document = instance_document(instance)
        return self.pages.render(
            request,
            "instance.html",
            title=f"Instance {instance.id}",
            section="overview",
            status=status,
            error=error,
            instance=instance,
            token=MASK,
            configuration=mask_secrets(document.get("configuration", instance.configuration)),
            poller=self.poller(instance, document),
        )

    async def show(self, request: Request) -> Response:
        """GET /instances/{id}."""
        return await self.page(request)

    async def redeliver(self, request: Request) -> Response:
        """POST /instances/{id}/redeliver [number=N]: parked notifications (one, or all) back in the queue, sent now."""
        instance_id: int = request.path_params["id"]

        async def act(form: Form) -> Response:
            number = form.integer("number", minimum=1, label="Notification number")
            supervisor = self.sources.supervisor
            if supervisor is None or supervisor.state(instance_id) is None:
                raise FormError("", f"instance {instance_id} is not polled in this process: nothing to redeliver")
            queued, report = await supervisor.redeliver(instance_id, None if number is None else [number])
            if not queued:
                return redirect(f"/instances/{instance_id}", "Nothing was parked to redeliver.")
            outcome = f"delivered {report.delivered}, failed again {report.failed}, parked again {report.parked}"
            return redirect(f"/instances/{instance_id}", f"Redelivered {queued} notification(s): {outcome}.")

        return await run_form(request, act, self.page)

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__ui`."""
        return [
            IdRoute("/instances/{id:int}", self.show, methods=["GET"]),
            IdRoute("/instances/{id:int}/redeliver", self.redeliver, methods=["POST"]),
        ]
