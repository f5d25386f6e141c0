"""`/__ui/instances/{id}/timeline`: the oracle's verdict on an instance our poller polls, drawn as a timeline (the
same drawing the contract suite writes for a failing scenario), and as a file to keep."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute

from cwmock.contract_tests.timeline.model import build_timeline
from cwmock.contract_tests.timeline.page import render_fragment, render_page
from cwmock.dashboard.pages import Pages
from cwmock.dashboard.sources import NotJudgeable, Sources
from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.model.errors import NotFound


class Timelines:
    """The live verdict of an instance."""

    def __init__(self, sources: Sources, pages: Pages) -> None:
        self.sources = sources
        self.pages = pages

    async def show(self, request: Request) -> Response:
        """GET /instances/{id}/timeline."""
        instance_id: int = request.path_params["id"]
        shown: dict[str, Any] = {"fragment": None, "reason": None, "next_window": None, "windows": 0}
        try:
            case = self.sources.live_case(instance_id)
        except NotFound as exc:
            return self.pages.render(
                request, "missing.html", title="Not found", section="overview", status=404, error=exc.message
            )
        except NotJudgeable as exc:
            shown["reason"] = str(exc)
        else:
            supervisor = self.sources.supervisor
            shown["fragment"] = render_fragment(build_timeline(case, case.judge()))
            shown["next_window"] = supervisor.next_window(instance_id) if supervisor is not None else None
            shown["windows"] = len(case.windows)
        title = f"Instance {instance_id}: the verdict as a timeline"
        return self.pages.render(
            request, "timeline.html", title=title, section="overview", instance_id=instance_id, **shown
        )

    async def download(self, request: Request) -> Response:
        """GET /instances/{id}/timeline.html: the same timeline as a self-contained file."""
        instance_id: int = request.path_params["id"]
        try:
            case = self.sources.live_case(instance_id)
        except (NotFound, NotJudgeable) as exc:
            return PlainTextResponse(f"cannot draw instance {instance_id}: {exc}", status_code=404)
        page = render_page(build_timeline(case, case.judge()), f"cwmock verdict timeline, instance {instance_id}")
        disposition = f'attachment; filename="cwmock-instance-{instance_id}-timeline.html"'
        return HTMLResponse(page, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__ui`."""
        return [
            IdRoute("/instances/{id:int}/timeline", self.show, methods=["GET"]),
            IdRoute("/instances/{id:int}/timeline.html", self.download, methods=["GET"]),
        ]
