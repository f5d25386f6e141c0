"""Rendering the dashboard's pages: Jinja2 templates shipped in the package, what every page shows (the clock, the
navigation, a notice or an error), and how a form's outcome is told (a redirect with a notice, or the page again
with the error and the values that were entered)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from cwmock.contract_tests.timeline.page import STYLE as TIMELINE_STYLE
from cwmock.core.clock import ClockArgumentError, ClockBusyError, QuiesceTimeoutError
from cwmock.core.timestamps import UTC
from cwmock.core.validation import InputError
from cwmock.dashboard.forms import Form, FormError
from cwmock.dashboard.guard import SESSION_COOKIE, authenticated
from cwmock.dashboard.sources import NotJudgeable, Sources
from cwmock.emulator.http.paths import UI_PREFIX
from cwmock.emulator.model.errors import EmulatorError, NotFound


def when(instant: datetime | None) -> str:
    """An instant as pages show it: `2026-01-01 00:15:00Z` (milliseconds when it has a fraction)."""
    if instant is None:
        return "—"
    utc = instant.astimezone(UTC)
    text = utc.strftime("%Y-%m-%d %H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}"
    return text + "Z"


def pretty(value: Any) -> str:
    """JSON indented for reading."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


def failure(error: Exception) -> tuple[str, int]:
    """What to tell the user about an action that failed, and the status to answer with."""
    if isinstance(error, EmulatorError):
        details = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
        return details or error.message, 404 if isinstance(error, NotFound) else 400
    if isinstance(error, ClockBusyError):
        return str(error), 409
    if isinstance(error, QuiesceTimeoutError):
        return str(error), 504
    if isinstance(error, NotJudgeable):
        return str(error), 409
    return str(error), 400


# The errors a form's action can raise and the page reports; anything else is a bug and propagates.
ACTION_ERRORS = (
    FormError,
    EmulatorError,
    InputError,
    ClockArgumentError,
    ClockBusyError,
    QuiesceTimeoutError,
    NotJudgeable,
)


def redirect(path: str, notice: str) -> Response:
    """After a successful action: see the page again (a GET), with what happened."""
    return RedirectResponse(f"{UI_PREFIX}{path}?notice={quote(notice)}", status_code=303)


class ErrorPage(Protocol):
    """A page rendered again after a failed action: with the error, the values typed, and a 4xx or 5xx status."""

    def __call__(self, request: Request, *, error: str, form: dict[str, str], status: int) -> Awaitable[Response]:
        """Render the page."""
        ...


async def run_form(request: Request, action: Callable[[Form], Awaitable[Response]], page: ErrorPage) -> Response:
    """Read the request's form and run `action` on it; when the action fails, show `page` with what went wrong."""
    form = Form({})
    try:
        form = await Form.read(request)
        return await action(form)
    except ACTION_ERRORS as exc:
        message, status = failure(exc)
        return await page(request, error=message, form=form.values, status=status)


class Pages:
    """The template set and the context every page shares."""

    def __init__(self, sources: Sources, token: str | None) -> None:
        self.sources = sources
        self.token = token
        environment = Environment(
            loader=PackageLoader("cwmock.dashboard", "templates"),
            autoescape=select_autoescape(("html",)),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.filters["when"] = when
        environment.filters["pretty"] = pretty
        self.templates = Jinja2Templates(env=environment)

    def render(
        self,
        request: Request,
        template: str,
        *,
        title: str,
        section: str,
        status: int = 200,
        error: str | None = None,
        form: dict[str, str] | None = None,
        **context: Any,
    ) -> Response:
        """A page: `template` with the shared context; `error` and `form` when an action failed."""
        clock = self.sources.clock
        signed_in = authenticated(request, self.token)
        shared = {
            "ui": UI_PREFIX,
            "title": title,
            "section": section,
            "signed_in": signed_in,
            # Without the token, a page (the login form) shows nothing of the emulator.
            "clock": None if clock is None or not signed_in else clock.status(),
            "tenants": [tenant.company for tenant in self.sources.emulator.store.tenants] if signed_in else [],
            "has_receiver": self.sources.receiver is not None,
            "logout": self.token is not None and SESSION_COOKIE in request.cookies,
            "notice": request.query_params.get("notice"),
            "error": error,
            "form": form or {},
            "timeline_style": TIMELINE_STYLE,
        }
        response: Response = self.templates.TemplateResponse(
            request, template, {**shared, **context}, status_code=status
        )
        response.headers["Cache-Control"] = "no-store"
        return response
