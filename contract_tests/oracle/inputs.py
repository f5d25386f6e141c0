"""The oracle's inputs as typed records, parsed from the JSON the emulator's admin API returns.

Parsed from JSON (not read from the emulator's objects) so the oracle judges a remote emulator as well as an
in-process one. Every instant is UTC; a version is keyed by (contact id, stamp truncated to the second).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cwmock.core.timestamps import format_cw, parse_iso, to_utc_second
from cwmock.emulator.model.versions import Moment
from cwmock.receiver.records import Arrival
from cwmock.receiver.signatures import SignatureStatus, SignatureVerdict

# Stamps and sₖ are compared truncated to the second in UTC, and events carry `yyyy-MM-dd'T'HH:mm:ss'Z'`.
utc_second = to_utc_second
format_second = format_cw


def parse_instant(text: Any, where: str) -> datetime:
    """An ISO-8601 instant with `Z` or an offset, in UTC; anything else is a ValueError naming `where`."""
    if not isinstance(text, str):
        raise ValueError(f"{where}: expected an ISO-8601 instant string, got {text!r}")
    try:
        return parse_iso(text)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _moment(value: Any, where: str) -> Moment | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("seq"), int):
        raise ValueError(f"{where}: expected {{'at': ISO instant, 'seq': int}} or null, got {value!r}")
    return Moment(parse_instant(value.get("at"), f"{where}.at"), value["seq"])


def _required_moment(value: Any, where: str) -> Moment:
    moment = _moment(value, where)
    if moment is None:
        raise ValueError(f"{where}: a moment is required here, got null")
    return moment


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: expected an integer, got {value!r}")
    return value


def _optional_int(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where)


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a string, got {value!r}")
    return value


def _optional_str(value: Any, where: str) -> str | None:
    return None if value is None else _str(value, where)


def _optional_bool(value: Any, where: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"{where}: expected true, false or null, got {value!r}")
    return value


@dataclass(frozen=True, order=True)
class VersionKey:
    """A contact version as events name it: (id, stamp to the second)."""

    id: int
    stamp: datetime

    def __str__(self) -> str:
        return f"contact {self.id} @ {format_second(self.stamp)}"


def version_key(contact_id: int, stamp: datetime) -> VersionKey:
    """The key of (id, stamp), the stamp truncated to the second in UTC."""
    return VersionKey(contact_id, utc_second(stamp))


@dataclass(frozen=True)
class HistoryVersion:
    """One version from `GET /__admin/history`: visible from `became_visible` until superseded or deleted."""

    tenant: str
    id: int
    stamp: datetime
    written: Moment
    visible_from: datetime
    became_visible: Moment | None
    superseded: Moment | None = None
    deleted: Moment | None = None
    writes: int = 1

    @property
    def key(self) -> VersionKey:
        """(id, stamp) as an event names it."""
        return version_key(self.id, self.stamp)

    @property
    def ended(self) -> Moment | None:
        """When it stopped being visible: the earlier of superseded and deleted, or None while current."""
        ends = [m for m in (self.superseded, self.deleted) if m is not None]
        return min(ends, key=lambda m: (m.at, m.seq)) if ends else None

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "version") -> HistoryVersion:
        """Parse one entry of the `versions` list."""
        return cls(
            tenant=_str(data.get("tenant"), f"{where}.tenant"),
            id=_int(data.get("id"), f"{where}.id"),
            stamp=parse_instant(data.get("stamp"), f"{where}.stamp"),
            written=_required_moment(data.get("written"), f"{where}.written"),
            visible_from=parse_instant(data.get("visibleFrom"), f"{where}.visibleFrom"),
            became_visible=_moment(data.get("becameVisible"), f"{where}.becameVisible"),
            superseded=_moment(data.get("supersededAt"), f"{where}.supersededAt"),
            deleted=_moment(data.get("deletedAt"), f"{where}.deletedAt"),
            writes=_int(data.get("writes", 1), f"{where}.writes"),
        )


@dataclass(frozen=True)
class History:
    """`GET /__admin/history?tenant=`: the last sequence number handed out and every version."""

    sequence: int
    versions: tuple[HistoryVersion, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> History:
        """Parse the response body."""
        versions = data.get("versions")
        if not isinstance(versions, list):
            raise ValueError("history: expected {'sequence': int, 'versions': [...]} from GET /__admin/history")
        return cls(
            sequence=_int(data.get("sequence"), "history.sequence"),
            versions=tuple(HistoryVersion.from_json(v, f"history.versions[{i}]") for i, v in enumerate(versions)),
        )


@dataclass(frozen=True)
class ServedVersion:
    """A version served to the instance's token (`GET /__admin/instances/{id}/served`), first and last time."""

    id: int
    stamp_text: str
    first: Moment
    last: Moment
    times: int = 1

    @property
    def key(self) -> VersionKey:
        """(id, stamp) as an event names it."""
        return version_key(self.id, parse_instant(self.stamp_text, f"served contact {self.id} stamp"))

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "served") -> ServedVersion:
        """Parse one entry of the `versions` list."""
        stamp = data.get("stamp")
        if not isinstance(stamp, str):
            raise ValueError(f"{where}.stamp: expected the stamp string as served, got {stamp!r}")
        parse_instant(stamp, f"{where}.stamp")
        return cls(
            id=_int(data.get("id"), f"{where}.id"),
            stamp_text=stamp,
            first=_required_moment(data.get("first"), f"{where}.first"),
            last=_required_moment(data.get("last"), f"{where}.last"),
            times=_int(data.get("times", 1), f"{where}.times"),
        )


@dataclass(frozen=True)
class ServedLog:
    """Every version served to one instance's token (kept whole, outside the journal's ring)."""

    instance: int
    versions: tuple[ServedVersion, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ServedLog:
        """Parse the response body."""
        versions = data.get("versions")
        if not isinstance(versions, list):
            raise ValueError(
                "served: expected {'instance': int, 'versions': [...]} from GET /__admin/instances/{id}/served"
            )
        return cls(
            instance=_int(data.get("instance"), "served.instance"),
            versions=tuple(ServedVersion.from_json(v, f"served.versions[{i}]") for i, v in enumerate(versions)),
        )


@dataclass(frozen=True)
class JournalRecord:
    """One journalled request; hub requests carry `instance`, `fault` and `result_end`."""

    moment: Moment
    method: str
    path: str
    status: int
    query: str = ""
    tenant: str | None = None
    instance: int | None = None
    fault: str | None = None
    result_end: bool | None = None
    returned: int | None = None
    answered: datetime | None = None
    """When the response started (its `Date`), after any emulated latency; None from an emulator that omits it."""

    @property
    def answered_at(self) -> datetime:
        """When the response started, or, when the emulator did not say, when the request was numbered."""
        return self.answered if self.answered is not None else self.moment.at

    @property
    def faulted(self) -> bool:
        """True when the response was shaped by an injected fault, or was a 5xx or a 429."""
        return self.fault is not None or self.status >= 500 or self.status == 429

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "entry") -> JournalRecord:
        """Parse one entry of the `entries` list (a missing `query` is an empty one; a missing nullable field, null)."""
        answered = data.get("answeredAt")
        return cls(
            moment=Moment(parse_instant(data.get("at"), f"{where}.at"), _int(data.get("seq"), f"{where}.seq")),
            method=_str(data.get("method"), f"{where}.method"),
            path=_str(data.get("path"), f"{where}.path"),
            status=_int(data.get("status"), f"{where}.status"),
            query=_str(data.get("query", ""), f"{where}.query"),
            tenant=_optional_str(data.get("tenant"), f"{where}.tenant"),
            instance=_optional_int(data.get("instance"), f"{where}.instance"),
            fault=_optional_str(data.get("fault"), f"{where}.fault"),
            result_end=_optional_bool(data.get("resultEnd"), f"{where}.resultEnd"),
            returned=_optional_int(data.get("returned"), f"{where}.returned"),
            answered=None if answered is None else parse_instant(answered, f"{where}.answeredAt"),
        )


@dataclass(frozen=True)
class JournalLog:
    """`GET /__admin/journal`: the kept entries, oldest first, and how many the ring dropped."""

    entries: tuple[JournalRecord, ...]
    dropped: int = 0
    capacity: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JournalLog:
        """Parse the response body (fetch it without `?path=`, so nothing is filtered away)."""
        entries = data.get("entries")
        if not isinstance(entries, list):
            raise ValueError("journal: expected {'capacity', 'dropped', 'entries': [...]} from GET /__admin/journal")
        capacity = data.get("capacity")
        return cls(
            entries=tuple(JournalRecord.from_json(e, f"journal.entries[{i}]") for i, e in enumerate(entries)),
            dropped=_int(data.get("dropped", 0), "journal.dropped"),
            capacity=None if capacity is None else _int(capacity, "journal.capacity"),
        )


@dataclass(frozen=True)
class Crash:
    """How a window ended without finishing: why, the tail of what the poller printed, and who caused it."""

    cause: str
    """E.g. `exit status 1`, `killed after --poller-timeout 30 s`, `protocol error: ...`, `raised KeyError: 'id'`."""
    output: str = ""
    """The tail of the poller's stderr (of the traceback, for an in-process target)."""
    injected: bool = False
    """True when the suite made it crash on purpose (a known crash point of cwmock's reference poller)."""

    def describe(self) -> str:
        """E.g. `the poller crashed: exit status 1`, or `a crash the suite injected: ...`."""
        return ("a crash the suite injected: " if self.injected else "the poller crashed: ") + self.cause


@dataclass(frozen=True)
class Window:
    """One invocation of the target: its start (server time, the CWMOCK_NOW value) and its sequence span.

    `begin_seq` is the emulator's last sequence number, read through an admin call that first applies every write
    due by then (`GET /__admin/sequence` or `/__admin/history`) after the clock reached `start` and before the
    target ran; `end_seq` is read the same way after it finished. So the window's requests and visibility changes
    have begin_seq < seq ≤ end_seq, and a version with becameVisible.seq ≤ begin_seq was visible at its start.
    """

    index: int
    start: datetime
    begin_seq: int
    end_seq: int
    # The target did not finish this window (non-zero exit, killed, protocol error, exception): like a faulted
    # response it makes the window unclean, and unless the suite injected it, it is a finding of its own.
    crash: Crash | None = None
    # A window inferred from a poller's requests (docs/contract-suite/live-judge.md#windows-inferred) knows only that
    # the poller read its clock at most this long before its first request reached the server: a pollDate may name
    # any second from `start - start_tolerance` to `start`.
    start_tolerance: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError(f"window {self.index}: start {self.start!r} is naive; pass an aware UTC datetime")
        if self.start_tolerance < timedelta(0):
            raise ValueError(f"window {self.index}: start_tolerance {self.start_tolerance} is negative")
        if self.end_seq < self.begin_seq:
            raise ValueError(f"window {self.index}: end_seq {self.end_seq} is before begin_seq {self.begin_seq}")

    @property
    def crashed(self) -> bool:
        """True when the target did not finish this window."""
        return self.crash is not None

    @property
    def s(self) -> datetime:
        """sₖ: the start rounded down to the second."""
        return utc_second(self.start)

    def earliest_poll_date(self) -> datetime:
        """The earliest second a pollDate of this window may name: sₖ, or as far back as its start tolerance reaches."""
        return utc_second(self.start - self.start_tolerance)

    def holds(self, seq: int) -> bool:
        """True when `seq` was handed out while this window ran."""
        return self.begin_seq < seq <= self.end_seq


@dataclass(frozen=True)
class SettleFacts:
    """What the harness knows about the settle: the receiver's last arrival seq when it began (0 if none), and the
    index of the settle's first window (every window from it on ran in the settle)."""

    arrivals_before: int
    first_window: int

    def before(self, arrival: Arrival) -> bool:
        """True when `arrival` came before the settle began."""
        return arrival.seq <= self.arrivals_before


def arrival_from_json(data: Mapping[str, Any]) -> Arrival:
    """An `Arrival` from the receiver's JSON query API (`body_base64` carries the exact bytes)."""
    signature = data.get("signature") or {}
    return Arrival(
        seq=_int(data.get("seq"), "arrival.seq"),
        arrived_at=parse_instant(data.get("arrived_at"), "arrival.arrived_at"),
        method=str(data.get("method", "POST")),
        path=str(data.get("path", "/")),
        query=str(data.get("query", "")),
        headers=tuple((str(k), str(v)) for k, v in data.get("headers", [])),
        body=base64.b64decode(str(data.get("body_base64", ""))),
        status=_int(data.get("status"), "arrival.status"),
        signature=SignatureVerdict(
            SignatureStatus(signature.get("status", SignatureStatus.UNSIGNED_EXPECTED.value)),
            str(signature.get("reason", "")),
            signature.get("algorithm"),
            signature.get("matched_key_index"),
        ),
    )
