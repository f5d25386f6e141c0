"""Whole-number parameters: in the query string (refused with a 400 that names them) and ids in paths."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.routing import Match, Route
from starlette.types import Scope

from cwmock.core.validation import MAX_ID, InputError, id_from_text
from cwmock.emulator.model.errors import refused


def positive_int(name: str, raw: str) -> int:
    """A query parameter that must be a whole number of 1 or more; a 400 naming it otherwise."""
    try:
        return id_from_text(name, raw, minimum=1)
    except InputError as exc:
        raise refused(exc) from None


def query_texts(scope: Scope) -> dict[str, str]:
    """The request's query parameters as `request.query_params.get` reads them (a repeated name: its last value),
    parsed as Starlette parses them, without building its multi-dict."""
    return dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))


class IdRoute(Route):
    """A route whose `{...:int}` path parameters are ids (docs/limits.md#ids): one over MAX_ID, or too long for
    Python to convert, matches nothing, so it is answered 404 like any unknown path, never 500."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        try:
            match, child = super().matches(scope)
        except ValueError:  # int() refuses more than 4,300 digits
            return Match.NONE, {}
        params: dict[str, Any] = child.get("path_params", {})
        if any(type(value) is int and value > MAX_ID for value in params.values()):
            return Match.NONE, {}
        return match, child
