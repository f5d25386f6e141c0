"""The dashboard as a Starlette app, and how it is mounted at `/__ui` beside the admin API of an emulator.

Server-rendered pages, a stylesheet and a small script shipped in the package: no build step, no chart library,
nothing fetched from the network. The script only refreshes the live parts of a page; every page and form works
without it.
"""

from __future__ import annotations

from importlib import resources

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from cwmock.dashboard.guard import DashboardGuard
from cwmock.dashboard.pages import Pages
from cwmock.dashboard.sources import Sources
from cwmock.dashboard.views.arrivals import Arrivals
from cwmock.dashboard.views.clock import ClockActions
from cwmock.dashboard.views.contacts import Contacts
from cwmock.dashboard.views.faults import Faults
from cwmock.dashboard.views.instances import Instances
from cwmock.dashboard.views.overview import Overview
from cwmock.dashboard.views.session import Session
from cwmock.dashboard.views.timeline import Timelines
from cwmock.emulator.app import Emulator
from cwmock.emulator.http.paths import UI_PREFIX
from cwmock.poller.supervisor import PollerSupervisor
from cwmock.receiver.inbox import Receiver

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def _static_files() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("cwmock.dashboard").joinpath("static")
    files = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in STATIC_TYPES:
            files[entry.name] = (entry.read_bytes(), STATIC_TYPES[suffix])
    return files


def create_dashboard(sources: Sources, token: str | None = None) -> Starlette:
    """The dashboard over `sources`; with `token`, only for requests that present it (see `guard`)."""
    pages = Pages(sources, token)
    overview = Overview(sources, pages)
    session = Session(pages, token)
    static = _static_files()

    async def static_file(request: Request) -> Response:
        found = static.get(request.path_params["name"])
        if found is None:
            raise HTTPException(404, f"no static file {request.path_params['name']!r}")
        content, media_type = found
        return Response(content, media_type=media_type, headers={"Cache-Control": "no-cache"})

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException), "registered for HTTPException only"
        return pages.render(
            request,
            "missing.html",
            title="Not found" if exc.status_code == 404 else f"Error {exc.status_code}",
            section="",
            status=exc.status_code,
            error=f"{request.method} {request.url.path}: {exc.detail}",
        )

    routes = [
        *overview.routes(),
        *ClockActions(sources, overview).routes(),
        *Instances(sources, pages).routes(),
        *Timelines(sources, pages).routes(),
        *Contacts(sources, pages).routes(),
        *Faults(sources, pages).routes(),
        *Arrivals(sources, pages).routes(),
        *session.routes(),
        Route("/static/{name}", static_file, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(DashboardGuard, token=token, login_page=session.login_page)],
        exception_handlers={HTTPException: not_found},
    )


def mount_dashboard(
    emulator: Emulator, receiver: Receiver | None = None, supervisor: PollerSupervisor | None = None
) -> None:
    """Serve the dashboard at `/__ui` on the emulator's app, behind the admin token it was configured with."""
    dashboard = create_dashboard(Sources(emulator, receiver, supervisor), emulator.config.admin_token)
    emulator.app.router.routes.append(Mount(UI_PREFIX, app=dashboard))
