"""Shared parsing for the admin API: JSON option bodies, instants, numbers, with errors that name the key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cwmock.core.timestamps import parse_iso
from cwmock.emulator.http.bodies import read_optional_json
from cwmock.emulator.http.responses import emulator_error_response
from cwmock.emulator.model.errors import EmulatorError, InvalidObject, invalid_field

Endpoint = Callable[[Request], Awaitable[Response]]


async def options_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or {} when it has no body."""
    body = await read_optional_json(request)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidObject(f"the admin request body must be a JSON object, got {type(body).__name__}")
    return body


def instant_option(options: dict[str, Any], key: str) -> datetime | None:
    """An ISO-8601 instant with a zone (`2026-01-01T00:00:00Z`), or None when absent."""
    value = options.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_field(key, f"{key} must be an ISO-8601 string such as 2026-01-01T00:00:00Z")
    try:
        return parse_iso(value)
    except ValueError as exc:
        raise invalid_field(key, f"{key}: {exc}") from None


def number_option(options: dict[str, Any], key: str, *, minimum: float | None = 0) -> float | None:
    """A number (int or float) at or above `minimum`, or None when absent."""
    value = options.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_field(key, f"{key} must be a number, got {value!r}")
    if minimum is not None and value < minimum:
        raise invalid_field(key, f"{key} must be at least {minimum}, got {value}")
    return float(value)


def int_option(options: dict[str, Any], key: str, *, minimum: int = 0, default: int | None = None) -> int | None:
    """A whole number at or above `minimum`, or `default` when absent."""
    value = options.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_field(key, f"{key} must be a whole number, got {value!r}")
    if value < minimum:
        raise invalid_field(key, f"{key} must be at least {minimum}, got {value}")
    return value


def query_instant(request: Request, key: str) -> datetime | None:
    """An ISO instant from the query string, or None."""
    raw = request.query_params.get(key)
    return None if raw is None else instant_option({key: raw}, key)


def handles_errors(endpoint: Endpoint) -> Endpoint:
    """Turn model errors raised by an admin endpoint into their 4xx responses."""

    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except EmulatorError as exc:
            return emulator_error_response(exc)

    return wrapped
