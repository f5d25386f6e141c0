"""ConnectWise API-key authentication: `Basic base64("company+public:private")` plus a `clientId` header."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from starlette.datastructures import Headers

CLIENT_ID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class ApiKeyCredentials:
    """What a Basic header carries."""

    company: str
    public_key: str
    private_key: str


class AuthError(Exception):
    """Why a request is not authenticated; the message tells the client what to send."""


def parse_basic(headers: Headers) -> ApiKeyCredentials:
    """Read the company, public and private key from the Authorization header."""
    value = headers.get("authorization")
    if not value:
        raise AuthError('send Authorization: Basic base64("company+publicKey:privateKey")')
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        raise AuthError("Authorization must use the Basic scheme with ConnectWise API keys")
    try:
        # A header holding non-ASCII characters is a ValueError before it is a base64 (binascii) error.
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise AuthError("the Basic credentials are not valid base64 of UTF-8 text") from exc
    user, colon, private_key = decoded.partition(":")
    company, plus, public_key = user.partition("+")
    if not colon or not plus or not company or not public_key:
        raise AuthError('Basic credentials must read "company+publicKey:privateKey"')
    return ApiKeyCredentials(company, public_key, private_key)


def require_client_id(headers: Headers) -> str:
    """The integration's clientId (header name matched case-insensitively, as clients spell it both ways)."""
    client_id = headers.get("clientid", "").strip()
    if not client_id:
        raise AuthError("a clientId header is required (the GUID of your integration)")
    return client_id


def basic_authorization(company: str, public_key: str, private_key: str) -> str:
    """The Authorization header value for these API keys (what a client sends)."""
    raw = f"{company}+{public_key}:{private_key}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def native_headers(company: str, public_key: str, private_key: str, client_id: str = CLIENT_ID) -> dict[str, str]:
    """Headers a ConnectWise client sends: Basic API-key auth and a clientId."""
    return {"Authorization": basic_authorization(company, public_key, private_key), "clientId": client_id}
