"""Shared parsing for the admin API: JSON option bodies, instants, numbers and durations, with errors that name
the key and its bound. The rules themselves are `cwmock.core.validation`'s (docs/limits.md)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cwmock.core.validation import (
    CLOCK_EARLIEST,
    CLOCK_LATEST,
    InputError,
    check_duration,
    check_number,
    check_whole_number,
    instant_from_text,
    number_from_text,
)
from cwmock.emulator.http.bodies import read_optional_json
from cwmock.emulator.http.responses import emulator_error_response
from cwmock.emulator.model.errors import EmulatorError, InvalidObject, refused

Endpoint = Callable[[Request], Awaitable[Response]]


async def options_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or {} when it has no body."""
    body = await read_optional_json(request)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidObject(f"the admin request body must be a JSON object, got {type(body).__name__}")
    return body


def instant_option(options: dict[str, Any], key: str, *, clock: bool = False) -> datetime | None:
    """An ISO-8601 instant with a zone (`2026-01-01T00:00:00Z`), or None when absent.

    With `clock`, the instant is one the clock may be moved to, or a stamp: within the clock's range.
    """
    value = options.get(key)
    if value is None:
        return None
    if clock:
        return instant_from_text(key, value, earliest=CLOCK_EARLIEST, latest=CLOCK_LATEST)
    return instant_from_text(key, value)


def number_option(
    options: dict[str, Any], key: str, *, minimum: float | None = 0, maximum: float | None = None
) -> float | None:
    """A finite number (int or float) within [`minimum`, `maximum`], or None when absent."""
    value = options.get(key)
    return None if value is None else check_number(key, value, minimum=minimum, maximum=maximum)


def duration_option(
    options: dict[str, Any], key: str, *, signed: bool = False, maximum: float = math.inf
) -> float | None:
    """Seconds (negative ones only when `signed`), at most 36,500 days either way (or `maximum`), or None."""
    value = options.get(key)
    if value is None:
        return None
    return check_duration(key, value, minimum=-math.inf if signed else 0.0, maximum=maximum)


def int_option(
    options: dict[str, Any], key: str, *, minimum: int = 0, maximum: int | None = None, default: int | None = None
) -> int | None:
    """A whole number within [`minimum`, `maximum`], or `default` when absent."""
    value = options.get(key, default)
    return None if value is None else check_whole_number(key, value, minimum=minimum, maximum=maximum)


def query_instant(request: Request, key: str) -> datetime | None:
    """An ISO instant from the query string, or None."""
    raw = request.query_params.get(key)
    return None if raw is None else instant_from_text(key, raw)


def query_duration(request: Request, key: str, *, maximum: float = math.inf) -> float | None:
    """Seconds from the query string (zero or more, at most 36,500 days or `maximum`), or None."""
    raw = request.query_params.get(key)
    return None if raw is None else check_duration(key, number_from_text(key, raw), maximum=maximum)


def handles_errors(endpoint: Endpoint) -> Endpoint:
    """Turn model errors and refused input raised by an admin endpoint into their 4xx responses."""

    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except EmulatorError as exc:
            return emulator_error_response(exc)
        except InputError as exc:
            return emulator_error_response(refused(exc))

    return wrapped
