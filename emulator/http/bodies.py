"""Reading JSON request bodies with a size limit and clear errors."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from cwmock.emulator.model.errors import EmulatorError, InvalidObject

DEFAULT_MAX_BODY_BYTES = 1_048_576


class BodyTooLarge(EmulatorError):
    """A request body over the configured limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__("RequestTooLarge", f"the request body is larger than {limit} bytes")


async def read_json(request: Request, limit: int = DEFAULT_MAX_BODY_BYTES) -> Any:
    """The parsed JSON body; 413 past `limit` bytes, 400 when it is not JSON."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise InvalidObject("the request body is empty; send a JSON document")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidObject(f"the request body is not valid JSON: {exc}") from None
