"""Reading JSON request bodies: the content type, a size limit, then the JSON rules of `cwmock.core.validation`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from cwmock.core.validation import InputError, check_json_content_type, read_json_document
from cwmock.core.validation.documents import MAX_JSON_DEPTH
from cwmock.emulator.model.errors import EmulatorError, InvalidObject, refused

DEFAULT_MAX_BODY_BYTES = 1_048_576


class BodyTooLarge(EmulatorError):
    """A request body over the configured limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__("RequestTooLarge", f"the request body is larger than {limit} bytes")


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The raw body, or None once it runs past `limit` bytes (the rest is never read into memory)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        return None
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def read_body(request: Request, limit: int = DEFAULT_MAX_BODY_BYTES) -> bytes:
    """The raw body; 413 past `limit` bytes (read no further than that)."""
    body = await read_limited(request, limit)
    if body is None:
        raise BodyTooLarge(limit)
    return body


async def read_json(request: Request, limit: int = DEFAULT_MAX_BODY_BYTES, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The parsed JSON body; 415 for a content type that is not JSON, 413 past `limit` bytes, 400 when not JSON."""
    document = await read_optional_json(request, limit, max_depth=max_depth)
    if document is None:
        raise InvalidObject("the request body is empty; send a JSON document")
    return document


async def read_optional_json(
    request: Request, limit: int = DEFAULT_MAX_BODY_BYTES, *, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """Like `read_json`, but None for an empty body (whatever its content type: there is nothing to misread)."""
    raw = await read_body(request, limit)
    if not raw.strip():
        return None
    try:
        check_json_content_type(request.headers.get("content-type"))
        document = read_json_document(raw, key="body", max_depth=max_depth)
    except InputError as exc:
        raise refused(exc) from None
    if document is None:
        raise InvalidObject("the request body is JSON null; send a JSON document")
    return document
