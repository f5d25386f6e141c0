"""What the webhook receiver records: arrivals, deliveries grouped by webhook id, scripted responses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from cwmock.core.validation import MAX_DURATION_SECONDS, check_duration, check_text, check_whole_number
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
    # True when the body was over the receiver's limit: answered 413, and `body` (not kept) is empty.
    too_large: bool = False

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
        """The distinct bodies among the arrivals, in first-seen order (a body too large to keep is none)."""
        return tuple(dict.fromkeys(arrival.body for arrival in self.arrivals if not arrival.too_large))

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
    """Build a response, checking the arguments a test author could get wrong (docs/limits.md#receiver)."""
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise ValueError(f"scripted status {status!r} is not a final HTTP status; use 200..599")
    if isinstance(delay, (int, float)) and not isinstance(delay, bool) and delay < 0:
        raise ValueError(f"scripted delay {delay} s is negative; use 0 for no delay")
    check_duration("delay", delay, maximum=MAX_SCRIPT_DELAY_SECONDS)
    if retry_after is not None:
        retry_after = _retry_after(retry_after)
    checked_headers = [_header(name, value) for name, value in headers]
    if isinstance(body, str):
        check_text("body", body)
    if body is None:
        body = b"{}" if 200 <= status < 300 else json.dumps({"message": f"scripted {status}"}).encode()
    all_headers = [("content-type", "application/json"), *checked_headers]
    if retry_after is not None:
        all_headers.append(("retry-after", str(retry_after)))
    encoded = body.encode("utf-8") if isinstance(body, str) else body
    return ScriptedResponse(status, encoded, tuple(all_headers), float(delay))


# A scripted delay holds a request open in real time: at most 300 s, a long-poll's limit (our choice).
MAX_SCRIPT_DELAY_SECONDS = 300.0
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]{0,8192}")


def _retry_after(value: object) -> int | str:
    """Seconds (0 to 36,500 days) or an HTTP date, as `Retry-After` carries them."""
    if isinstance(value, str):
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            parsed = None
        if parsed is None or _FIELD_VALUE.fullmatch(value) is None:
            raise ValueError(f"retry_after must be seconds or an HTTP date, got {value[:60]!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"retry_after must be seconds or an HTTP date, got {value!r}")
    return check_whole_number("retry_after", value, minimum=0, maximum=MAX_DURATION_SECONDS)


def _header(name: object, value: object) -> tuple[str, str]:
    """A header a response can carry: a token for a name, a value of visible Latin-1 text without line breaks."""
    if not isinstance(name, str) or _TOKEN.fullmatch(name) is None:
        raise ValueError(
            f"scripted header name {str(name)[:60]!r} is not an HTTP token (letters, digits, !#$%&'*+-.^_`|~)"
        )
    if not isinstance(value, str) or _FIELD_VALUE.fullmatch(value) is None:
        raise ValueError(
            f"scripted header {name} has a value HTTP cannot carry (Latin-1 text without line breaks, 8,192 at most)"
        )
    return name, value
