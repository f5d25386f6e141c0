"""The bug-zoo poller's outbox: notifications stored with their bytes, retried with backoff, parked when refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cwmock.contract_tests.zoo.state import ZooState
from cwmock.contract_tests.zoo.wire import Client, HttpError, Response
from cwmock.core.timestamps import format_cw, parse_iso

RETRY_BASE = 8.0
RETRIES = 5
RETRY_AFTER_STATUSES = (429, 503)


def notification_bytes(document: dict[str, Any]) -> bytes:
    """The exact bytes sent: compact UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _retry_after(response: Response) -> float | None:
    value = response.headers.get("Retry-After")
    if response.status_code not in RETRY_AFTER_STATUSES or value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class Outbox:
    """Queued notifications of one poller; `bug` switches on one of the zoo's delivery bugs."""

    def __init__(
        self, state: ZooState, now: datetime, key: str | None, bug: str | None, *, retry_gone: bool = False
    ) -> None:
        self.state = state
        self.now = now
        self.key = key
        self.bug = bug
        self.retry_gone = retry_gone
        """Retry a 410 like any failure (Open Connectors documents 5 retries and nothing about 410)."""

    def add(self, document: dict[str, Any]) -> None:
        """Queue a notification, due now, with its bytes and webhook id fixed once."""
        self.state.outbox.append(
            {
                "webhook_id": f"zoo-{document['message']['instanceId']}-{document['id']}",
                "document": document,
                "body": notification_bytes(document).decode("utf-8"),
                "attempts": 0,
                "due": format_cw(self.now),
            }
        )

    def sign(self, body: bytes) -> str:
        """`sha256=` + Base64 of HMAC-SHA256 over the body (hex under the `hex-signature` bug)."""
        assert self.key is not None
        mac = hmac.new(self.key.encode("utf-8"), body, hashlib.sha256)
        return "sha256=" + (mac.hexdigest() if self.bug == "hex-signature" else base64.b64encode(mac.digest()).decode())

    def deliver(self, client: Client, url: str, rebuild: Callable[[dict[str, Any]], bytes] | None) -> None:
        """One attempt for every notification due now."""
        for entry in [e for e in self.state.outbox if parse_iso(e["due"]) <= self.now]:
            body = entry["body"].encode("utf-8")
            if rebuild is not None and entry["attempts"] > 0:
                body = rebuild(entry["document"])
            webhook_id = entry["webhook_id"]
            if self.bug == "new-id-per-retry":
                webhook_id += f"-attempt-{entry['attempts'] + 1}"
            headers = {"Content-Type": "application/json", "Elements-Webhook-Id": webhook_id}
            if self.key is not None:
                headers["Elements-Webhook-Signature"] = self.sign(body)
            retry_after: float | None = None
            try:
                response = client.post(url, content=body, headers=headers)
            except HttpError:
                status = None
            else:
                status, retry_after = response.status_code, _retry_after(response)
            self._settle(entry, status, retry_after)

    def _settle(self, entry: dict[str, Any], status: int | None, retry_after: float | None) -> None:
        if status is not None and 200 <= status < 300:
            self.state.outbox.remove(entry)
            return
        entry["attempts"] += 1
        if self.bug == "no-retry":
            self.state.outbox.remove(entry)  # the bug: the cursor already moved, the events are gone
            return
        if (status == 410 and not self.retry_gone) or entry["attempts"] > RETRIES:
            self.state.outbox.remove(entry)
            self.state.parked.append(entry)
            return
        delay = retry_after if retry_after is not None else RETRY_BASE ** entry["attempts"]
        entry["due"] = format_cw(self.now + timedelta(seconds=delay))

    def next_due(self) -> datetime | None:
        """The earliest retry still queued."""
        dues = [parse_iso(e["due"]) for e in self.state.outbox]
        return min(dues) if dues else None
