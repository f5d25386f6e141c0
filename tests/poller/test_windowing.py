"""Which records a window keeps and how they are classified: bounds, overlap, strict mode, missing dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cwmock.core.instance.errors import Problems
from cwmock.core.instance.resources import ResourcePoller, parse_resources
from cwmock.poller.classification import CREATED, UNKNOWN, UPDATED, FoundVersion, SkippedRecord, dotted, read_version
from cwmock.poller.notifications import InstanceIdentity, chunks, encode, java_date_string, notification_document
from cwmock.poller.windowing import effective_overlap, window_bounds

S0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
SECOND = "yyyy-MM-dd'T'HH:mm:ss'Z'"


def resource(**settings: Any) -> ResourcePoller:
    dates = settings.pop(
        "datesConfiguration",
        {
            "updatedDateField": "_info.lastUpdated",
            "updatedDateFormat": SECOND,
            "createdDateField": "_info.dateEntered",
            "createdDateFormat": SECOND,
        },
    )
    problems = Problems()
    [parsed] = parse_resources(
        {"contacts": {"url": "/hubs/crm/contacts", "datesConfiguration": dates, **settings}}, (), problems
    )
    problems.raise_if_any()
    return parsed


def record(updated: str | None, created: str | None = None, **extra: Any) -> dict[str, Any]:
    info = {k: v for k, v in (("lastUpdated", updated), ("dateEntered", created)) if v is not None}
    return {"id": 5, "_info": info, **extra}


def version(r: ResourcePoller, body: dict[str, Any]) -> FoundVersion:
    found = read_version(body, r, S0)
    assert isinstance(found, FoundVersion), found
    return found


def test_the_first_window_starts_exactly_at_s0() -> None:
    bounds = window_bounds(resource(pollDelay=300), start=S0, last_poll=None, poll_date=S0 + timedelta(minutes=15))
    assert bounds.query_from == bounds.lower == S0
    assert bounds.upper is None


def test_later_windows_overlap_by_poll_delay_plus_a_second_but_never_reach_below_s0() -> None:
    last = S0 + timedelta(minutes=15)
    bounds = window_bounds(resource(pollDelay=60), start=S0, last_poll=last, poll_date=last + timedelta(minutes=15))
    assert bounds.lower == last - timedelta(seconds=61)
    early = window_bounds(resource(pollDelay=3600), start=S0, last_poll=last, poll_date=last)
    assert early.lower == S0


def test_the_overlap_grows_to_the_filter_dates_precision() -> None:
    minutes = resource(datesConfiguration={"updatedDateField": "d", "updatedDateFormat": "yyyy-MM-dd HH:mm"})
    assert effective_overlap(minutes, timedelta(seconds=1)) == timedelta(minutes=1)
    assert effective_overlap(resource(), timedelta(seconds=5)) == timedelta(seconds=5)


def test_filter_by_current_date_bounds_the_window_above_by_its_start() -> None:
    r = resource(filterByCurrentDate=True)
    start = S0 + timedelta(minutes=15)
    bounds = window_bounds(r, start=S0, last_poll=None, poll_date=start)
    assert bounds.keeps(version(r, record("2026-01-01T00:15:00Z")))
    assert not bounds.keeps(version(r, record("2026-01-01T00:15:01Z")))
    assert not bounds.keeps(version(r, record("2026-01-01T00:00:00Z"))), "stamped at s0: forbidden"


def test_strict_mode_renders_last_poll_minus_delay_and_keeps_only_strictly_later() -> None:
    last = S0 + timedelta(minutes=15)
    bounds = window_bounds(resource(pollDelay=60), start=S0, last_poll=last, poll_date=last, strict=True)
    assert bounds.query_from == last - timedelta(seconds=60)
    assert bounds.lower == last
    assert not bounds.deduplicate


@pytest.mark.parametrize(
    ("updated", "created", "expected"),
    [
        ("2026-01-01T00:10:00Z", "2026-01-01T00:09:50Z", CREATED),
        ("2026-01-01T00:10:00Z", "2026-01-01T00:09:49Z", UPDATED),
        ("2026-01-01T00:10:00Z", None, UNKNOWN),
    ],
)
def test_event_type_by_created_check_tolerance(updated: str, created: str | None, expected: str) -> None:
    assert version(resource(), record(updated, created)).event_type == expected


def test_a_created_date_poll_calls_what_it_finds_created() -> None:
    r = resource(
        filterByUpdatedDate="false",
        datesConfiguration={"createdDateField": "_info.dateEntered", "createdDateFormat": SECOND},
    )
    found = version(r, record(None, "2026-01-01T00:10:00Z"))
    assert found.event_type == CREATED
    assert found.stamp_text == "2026-01-01T00:10:00Z"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"_info": {"lastUpdated": "2026-01-01T00:10:00Z"}}, "idField"),
        (record(None), "missing or not in format"),
        (record("yesterday"), "missing or not in format"),
        ("not an object", "not a JSON object"),
    ],
)
def test_records_without_id_or_filter_date_are_skipped_with_a_reason(body: Any, reason: str) -> None:
    skipped = read_version(body, resource(), S0)
    assert isinstance(skipped, SkippedRecord)
    assert reason in skipped.reason


def test_id_field_is_a_dot_path() -> None:
    r = resource(idField="identity.number")
    found = version(r, record("2026-01-01T00:10:00Z", identity={"number": 42}))
    assert found.object_id == "42"
    assert dotted({"a": {"b": None}}, "a.b.c") is None


def test_epoch_milliseconds_dates() -> None:
    r = resource(datesConfiguration={"updatedDateField": "modified", "updatedDateFormat": "milliseconds"})
    found = version(r, {"id": 1, "modified": 1767225600000})
    assert found.stamp == S0
    assert found.stamp_text == "1767225600000"


def test_a_notification_envelope() -> None:
    r = resource()
    found = [version(r, record(f"2026-01-01T00:10:{n:02d}Z", "2026-01-01T00:00:00Z") | {"id": n}) for n in range(3)]
    document = notification_document(12, InstanceIdentity(4, "Name", ()), "contacts", S0, found)
    assert document["id"] == "12"
    assert document["createdDate"] == "Thu Jan 01 00:00:00 UTC 2026"
    assert "instanceTags" not in document["message"]
    assert [e["objectId"] for e in document["message"]["events"]] == ["0", "1", "2"]
    assert encode(document) == encode(document)
    assert java_date_string(datetime(2020, 2, 21, 16, 43, 41, tzinfo=timezone.utc)) == "Fri Feb 21 16:43:41 UTC 2020"
    assert [len(c) for c in chunks(found * 7)] == [10, 10, 1]
