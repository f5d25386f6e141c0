"""What a handler tells the journal about the request it served, through the ASGI scope's state."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from cwmock.emulator.model.versions import Moment

_MOMENT = "cwmock.moment"
_NOTES = "cwmock.notes"


def set_moment(state: dict[str, Any], moment: Moment) -> None:
    """Attach the request's server time and sequence number (done by the journal middleware)."""
    state[_MOMENT] = moment


def request_moment(request: Request) -> Moment | None:
    """The request's server time and sequence number, when the journal numbered it."""
    moment = request.scope.get("state", {}).get(_MOMENT)
    return moment if isinstance(moment, Moment) else None


def annotate(request: Request, **notes: Any) -> None:
    """Record facts for the journal entry: tenant, instance, fault, result_end, returned."""
    request.scope.setdefault("state", {}).setdefault(_NOTES, {}).update(notes)


def notes_of(state: dict[str, Any]) -> dict[str, Any]:
    """The facts handlers recorded for this request."""
    notes: dict[str, Any] = state.get(_NOTES, {})
    return notes
