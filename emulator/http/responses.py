"""JSON responses and ConnectWise-shaped error bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.responses import Response

from cwmock.emulator.http.bodies import BodyTooLarge
from cwmock.emulator.model.errors import EmulatorError, InvalidObject, NotFound, UnsupportedMediaType

ERROR_STATUS: dict[type[EmulatorError], int] = {
    InvalidObject: 400,
    NotFound: 404,
    BodyTooLarge: 413,
    UnsupportedMediaType: 415,
}


# orjson's own nesting limit: deeper data (or a cycle) goes to the standard library, which answers it as before.
_FAST_DEPTH = 254
_SCALARS = frozenset({str, int, bool, type(None)})


def _fast_encodable(data: Any, depth: int = 0) -> bool:
    """True when `data` is built only of exact `dict` (str keys), `list`, `tuple`, `str`, `int`, `bool` and None,
    at most `_FAST_DEPTH` deep: the values orjson writes with the standard library's very bytes. Floats are not
    (orjson spells `1e-05` as `0.00001`, NaN as `null`), nor subclasses, UUIDs, enums or dates (orjson writes those;
    the standard library refuses them)."""
    kind = type(data)
    if kind in _SCALARS:
        return True
    if depth >= _FAST_DEPTH:
        return False
    if kind is dict:
        for key, value in data.items():
            if type(key) is not str or (type(value) not in _SCALARS and not _fast_encodable(value, depth + 1)):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) in _SCALARS or _fast_encodable(item, depth + 1) for item in data)
    return False


def dump_json(data: Any) -> bytes:
    """Compact JSON, as ConnectWise sends it; never fails on text (a lone surrogate is written as `\\udxxx`).

    The bytes are the standard library's (`json.dumps` with compact separators, UTF-8); orjson writes them where
    it is known to write the same (`_fast_encodable`), in about 0.6 of the time, that check included: a hub page
    renders every contact a burst touched (docs/benchmarks.md#session-6). What orjson refuses (integers beyond 64
    bits, lone surrogates) goes to the standard library too.
    """
    if _fast_encodable(data):
        try:
            written = orjson.dumps(data)
        except orjson.JSONEncodeError:
            pass
        else:
            # A copy of exactly its size: orjson's own object sits in the larger block its buffer grew into, so
            # thousands of them kept by the rendered-contact cache spread over more memory, and a list page joining
            # 1,000 of them measured 1-4% slower than with the standard library's; copied, even (about 0.2 µs a copy).
            return memoryview(written).tobytes()
    return _dump_json_stdlib(data)


def _dump_json_stdlib(data: Any) -> bytes:
    try:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # The edges refuse such text, so only data stored by other means gets here: answer it, escaped, not a 500.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response with ConnectWise's content type."""
    return Response(dump_json(data), status_code=status, headers=headers, media_type="application/json")


def json_array_response(items: Sequence[bytes], headers: Mapping[str, str] | None = None) -> Response:
    """A 200 JSON array response from items already serialized by `dump_json` (the same bytes as dumping the list)."""
    return Response(join_json_array(items), headers=headers, media_type="application/json")


def join_json_array(items: Sequence[bytes]) -> bytes:
    """`[a,b,...]` from serialized items, copying the (possibly megabyte) body once rather than three times."""
    if not items:
        return b"[]"
    parts = list(items)
    parts[0] = b"[" + parts[0]
    parts[-1] = parts[-1] + b"]"
    return b",".join(parts)


def error_body(code: str, message: str, errors: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """ConnectWise's error shape: `{"code", "message", "errors"}`, with `"errors": null` when there are none, as
    the PSA Developer Guide's own example shows (`{"code": "Security", "message": "SSL is required.", "errors": null}`).
    """
    return {"code": code, "message": message, "errors": list(errors) if errors else None}


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """A ConnectWise-style error with no field details."""
    return json_response(error_body(code, message), status, headers)


def rate_limit_message(retry_after: int) -> str:
    """ConnectWise's words for a 429 (PSA Developer Guide, "Rate Limiting")."""
    return f"Too many requests. Please try again in {retry_after} seconds."


def rate_limited_response(retry_after: int) -> Response:
    """ConnectWise's 429, with `Retry-After` in seconds (PSA Developer Guide, "Rate Limiting": note `error`, not
    `code`, in this one body)."""
    body = {"error": "ConnectWiseAPI", "message": rate_limit_message(retry_after)}
    return json_response(body, status=429, headers={"Retry-After": str(retry_after)})


def error_status(error: EmulatorError) -> int:
    """The HTTP status of a model error (400 unless it is a 404, 413 or 415)."""
    return next((s for cls, s in ERROR_STATUS.items() if isinstance(error, cls)), 400)


def emulator_error_response(error: EmulatorError) -> Response:
    """Map a model error to its HTTP status and body."""
    status = error_status(error)
    details = [{"code": e.code, "message": e.message, "resource": e.resource, "field": e.field} for e in error.errors]
    return json_response(error_body(error.code, error.message, details), status)
