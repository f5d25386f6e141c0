"""From a served record to a version: its id, the filter stamp as served, the event date and event type.

Rules (documented in the README):
- `objectId` is the `idField` dot path's value as a string; a record without it is skipped.
- The version is (objectId, the filter field's text as served); the filter field is the updated date, or the
  created date when `filterByUpdatedDate` is false. A record without a readable filter date is skipped and
  reported: its version cannot be placed in any window, so it can neither be bounded nor de-duplicated.
- `eventType`: both dates readable → CREATED when they are within `createdCheckTolerance`, else UPDATED.
  Only the filter date readable → CREATED when that is the created date (the record was found because it was
  created), UNKNOWN when it is the updated date (nothing says whether it is new).
- The event `date` is the updated stamp, or the filter stamp when there is no readable updated date.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cwmock.core.instance.resources import DateField, ResourcePoller
from cwmock.core.javadate.errors import JavaDateError

CREATED = "CREATED"
UPDATED = "UPDATED"
UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class FoundVersion:
    """One version of one record, as a window found it."""

    object_id: str
    stamp_text: str
    stamp: datetime
    date: datetime
    event_type: str
    record_json: str
    """The served record's JSON text: as the hub wrote it when the page was read by the fast path, else as compact
    JSON, serialized once when read. A window may hold 100,000 versions, and the text is a fraction of the parsed
    record's size. Notifications carry it as it is."""

    @property
    def key(self) -> tuple[str, str]:
        """What de-duplication compares: (objectId, filter stamp as served)."""
        return (self.object_id, self.stamp_text)


@dataclass(frozen=True)
class SkippedRecord:
    """A served record the poller could not turn into a version, and why."""

    object_id: str | None
    reason: str


def compact_json(value: Any) -> str:
    """`value` as notifications write JSON: compact separators, UTF-8 text (no ASCII escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def record_text(record: Any, text: str | None) -> str:
    """A served record's JSON text: `text` when the page read gave it as the hub wrote it, else compact JSON."""
    return compact_json(record) if text is None else text


def dotted(record: Any, path: str) -> Any:
    """The value at a dot path (`_info.lastUpdated`), or None when any step is missing."""
    value = record
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return None
        value = value[step]
    return value


def _date_text(record: Mapping[str, Any], field: DateField) -> str | None:
    value = dotted(record, field.field)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)):
        return str(value)
    return None


ParsedDates = dict[tuple[DateField, str], datetime | None]
"""Dates already read with one `now`, by (field, text): a burst's records share their stamps, so a window parses
each distinct stamp once."""
MAX_PARSED_DATES = 65_536


def _parse(text: str | None, field: DateField | None, now: datetime, parsed: ParsedDates | None) -> datetime | None:
    if text is None or field is None:
        return None
    if parsed is not None:
        key = (field, text)
        if key in parsed:
            return parsed[key]
        if len(parsed) >= MAX_PARSED_DATES:
            parsed.clear()
        parsed[key] = value = _parse(text, field, now, None)
        return value
    try:
        return field.formatter().parse(text, now=now)
    except (JavaDateError, ValueError):
        return None


def _read(
    record: Mapping[str, Any], field: DateField | None, now: datetime, parsed: ParsedDates | None
) -> datetime | None:
    return _parse(_date_text(record, field), field, now, parsed) if field is not None else None


def classify(updated: datetime | None, created: datetime | None, resource: ResourcePoller) -> str:
    """CREATED, UPDATED or UNKNOWN by the rules in this module's docstring."""
    if updated is not None and created is not None:
        return CREATED if abs(updated - created) <= resource.created_check_tolerance else UPDATED
    if created is not None and not resource.filter_by_updated_date:
        return CREATED
    return UNKNOWN


def read_version(
    record: Any,
    resource: ResourcePoller,
    now: datetime,
    *,
    text: str | None = None,
    parsed: ParsedDates | None = None,
) -> FoundVersion | SkippedRecord:
    """The version `record` is, or why it cannot be one. `now` resolves two-digit years; `text` is the record's JSON
    text as served (default: compact JSON of `record`); `parsed` remembers dates across the reads of one `now`."""
    if not isinstance(record, Mapping):
        return SkippedRecord(None, f"not a JSON object: {str(record)[:80]!r}")
    raw_id = dotted(record, resource.id_field)
    if raw_id is None or isinstance(raw_id, (Mapping, list)):
        return SkippedRecord(None, f"no usable idField {resource.id_field!r}")
    object_id = str(raw_id)
    filter_field = resource.filter_field
    if filter_field is None:
        return SkippedRecord(object_id, "no filter date field is configured")
    stamp_text = _date_text(record, filter_field)
    stamp = _parse(stamp_text, filter_field, now, parsed)
    if stamp_text is None or stamp is None:
        return SkippedRecord(
            object_id, f"filter date {filter_field.field!r} missing or not in format {filter_field.format!r}"
        )
    # The filter field is usually the updated (or created) field itself: read each distinct field once.
    updated = stamp if resource.updated == filter_field else _read(record, resource.updated, now, parsed)
    created = stamp if resource.created == filter_field else _read(record, resource.created, now, parsed)
    return FoundVersion(
        object_id=object_id,
        stamp_text=stamp_text,
        stamp=stamp,
        date=updated if updated is not None else stamp,
        event_type=classify(updated, created, resource),
        record_json=record_text(record, text),
    )
