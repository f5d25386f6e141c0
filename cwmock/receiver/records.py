"""What the webhook receiver records: arrivals, deliveries grouped by webhook id, scripted responses."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cwmock.receiver.signatures import SignatureVerdict

WEBHOOK_ID_HEADER = "Elements-Webhook-Id"

Headers = tuple[tuple[str, str], ...]


def header_values(headers: Headers, name: str) -> list[str]:
    """Every value of header `name` (case-insensitive), in arrival order."""
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


@dataclass(frozen=True)
class Arrival:
    """One HTTP request as it reached the receiver: raw bytes and headers, before any parsing.

    `status` is the status the receiver answered (or, under a scripted delay, was about to answer when the
    sender may already have given up). `headers` keeps order and duplicates; names are as the server
    delivered them (lower case under HTTP/1.1 servers).
    """

    seq: int
    arrived_at: datetime
    method: str
    path: str
    query: str
    headers: Headers
    body: bytes
    status: int
    signature: SignatureVerdict

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        values = header_values(self.headers, name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive), in arrival order."""
        return header_values(self.headers, name)

    @property
    def webhook_id(self) -> str | None:
        """The first non-empty `Elements-Webhook-Id` value; None when absent or empty."""
        return next((value for value in self.header_values(WEBHOOK_ID_HEADER) if value), None)

    @property
    def acknowledged(self) -> bool:
        """True when the receiver answered 2xx."""
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not)."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Delivery:
    """Arrivals that share one `Elements-Webhook-Id` (or a single arrival without the header)."""

    webhook_id: str | None
    arrivals: tuple[Arrival, ...]

    @property
    def bodies(self) -> tuple[bytes, ...]:
        """The distinct bodies among the arrivals, in first-seen order."""
        return tuple(dict.fromkeys(arrival.body for arrival in self.arrivals))

    @property
    def conflicting(self) -> bool:
        """True when the same id came with different bodies: malformed, not a resend."""
        return len(self.bodies) > 1

    @property
    def acknowledged(self) -> bool:
        """True when at least one of the arrivals was answered 2xx."""
        return any(arrival.acknowledged for arrival in self.arrivals)

    @property
    def seqs(self) -> tuple[int, ...]:
        """The sequence numbers of the arrivals."""
        return tuple(arrival.seq for arrival in self.arrivals)


def group_deliveries(arrivals: Iterable[Arrival]) -> list[Delivery]:
    """Group arrivals by `Elements-Webhook-Id`, first arrival first; one without an id stands alone."""
    groups: dict[str | int, list[Arrival]] = {}
    for arrival in arrivals:
        key: str | int = arrival.webhook_id if arrival.webhook_id is not None else -arrival.seq
        groups.setdefault(key, []).append(arrival)
    return [Delivery(members[0].webhook_id, tuple(members)) for members in groups.values()]


@dataclass(frozen=True)
class ScriptedResponse:
    """How to answer one notification: status, body, headers, and a real-time delay before answering."""

    status: int = 200
    body: bytes = b"{}"
    headers: Headers = (("content-type", "application/json"),)
    delay: float = 0.0


DEFAULT_RESPONSE = ScriptedResponse()


@dataclass
class ScriptEntry:
    """A scripted response for the next `times` notifications, `used` of which it has answered."""

    response: ScriptedResponse
    times: int
    used: int = 0

    @property
    def remaining(self) -> int:
        """How many more notifications this entry will answer."""
        return self.times - self.used


def scripted_response(
    status: int,
    *,
    delay: float = 0.0,
    retry_after: int | str | None = None,
    body: bytes | str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> ScriptedResponse:
    """Build a response, checking the arguments a test author could get wrong."""
    if not 200 <= status <= 599:
        raise ValueError(f"scripted status {status} is not a final HTTP status; use 200..599")
    if delay < 0:
        raise ValueError(f"scripted delay {delay} s is negative; use 0 for no delay")
    if body is None:
        body = b"{}" if 200 <= status < 300 else json.dumps({"message": f"scripted {status}"}).encode()
    all_headers = [("content-type", "application/json"), *headers]
    if retry_after is not None:
        all_headers.append(("retry-after", str(retry_after)))
    encoded = body.encode("utf-8") if isinstance(body, str) else body
    return ScriptedResponse(status, encoded, tuple(all_headers), float(delay))
