"""What the receiver's tests send: a body, its signing key, webhook headers, and a predicate on arrivals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from cwmock.receiver.inbox import Predicate
from cwmock.receiver.records import Arrival

START = datetime(2024, 5, 31, 18, 30, tzinfo=timezone.utc)
KEY = "MySecretEventSignatureKey"
BODY = b'{"id": "69182068", "message": {"events": []}}'


def hook(webhook_id: str | None = None, signature: str | None = None) -> dict[str, str]:
    """JSON notification headers, with `Elements-Webhook-Id` and `Elements-Webhook-Signature` when given."""
    headers = {"content-type": "application/json"}
    if webhook_id is not None:
        headers["Elements-Webhook-Id"] = webhook_id
    if signature is not None:
        headers["Elements-Webhook-Signature"] = signature
    return headers


def count_at_least(n: int) -> Predicate:
    """A wait predicate: at least `n` arrivals."""

    def holds(arrivals: Sequence[Arrival]) -> bool:
        return len(arrivals) >= n

    return holds
