"""Arrivals grouped into deliveries, the versions their events name, and every format problem they show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import (
    ServedVersion,
    VersionKey,
    Window,
    format_second,
    parse_instant,
    utc_second,
    version_key,
)
from cwmock.contract_tests.oracle.notification_format import parse_body, validate_notification
from cwmock.receiver.records import Arrival, Delivery, group_deliveries
from cwmock.receiver.signatures import SIGNATURE_HEADER, verify


@dataclass(frozen=True)
class CarriedEvent:
    """One event of a delivery and the version it names (None when its objectId/date name none)."""

    key: VersionKey | None
    body_index: int
    event_index: int


@dataclass(frozen=True)
class JudgedDelivery:
    """A delivery (arrivals sharing one webhook id, or one arrival without it), its events and its problems."""

    delivery: Delivery
    notification_ids: tuple[str, ...]
    events: tuple[CarriedEvent, ...]
    problems: tuple[str, ...]

    @property
    def webhook_id(self) -> str | None:
        """The `Elements-Webhook-Id` shared by the arrivals."""
        return self.delivery.webhook_id

    @property
    def acknowledged(self) -> bool:
        """True when at least one arrival was answered 2xx."""
        return self.delivery.acknowledged

    def versions(self) -> list[VersionKey]:
        """The versions it carries, once each (a version in two bodies of one delivery counts once)."""
        return list(dict.fromkeys(e.key for e in self.events if e.key is not None))

    def repeats(self, key: VersionKey) -> bool:
        """True when one body of this delivery lists `key` in two events."""
        bodies = [e.body_index for e in self.events if e.key == key]
        return len(bodies) != len(set(bodies))

    def label(self) -> str:
        """E.g. `webhook id a1 (notification 69182068; arrivals #3 -> 500, #4 -> 200)`."""
        name = f"webhook id {self.webhook_id}" if self.webhook_id is not None else "an arrival without webhook id"
        ids = ", ".join(self.notification_ids) or "no id"
        answers = ", ".join(f"#{a.seq} -> {a.status}" for a in self.delivery.arrivals)
        return f"{name} (notification {ids}; arrivals {answers})"


def _get(document: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(document, list) or not 0 <= step < len(document):
                return None
            document = document[step]
        elif isinstance(document, dict):
            document = document.get(step)
        else:
            return None
    return document


def _event_key(event: Any) -> VersionKey | None:
    """The version an event names: objectId = str(id) exactly, date parsed as an instant."""
    object_id, date = _get(event, "objectId"), _get(event, "date")
    if not isinstance(object_id, str) or not object_id.isdigit() or str(int(object_id)) != object_id:
        return None
    try:
        return version_key(int(object_id), parse_instant(date, "date"))
    except ValueError:
        return None


def _record_instant(value: Any, date_format: str) -> datetime | None:
    """A record's date field as an instant, when it is an ISO string (or epoch ms under `milliseconds`)."""
    if date_format == "milliseconds" and isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    try:
        return parse_instant(value, "record")
    except ValueError:
        return None


class FormatJudge:
    """Checks one instance's notifications against docs/design.md#notification-format (beyond the schema)."""

    def __init__(
        self, facts: InstanceFacts, windows: Sequence[Window], served: Mapping[VersionKey, ServedVersion]
    ) -> None:
        self.facts = facts
        self.windows = windows
        self.served = served
        self.windows_by_start: dict[datetime, list[Window]] = {}
        for window in windows:
            for second in window.possible_starts():
                self.windows_by_start.setdefault(second, []).append(window)
        self.window_starts = sorted(self.windows_by_start)

    def judge(self, delivery: Delivery) -> JudgedDelivery:
        """The delivery's events and problems (empty when correctly formatted)."""
        problems: list[str] = []
        ids: list[str] = []
        events: list[CarriedEvent] = []
        if delivery.conflicting:
            seqs = ", ".join(f"#{a.seq}" for a in delivery.arrivals)
            problems.append(
                f"webhook id {delivery.webhook_id} arrived with {len(delivery.bodies)} different bodies "
                f"(arrivals {seqs}); a resend must repeat the same id with the same bytes"
            )
        for arrival in delivery.arrivals:
            if arrival.too_large:  # refused 413 by the receiver's size limit: no body was kept to judge
                continue
            problems += self._signature(arrival.seq, arrival.header(SIGNATURE_HEADER), arrival.body)
        for body_index, body in enumerate(delivery.bodies):
            prefix = f"body {body_index + 1}: " if len(delivery.bodies) > 1 else ""
            document, _ = parse_body(body)
            problems += [prefix + p for p in validate_notification(body, id_field=self.facts.id_field)]
            notification_id = _get(document, "id")
            if isinstance(notification_id, str) and notification_id not in ids:
                ids.append(notification_id)
            problems += [prefix + p for p in self._identity(document)]
            raw_events = _get(document, "message", "events")
            for event_index, event in enumerate(raw_events if isinstance(raw_events, list) else []):
                key = _event_key(event)
                events.append(CarriedEvent(key, body_index, event_index))
                problems += [prefix + p for p in self._event(document, event_index, event, key)]
        return JudgedDelivery(delivery, tuple(ids), tuple(events), tuple(dict.fromkeys(problems)))

    def _signature(self, seq: int, header: str | None, body: bytes) -> list[str]:
        if self.facts.signature_key is None:
            return []
        verdict = verify(header, body, [self.facts.signature_key])
        return [] if verdict.ok else [f"arrival #{seq}: {SIGNATURE_HEADER} {verdict.status.value}: {verdict.reason}"]

    def _identity(self, document: Any) -> list[str]:
        problems = []
        for name in ("instanceId", "instance_id"):
            value = _get(document, "message", name)
            if isinstance(value, int) and value != self.facts.id:
                problems.append(f"message.{name} is {value} but the instance id is {self.facts.id}")
        return problems

    def _event(self, document: Any, index: int, event: Any, key: VersionKey | None) -> list[str]:
        where = f"message.events[{index}]"
        if key is None:
            object_id, date = _get(event, "objectId"), _get(event, "date")
            return [f"{where} names no version: objectId {object_id!r} must be the id as a string, date {date!r}"]
        record = _get(document, "message", "raw", "contacts", index)
        return self._poll_date(where, event, key) + self._record_rules(where, event, key, record)

    def _poll_date(self, where: str, event: Any, key: VersionKey) -> list[str]:
        text = _get(event, "pollDate")
        try:
            poll_date = parse_instant(text, "pollDate")
        except ValueError:
            return []  # the schema reports the shape
        windows = self.windows_by_start.get(poll_date, []) if utc_second(poll_date) == poll_date else []
        if not windows:
            starts = ", ".join(format_second(s) for s in self.window_starts) or "none"
            return [f"{where}.pollDate {text} is not the start of any window (window starts: {starts})"]
        served = self.served.get(key)
        if served is not None and all(served.first.seq > w.end_seq for w in windows):
            names = ", ".join(f"window {w.index} (ended at seq {w.end_seq})" for w in windows)
            return [
                f"{where}.pollDate {text} is the start of {names}, but {key} was first served at seq "
                f"{served.first.seq}, after that poll: pollDate must be the start of the poll that found the record"
            ]
        return []

    def _record_rules(self, where: str, event: Any, key: VersionKey, record: Any) -> list[str]:
        if not isinstance(record, dict):
            return []  # the schema and notification_format report a missing record
        facts = self.facts
        problems = []
        updated = _record_instant(_get(record, *facts.updated_date_field.split(".")), facts.updated_date_format)
        created = _record_instant(_get(record, *facts.created_date_field.split(".")), facts.created_date_format)
        if updated is None:
            problems.append(
                f"{where}: its record has no readable {facts.updated_date_field}; raw must carry the record"
            )
        elif utc_second(updated) != key.stamp:
            problems.append(
                f"{where}.date is {format_second(key.stamp)} but its record's {facts.updated_date_field} is "
                f"{format_second(updated)}: date is the record's updated stamp"
            )
        event_type = _get(event, "eventType")
        if updated is not None and created is not None and isinstance(event_type, str):
            gap = abs((updated - created).total_seconds())
            expected = "CREATED" if gap <= facts.created_check_tolerance else "UPDATED"
            if event_type != expected:
                problems.append(
                    f"{where}.eventType is {event_type} but {facts.created_date_field} and "
                    f"{facts.updated_date_field} are {gap:g} s apart (createdCheckTolerance "
                    f"{facts.created_check_tolerance:g} s), so it must be {expected}"
                )
        return problems


def judge_deliveries(
    arrivals: Sequence[Arrival],
    facts: InstanceFacts,
    windows: Sequence[Window],
    served: Mapping[VersionKey, ServedVersion],
) -> list[JudgedDelivery]:
    """Group arrivals into deliveries (same webhook id = one delivery) and judge each one's format."""
    judge = FormatJudge(facts, windows, served)
    return [judge.judge(delivery) for delivery in group_deliveries(arrivals)]
