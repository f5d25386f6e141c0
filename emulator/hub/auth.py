"""Open Connectors hub authentication: `Authorization: User <secret>, Organization <secret>, Element <token>`."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from starlette.datastructures import Headers


@dataclass(frozen=True)
class HubCredentials:
    """The three secrets of a hub call (the element token may be absent for platform calls)."""

    user: str
    organization: str
    element: str | None


class HubAuthError(Exception):
    """Why a hub or platform call is not authenticated; the message says what to send."""


EXPECTED = "send Authorization: User <user secret>, Organization <organization secret>, Element <instance token>"


def parse_hub_authorization(headers: Headers) -> HubCredentials:
    """Read `User`, `Organization` and `Element` from the Authorization header (names case-insensitive)."""
    value = headers.get("authorization")
    if not value:
        raise HubAuthError(EXPECTED)
    parts: dict[str, str] = {}
    for number, piece in enumerate(value.split(","), 1):
        name, _, secret = piece.strip().partition(" ")
        if not name or not secret.strip():
            # Say which part, never its text: it may hold a secret.
            raise HubAuthError(f"cannot read part {number} of the Authorization header; {EXPECTED}")
        parts[name.lower()] = secret.strip()
    if "user" not in parts or "organization" not in parts:
        raise HubAuthError(f"User and Organization are both required; {EXPECTED}")
    return HubCredentials(parts["user"], parts["organization"], parts.get("element"))


def secrets_match(given: HubCredentials, user: str, organization: str) -> bool:
    """Constant-time check of the account secrets."""
    user_ok = hmac.compare_digest(given.user.encode(), user.encode())
    organization_ok = hmac.compare_digest(given.organization.encode(), organization.encode())
    return user_ok and organization_ok
