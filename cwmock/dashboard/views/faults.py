"""`/__ui/faults`: the faults switched on, a form to add one (the admin API's kinds, options and scope), removal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.dashboard.forms import Form
from cwmock.dashboard.pages import Pages, redirect, run_form
from cwmock.dashboard.sources import Sources
from cwmock.emulator.admin.faults import add_fault
from cwmock.emulator.faults.kinds import FAULT_KINDS, FAULT_STATUSES
from cwmock.emulator.http.params import IdRoute

# Form fields that become admin options as they are typed: text, whole numbers, numbers (skew may be negative).
TEXT_OPTIONS = ("mode", "precision", "path", "pathRegex", "method")
WHOLE_OPTIONS = ("status", "retryAfter", "times", "after")
NUMBER_OPTIONS = ("probability",)


def fault_options(form: Form) -> dict[str, Any]:
    """The admin API's fault body from the form: only the fields that were filled in."""
    options: dict[str, Any] = {"kind": form.text("kind", required=True, label="Kind")}
    for name in TEXT_OPTIONS:
        value = form.text(name)
        if value is not None:
            options[name] = value.upper() if name == "method" else value
    for name in WHOLE_OPTIONS:
        whole = form.integer(name, label=name)
        if whole is not None:
            options[name] = whole
    for name in NUMBER_OPTIONS:
        number = form.number(name, label=name)
        if number is not None:
            options[name] = number
    seconds = form.number("seconds", minimum=None, label="seconds")
    if seconds is not None:
        options["seconds"] = seconds
    seed = form.integer("seed", minimum=None, label="seed")
    if seed is not None:
        options["seed"] = seed
    mutation = form.json_object("mutation", label="Mutation JSON")
    if mutation is not None:
        options["mutation"] = mutation
    return options


class Faults:
    """The faults page and its forms."""

    def __init__(self, sources: Sources, pages: Pages) -> None:
        self.sources = sources
        self.pages = pages

    async def page(
        self, request: Request, *, error: str | None = None, form: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        """Render the faults page."""
        return self.pages.render(
            request,
            "faults.html",
            title="Faults",
            section="faults",
            status=status,
            error=error,
            form=form,
            faults=[fault.to_json() for fault in self.sources.emulator.faults.all()],
            kinds=FAULT_KINDS,
            statuses=FAULT_STATUSES,
        )

    async def show(self, request: Request) -> Response:
        """GET /faults."""
        return await self.page(request)

    async def add(self, request: Request) -> Response:
        """POST /faults: kind plus its options and scope."""
        emulator = self.sources.emulator

        async def act(form: Form) -> Response:
            fault = add_fault(emulator.faults, fault_options(form), emulator.store, emulator.clock)
            return redirect("/faults", f"Added fault {fault.id} ({fault.kind}).")

        return await run_form(request, act, self.page)

    async def remove(self, request: Request) -> Response:
        """POST /faults/{id}/remove."""
        fault_id: int = request.path_params["id"]

        async def act(form: Form) -> Response:
            self.sources.emulator.faults.remove(fault_id)
            return redirect("/faults", f"Removed fault {fault_id}.")

        return await run_form(request, act, self.page)

    async def clear(self, request: Request) -> Response:
        """POST /faults/clear: no faults, no skew, whole-second stamps."""

        async def act(form: Form) -> Response:
            self.sources.emulator.faults.clear()
            return redirect("/faults", "Removed every fault.")

        return await run_form(request, act, self.page)

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__ui`."""
        return [
            Route("/faults", self.show, methods=["GET"]),
            Route("/faults", self.add, methods=["POST"]),
            Route("/faults/clear", self.clear, methods=["POST"]),
            IdRoute("/faults/{id:int}/remove", self.remove, methods=["POST"]),
        ]
