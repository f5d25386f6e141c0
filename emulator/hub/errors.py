"""The hub's error shape, `{message, requestId, providerMessage}` (Cloud Elements devportal, "Error Codes"), for
the platform's own refusals and for failures of the provider (ConnectWise) behind it.

The platform's own refusals (credentials, paging tokens, CEQL) reach no provider: their `providerMessage` is null
(**guess**: the devportal's one example carries a provider's text). A provider failure (a 5xx of ConnectWise) is
"502 Failed Request – Endpoint provider was not able to perform a CRUD request", with the provider's own message
in `providerMessage`; a provider's 4xx (a contact not found) keeps its status, with the provider's message too.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from cwmock.emulator.http.responses import json_response
from cwmock.emulator.journal.request_state import request_moment

PROVIDER_FAILED = 502


def hub_error(
    status: int,
    message: str,
    request_id: str,
    provider_message: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Open Connectors' error: `{"message", "requestId", "providerMessage"}` (null when no provider answered)."""
    body = {"message": message, "requestId": request_id, "providerMessage": provider_message}
    response = json_response(body, status=status, headers=headers)
    response.headers["elements-request-id"] = request_id
    return response


def provider_failure(status: int, provider_message: str, request_id: str) -> Response:
    """What the hub answers when ConnectWise answered `status` (a 5xx: 502 Failed Request; else that status)."""
    if status >= 500:
        message = f"Failed Request: the provider (ConnectWise) answered {status}"
        return hub_error(PROVIDER_FAILED, message, request_id, provider_message)
    return hub_error(status, f"The provider (ConnectWise) answered {status}", request_id, provider_message)


def request_id_of(request: Request) -> str:
    """The hub's `elements-request-id` for this request (from its sequence number)."""
    moment = request_moment(request)
    return f"cwmock-{moment.seq:012d}" if moment is not None else "cwmock-unnumbered"
