"""The webhook receiver over HTTP: a POST anywhere is a notification; `/__receiver/...` controls it."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from cwmock.core.validation import (
    InputError,
    check_json_content_type,
    check_whole_number,
    id_from_text,
    read_json_document,
)
from cwmock.emulator.http.bodies import read_limited
from cwmock.emulator.http.draining import Draining, draining_of
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.records import Arrival, Delivery, ScriptEntry

ADMIN_PREFIX = "/__receiver"

Endpoint = Callable[[Request], Awaitable[Response]]


MAX_CONTROL_BODY_BYTES = 1_048_576


class BadRequest(ValueError):
    """A control request the receiver refuses; answered with `status` (400 unless a subclass says) and the message."""

    status = 400


class UnsupportedMediaType(BadRequest):
    """A control body that is not JSON (415)."""

    status = 415


class TooLarge(BadRequest):
    """A control body over 1 MiB (413)."""

    status = 413


def _receiver(request: Request) -> Receiver:
    receiver: Receiver = request.app.state.receiver
    return receiver


def arrival_json(arrival: Arrival) -> dict[str, Any]:
    """An arrival as JSON: the body as text (null when not UTF-8) and always as Base64 of the exact bytes."""
    try:
        text: str | None = arrival.body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    verdict = arrival.signature
    return {
        "seq": arrival.seq,
        "arrived_at": arrival.arrived_at.isoformat(),
        "method": arrival.method,
        "path": arrival.path,
        "query": arrival.query,
        "headers": [list(pair) for pair in arrival.headers],
        "webhook_id": arrival.webhook_id,
        "body": text,
        "body_base64": base64.b64encode(arrival.body).decode("ascii"),
        "status": arrival.status,
        "too_large": arrival.too_large,
        "signature": {
            "status": verdict.status.value,
            "ok": verdict.ok,
            "algorithm": verdict.algorithm,
            "matched_key_index": verdict.matched_key_index,
            "reason": verdict.reason,
        },
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """A delivery group as JSON: its id, arrival seqs and statuses, and whether bodies conflict."""
    return {
        "webhook_id": delivery.webhook_id,
        "seqs": list(delivery.seqs),
        "statuses": [arrival.status for arrival in delivery.arrivals],
        "acknowledged": delivery.acknowledged,
        "distinct_bodies": len(delivery.bodies),
        "conflicting": delivery.conflicting,
    }


def script_json(entry: ScriptEntry) -> dict[str, Any]:
    """A pending script as JSON."""
    response = entry.response
    return {
        "status": response.status,
        "delay": response.delay,
        "headers": [list(pair) for pair in response.headers],
        "body_base64": base64.b64encode(response.body).decode("ascii"),
        "times": entry.times,
        "remaining": entry.remaining,
    }


def _guarded(where: str, endpoint: Endpoint) -> Endpoint:
    """Answer `BadRequest` with 400; record any other exception in the receiver so the test sees it."""

    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except Exception as exc:
            _receiver(request).record_error(f"{where} {request.method} {request.url.path}", exc)
            message = f"{type(exc).__name__} inside the cwmock receiver; it is re-raised in the test by check()"
            return JSONResponse({"error": message}, status_code=500)

    return guarded


async def notification(request: Request) -> Response:
    """Record a notification and answer it as scripted (default 200 `{}`); one over the size limit is 413."""
    receiver = _receiver(request)
    headers = tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in request.scope["headers"])
    query = request.scope.get("query_string", b"").decode("latin-1")
    body = await read_limited(request, receiver.max_body_bytes)
    if body is None:
        receiver.accept_too_large(request.method, request.url.path, query, headers)
        message = f"the notification is larger than {receiver.max_body_bytes} bytes, the most this receiver keeps"
        return JSONResponse({"message": message}, status_code=413)
    _, response = receiver.accept(request.method, request.url.path, query, headers, body)
    if response.delay > 0:
        # Real time on purpose: the point is to make the sender's HTTP client time out. A stopping server cuts it
        # short, so Ctrl-C never waits for it.
        pause = asyncio.sleep(response.delay)
        draining = draining_of(request.app)
        await (draining.unless_stopping(pause) if draining is not None else pause)
    return Response(response.body, status_code=response.status, headers=dict(response.headers))


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return id_from_text(name, raw)
    except InputError as exc:
        if raw.strip().lstrip("+-").isdigit():
            raise BadRequest(exc.message) from None
        raise BadRequest(f"{name} must be an integer, got {raw!r}") from None


async def list_arrivals(request: Request) -> Response:
    """GET arrivals, filtered by `webhook_id`, `since_seq` (exclusive) and `path`."""
    params = request.query_params
    arrivals = _receiver(request).arrivals(
        webhook_id=params.get("webhook_id") or None,
        since_seq=_int_param(request, "since_seq"),
        path=params.get("path") or None,
    )
    return JSONResponse({"arrivals": [arrival_json(arrival) for arrival in arrivals]})


async def list_deliveries(request: Request) -> Response:
    """GET the arrivals grouped by `Elements-Webhook-Id`."""
    deliveries = _receiver(request).deliveries()
    return JSONResponse({"deliveries": [delivery_json(delivery) for delivery in deliveries]})


async def _json_body(request: Request) -> Any:
    """The control request's JSON: the content type, 1 MiB and the JSON rules of docs/limits.md#json."""
    try:
        check_json_content_type(request.headers.get("content-type"))
    except InputError as exc:
        raise UnsupportedMediaType(exc.message) from None
    raw = await read_limited(request, MAX_CONTROL_BODY_BYTES)
    if raw is None:
        raise TooLarge(f"the request body is larger than {MAX_CONTROL_BODY_BYTES} bytes")
    try:
        return read_json_document(raw)
    except InputError as exc:
        raise BadRequest(f"the request body is not JSON the receiver reads ({exc.message})") from None


_SCRIPT_FIELDS = {"status", "times", "delay", "retry_after", "body", "headers"}


def _add_script(receiver: Receiver, spec: Any) -> None:
    if not isinstance(spec, dict) or not set(spec) <= _SCRIPT_FIELDS:
        raise BadRequest(
            f"a script is an object with fields {sorted(_SCRIPT_FIELDS)}, "
            'e.g. {"status": 500, "times": 2} or {"status": 429, "retry_after": 30}; got ' + json.dumps(spec)
        )
    retry_after, body = spec.get("retry_after"), spec.get("body")
    if retry_after is not None and not isinstance(retry_after, (int, str)):
        raise BadRequest(f"retry_after must be seconds or an HTTP date, got {json.dumps(retry_after)}")
    try:
        receiver.script(
            _whole("status", spec.get("status", 200)),
            times=_whole("times", spec.get("times", 1)),
            delay=float(spec.get("delay", 0.0)),
            retry_after=retry_after,
            # A string is sent as is; any other JSON value is sent serialised.
            body=body if body is None or isinstance(body, str) else json.dumps(body),
            headers=_header_pairs(spec.get("headers", [])),
        )
    except (TypeError, ValueError) as exc:  # InputError is a ValueError
        raise BadRequest(f"bad script {json.dumps(spec)[:300]}: {exc}") from None


def _whole(key: str, value: object) -> int:
    """A whole number given as a JSON integer (`500`, `500.0`) or its digits (`"500"`)."""
    if isinstance(value, str):
        return id_from_text(key, value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_whole_number(key, value)


def _header_pairs(value: object) -> list[tuple[str, str]]:
    if not isinstance(value, list) or not all(isinstance(pair, list) and len(pair) == 2 for pair in value):
        raise ValueError('headers must be a list of [name, value] pairs, e.g. [["X-Trace", "1"]]')
    return [(str(name), str(value)) for name, value in value]


async def show_scripts(request: Request) -> Response:
    """GET the scripts not yet used up."""
    return JSONResponse({"scripts": [script_json(entry) for entry in _receiver(request).scripts()]})


async def add_scripts(request: Request) -> Response:
    """POST one script object, or a list of them, appended in order."""
    spec = await _json_body(request)
    receiver = _receiver(request)
    for item in spec if isinstance(spec, list) else [spec]:
        _add_script(receiver, item)
    return await show_scripts(request)


async def clear_scripts(request: Request) -> Response:
    """DELETE every pending script."""
    _receiver(request).clear_scripts()
    return await show_scripts(request)


async def reset(request: Request) -> Response:
    """POST: forget arrivals and scripts; report (and clear) the errors recorded before."""
    receiver = _receiver(request)
    receiver.clear()
    errors = receiver.take_errors()
    return JSONResponse({"reset": True, "errors": [str(error) for error in errors]})


async def list_errors(request: Request) -> Response:
    """GET the errors recorded inside the receiver and not yet raised."""
    return JSONResponse({"errors": [str(error) for error in _receiver(request).errors()]})


async def show_config(request: Request) -> Response:
    """GET how many signature keys are set (never the keys) and whether legacy sha1 signatures are accepted."""
    receiver = _receiver(request)
    return JSONResponse(
        {"signature_key_count": len(receiver.signature_keys), "allow_legacy_sha1": receiver.allow_legacy_sha1}
    )


async def update_config(request: Request) -> Response:
    """PUT `{"signature_keys": [...], "allow_legacy_sha1": bool}` (either field may be left out)."""
    spec = await _json_body(request)
    receiver = _receiver(request)
    keys = spec.get("signature_keys") if isinstance(spec, dict) else None
    if not isinstance(spec, dict) or (
        "signature_keys" in spec and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys))
    ):
        raise BadRequest('send {"signature_keys": ["key", ...], "allow_legacy_sha1": false}')
    if isinstance(keys, list):
        receiver.set_signature_keys(keys)
    if "allow_legacy_sha1" in spec:
        receiver.allow_legacy_sha1 = bool(spec["allow_legacy_sha1"])
    return await show_config(request)


async def health(request: Request) -> Response:
    """GET readiness plus counts, so a harness can poll for the receiver being up."""
    receiver = _receiver(request)
    return JSONResponse(
        {
            "status": "ok",
            "arrivals": len(receiver.arrivals()),
            "pending_scripts": len(receiver.scripts()),
            "errors": len(receiver.errors()),
        }
    )


def _route(path: str, endpoint: Endpoint, method: str) -> Route:
    return Route(path, _guarded("receiver", endpoint), methods=[method])


def create_receiver_app(receiver: Receiver) -> Starlette:
    """A Starlette app serving `receiver`: control API under /__receiver, notifications on any other path."""
    admin_routes = [
        _route("/health", health, "GET"),
        _route("/arrivals", list_arrivals, "GET"),
        _route("/deliveries", list_deliveries, "GET"),
        _route("/script", show_scripts, "GET"),
        _route("/script", add_scripts, "POST"),
        _route("/script", clear_scripts, "DELETE"),
        _route("/reset", reset, "POST"),
        _route("/errors", list_errors, "GET"),
        _route("/config", show_config, "GET"),
        _route("/config", update_config, "PUT"),
    ]
    routes = [
        Mount(ADMIN_PREFIX, routes=admin_routes),
        _route("/{path:path}", notification, "POST"),
    ]
    app = Starlette(routes=routes)
    app.state.receiver = receiver
    app.state.draining = Draining()
    return app
