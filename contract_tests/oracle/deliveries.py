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
from cwmock.contract_tests.oracle.notification_format import dotted_value, parse_body, validate_document, value_at
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
    policy_problems: tuple[str, ...] = ()
    """Problems by cwmock policy only (docs/contract-suite/oracle.md#rules): they fail only when policy is judged."""

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


def _contact_id(value: Any) -> int | None:
    """A contact id as an event's objectId (a string of digits) or a record's id (an integer) carries it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdigit() and str(int(value)) == value:
        return int(value)
    return None


def _event_key(event: Any, record_stamp: datetime | None) -> VersionKey | None:
    """The version an event names: objectId = str(id) exactly, and the stamp of its record in raw (found by its
    idField), else its `date` parsed as an instant."""
    object_id = _contact_id(value_at(event, "objectId"))
    if object_id is None or not isinstance(value_at(event, "objectId"), str):
        return None
    if record_stamp is not None:
        return version_key(object_id, record_stamp)
    try:
        return version_key(object_id, parse_instant(value_at(event, "date"), "date"))
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


@dataclass(frozen=True)
class ServeTimes:
    """When responses that served records started (their `Date`), from the journal: by request seq, and each
    window's last (keyed by window index); and the windows the journal shows made no hub request (they served
    nothing)."""

    answered: Mapping[int, datetime]
    window_last: Mapping[int, datetime]
    silent: frozenset[int] = frozenset()


def served_in(served: ServedVersion, window: Window) -> bool:
    """True when the version may have been served in `window`: the served log keeps a version's first and last
    serve, so this is true when the span from first to last meets the window's sequence range."""
    return served.first.seq <= window.end_seq and served.last.seq > window.begin_seq


class FormatJudge:
    """Checks one instance's notifications against docs/design.md#notification-format (beyond the schema)."""

    def __init__(
        self,
        facts: InstanceFacts,
        windows: Sequence[Window],
        served: Mapping[VersionKey, ServedVersion],
        times: ServeTimes | None = None,
    ) -> None:
        self.facts = facts
        self.windows = list(windows)
        self.served = served
        self.times = times if times is not None else ServeTimes({}, {})

    def judge(self, delivery: Delivery) -> JudgedDelivery:
        """The delivery's events and problems (empty when correctly formatted)."""
        problems: list[str] = []
        policy: list[str] = []
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
            document, unreadable = parse_body(body)
            format_problems = unreadable or validate_document(document, id_field=self.facts.id_field)
            problems += [prefix + p for p in format_problems]
            notification_id = value_at(document, "id")
            if isinstance(notification_id, str) and notification_id not in ids:
                ids.append(notification_id)
            problems += [prefix + p for p in self._identity(document)]
            raw_records = value_at(document, "message", "raw", "contacts")
            records = raw_records if isinstance(raw_records, list) else []
            raw_events = value_at(document, "message", "events")
            polled: set[int] = set()
            by_id = self._records_by_id(records)
            for event_index, event in enumerate(raw_events if isinstance(raw_events, list) else []):
                record = self._record_of(event, by_id)
                key = _event_key(event, self._stamp(record))
                events.append(CarriedEvent(key, body_index, event_index))
                found, windows, policy_found = self._event(event_index, event, key, record)
                problems += [prefix + p for p in found]
                policy += [prefix + p for p in policy_found]
                polled |= windows
            problems += [prefix + p for p in self._raw_served(records, polled)]
        return JudgedDelivery(
            delivery, tuple(ids), tuple(events), tuple(dict.fromkeys(problems)), tuple(dict.fromkeys(policy))
        )

    def _signature(self, seq: int, header: str | None, body: bytes) -> list[str]:
        if self.facts.signature_key is None:
            return []
        verdict = verify(header, body, [self.facts.signature_key])
        return [] if verdict.ok else [f"arrival #{seq}: {SIGNATURE_HEADER} {verdict.status.value}: {verdict.reason}"]

    def _identity(self, document: Any) -> list[str]:
        problems = []
        for name in ("instanceId", "instance_id"):
            value = value_at(document, "message", name)
            if isinstance(value, int) and value != self.facts.id:
                problems.append(f"message.{name} is {value} but the instance id is {self.facts.id}")
        return problems

    def _stamp(self, record: Any) -> datetime | None:
        """A raw record's updated stamp, when readable."""
        if not isinstance(record, dict):
            return None
        field = self.facts.updated_date_field
        return _record_instant(dotted_value(record, field), self.facts.updated_date_format)

    def _record_id(self, record: Any) -> int | None:
        return _contact_id(dotted_value(record, self.facts.id_field)) if isinstance(record, dict) else None

    def _records_by_id(self, records: Sequence[Any]) -> dict[int, list[Any]]:
        """Raw's records by their idField (records without a readable one are left out), in raw's order."""
        by_id: dict[int, list[Any]] = {}
        for record in records:
            record_id = self._record_id(record)
            if record_id is not None:
                by_id.setdefault(record_id, []).append(record)
        return by_id

    def _record_of(self, event: Any, by_id: Mapping[int, list[Any]]) -> Any:
        """The event's record in raw, found by idField (never by position); with several, the one its date names."""
        object_id = _contact_id(value_at(event, "objectId"))
        candidates = by_id.get(object_id, []) if object_id is not None else []
        if len(candidates) > 1:
            try:
                date = utc_second(parse_instant(value_at(event, "date"), "date"))
            except ValueError:
                date = None
            named = [r for r in candidates if (stamp := self._stamp(r)) is not None and utc_second(stamp) == date]
            candidates = named or candidates
        return candidates[0] if candidates else None

    def _event(
        self, index: int, event: Any, key: VersionKey | None, record: Any
    ) -> tuple[list[str], set[int], list[str]]:
        """Problems of one event, the positions of the windows its pollDate can be from, and its policy problems."""
        where = f"message.events[{index}]"
        if key is None:
            object_id, date = value_at(event, "objectId"), value_at(event, "date")
            return (
                [f"{where} names no version: objectId {object_id!r} must be the id as a string, date {date!r}"],
                set(),
                [],
            )
        problems, windows = self._poll_date(where, event, key)
        found, policy = self._record_rules(where, event, key, record)
        return problems + found, windows, policy

    def _answered(self, seq: int, fallback: datetime) -> datetime:
        return self.times.answered.get(seq, fallback)

    def _serve_bound(self, served: ServedVersion, window: Window) -> datetime:
        """The latest instant the version can first have been served in `window`: when the response that served it
        started (its `Date`, after any emulated latency)."""
        if window.holds(served.first.seq):
            return self._answered(served.first.seq, served.first.at)
        # Its serves span the window (served_in), so its last serve is in the window or after it: no poll of the
        # window found it later, even where the journal lost the window's requests (the emulator's clock only moves
        # forward with its sequence numbers).
        bounds = [self._answered(served.last.seq, served.last.at)]
        if window.index in self.times.window_last:
            bounds.append(self.times.window_last[window.index])
        return min(bounds)

    def _poll_date(self, where: str, event: Any, key: VersionKey) -> tuple[list[str], set[int]]:
        text = value_at(event, "pollDate")
        try:
            poll_date = utc_second(parse_instant(text, "pollDate"))
        except ValueError:
            return [], set()  # the schema reports the shape
        served = self.served.get(key)
        if served is None:
            return [], set()  # FABRICATED: never served, so no poll found it
        accepted: set[int] = set()
        ranges = []
        for position, window in enumerate(self.windows):
            if not served_in(served, window) or window.index in self.times.silent:
                continue
            upper = utc_second(self._serve_bound(served, window))
            lower = window.earliest_poll_date()
            if lower <= poll_date <= upper:
                accepted.add(position)
            ranges.append(f"window {window.index}: {format_second(lower)} to its first serve at {format_second(upper)}")
        if accepted:
            return [], accepted
        allowed = "; ".join(ranges) or "it was served in no window"
        return [
            f"{where}.pollDate {text} is not the time of a poll that found {key}: pollDate must be a server instant "
            f"from a window's start to the moment the record was first served in that window ({allowed})"
        ], accepted

    def _raw_served(self, records: Sequence[Any], polled: set[int]) -> list[str]:
        """Every raw record was served to the instance in the notification's window(s): nothing more."""
        problems = []
        windows = [self.windows[p] for p in sorted(polled)]
        for index, record in enumerate(records):
            where = f"message.raw.contacts[{index}]"
            record_id, stamp = self._record_id(record), self._stamp(record)
            if record_id is None or stamp is None:
                problems.append(
                    f"{where} names no served record: it needs its {self.facts.id_field} and a readable "
                    f"{self.facts.updated_date_field}; raw carries the records the poll was served"
                )
                continue
            key = version_key(record_id, stamp)
            served = self.served.get(key)
            if served is None:
                problems.append(f"{where} is {key}, never served to the instance; raw carries only served records")
            elif windows and not any(served_in(served, w) for w in windows):
                names = ", ".join(f"window {w.index}" for w in windows)
                problems.append(
                    f"{where} is {key}, served first at seq {served.first.seq} and last at seq {served.last.seq}, "
                    f"not in the poll this notification's pollDate names ({names}); raw carries that poll's records"
                )
        return problems

    def _record_rules(self, where: str, event: Any, key: VersionKey, record: Any) -> tuple[list[str], list[str]]:
        """Documented problems (eventType, a readable record) and policy ones (date = the updated stamp)."""
        if not isinstance(record, dict):
            return [], []  # notification_format reports an event without its record
        facts = self.facts
        problems, policy = [], []
        updated = self._stamp(record)
        created = _record_instant(dotted_value(record, facts.created_date_field), facts.created_date_format)
        if updated is None:
            problems.append(
                f"{where}: its record has no readable {facts.updated_date_field}; raw must carry the record"
            )
        else:
            try:
                date = utc_second(parse_instant(value_at(event, "date"), "date"))
            except ValueError:
                date = None  # the schema reports the shape
            if date is not None and date != utc_second(updated):
                policy.append(
                    f"{where}.date is {format_second(date)} but its record's {facts.updated_date_field} is "
                    f"{format_second(updated)}: date is the record's updated stamp (cwmock policy)"
                )
        event_type = value_at(event, "eventType")
        if updated is not None and created is not None and isinstance(event_type, str):
            gap = abs((updated - created).total_seconds())
            expected = "CREATED" if gap <= facts.created_check_tolerance else "UPDATED"
            if event_type != expected:
                problems.append(
                    f"{where}.eventType is {event_type} but {facts.created_date_field} and "
                    f"{facts.updated_date_field} are {gap:g} s apart (createdCheckTolerance "
                    f"{facts.created_check_tolerance:g} s), so it must be {expected}"
                )
        return problems, policy


def judge_deliveries(
    arrivals: Sequence[Arrival],
    facts: InstanceFacts,
    windows: Sequence[Window],
    served: Mapping[VersionKey, ServedVersion],
    times: ServeTimes | None = None,
) -> list[JudgedDelivery]:
    """Group arrivals into deliveries (same webhook id = one delivery) and judge each one's format."""
    judge = FormatJudge(facts, windows, served, times)
    return [judge.judge(delivery) for delivery in group_deliveries(arrivals)]
