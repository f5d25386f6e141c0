"""Event records of one instance, as `GET /instances/{id}/events` lists them (Open Connectors, "Events Overview").

Built by watching the outbox: a notification that appears is NEW (DISPATCHED once an attempt failed, with the
reason), and one that leaves the outbox was acknowledged, so its events are NOTIFIED. The outbox forgets delivered
notifications (state stays bounded), so this log keeps the last `capacity` records in memory.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from cwmock.poller.state import PARKED, OutboxEntry, PollerState

DEFAULT_CAPACITY = 1000


def _events(entry: OutboxEntry) -> list[dict[str, Any]]:
    try:
        events = json.loads(entry.body)["message"]["events"]
    except (ValueError, KeyError, TypeError):
        return []
    return [e for e in events if isinstance(e, dict)]


class EventLog:
    """The latest event records of one instance, updated from snapshots of its outbox."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._records: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._in_outbox: dict[int, list[str]] = {}

    def observe(self, state: PollerState) -> None:
        """Compare the outbox with the last look: new notifications, failed attempts, acknowledgements."""
        entries = {entry.number: entry for entry in [*state.pending(), *state.parked()]}
        for number, record_ids in list(self._in_outbox.items()):
            if number not in entries:
                for record_id in record_ids:
                    if record_id in self._records:
                        self._records[record_id]["status"] = "NOTIFIED"
                del self._in_outbox[number]
        for number, entry in entries.items():
            ids = self._in_outbox.setdefault(number, [])
            for index, event in enumerate(_events(entry)):
                record_id = f"{entry.webhook_id}-{index}"
                if record_id not in ids:
                    ids.append(record_id)
                self._upsert(record_id, entry, event)

    def _upsert(self, record_id: str, entry: OutboxEntry, event: dict[str, Any]) -> None:
        status = "NEW" if entry.attempts == 0 else "DISPATCHED"
        notified: dict[str, Any] = {"webhookId": entry.webhook_id, "attempts": entry.attempts}
        if entry.status == PARKED:
            notified["undeliverable"] = entry.last_error or "refused on every attempt"
        elif entry.last_error:
            notified["lastError"] = entry.last_error
        self._records[record_id] = {
            "id": record_id,
            "eventDate": event.get("date"),
            "status": status,
            "objectId": event.get("objectId"),
            "objectType": event.get("objectType"),
            "eventType": event.get("eventType"),
            "providerData": {},
            "notifiedData": notified,
        }
        self._records.move_to_end(record_id)
        while len(self._records) > self.capacity:
            self._records.popitem(last=False)

    def records(self) -> list[dict[str, Any]]:
        """Records oldest first."""
        return [dict(record) for record in self._records.values()]
