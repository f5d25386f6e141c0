"""Which records a window keeps and how they are classified: bounds, overlap, strict mode, missing dates."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.instance.errors import Problems
from cwmock.core.instance.resources import ResourcePoller, parse_resources
from cwmock.poller.classification import (
    CREATED,
    UNKNOWN,
    UPDATED,
    FoundVersion,
    ParsedDates,
    SkippedRecord,
    classify,
    dotted,
    read_version,
)
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


def test_the_overlap_is_never_below_one_second_and_without_a_filter_date_is_the_configured_one() -> None:
    assert effective_overlap(resource(), timedelta(0)) == timedelta(seconds=1), "a strict `>` loses the same second"
    undated = replace(resource(), updated=None)  # built by hand: the parser always gives a filter date
    assert undated.filter_field is None
    assert effective_overlap(undated, timedelta(seconds=5)) == timedelta(seconds=5)


def test_a_finer_filter_date_still_overlaps_by_one_second() -> None:
    """A millisecond stamp's precision is below a second: the one-second floor (docs/reference-poller.md) holds, or a
    stamp in the same second as the last poll's lower edge would be lost to the strict `>`."""
    millis = resource(datesConfiguration={"updatedDateField": "d", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"})
    assert effective_overlap(millis, timedelta(0)) == timedelta(seconds=1)
    undated = replace(resource(), updated=None)
    assert effective_overlap(undated, timedelta(milliseconds=200)) == timedelta(seconds=1)


def test_filter_by_current_date_bounds_later_and_strict_windows_too() -> None:
    r = resource(filterByCurrentDate=True)
    last, start = S0 + timedelta(minutes=15), S0 + timedelta(minutes=30)
    assert window_bounds(r, start=S0, last_poll=last, poll_date=start).upper == start
    assert window_bounds(r, start=S0, last_poll=last, poll_date=start, strict=True).upper == start
    assert window_bounds(resource(), start=S0, last_poll=last, poll_date=start, strict=True).upper is None


def test_ending_at_moves_only_an_upper_bound_there_is() -> None:
    start, served = S0 + timedelta(minutes=15), S0 + timedelta(minutes=14, seconds=59)
    bounded = window_bounds(resource(filterByCurrentDate=True), start=S0, last_poll=None, poll_date=start)
    assert bounded.ending_at(served) == replace(bounded, upper=served)
    unbounded = window_bounds(resource(), start=S0, last_poll=None, poll_date=start)
    assert unbounded.ending_at(served) == unbounded
    assert unbounded.ending_at(served).upper is None


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


def test_a_resource_without_a_filter_date_skips_every_record_saying_so() -> None:
    undated = replace(resource(), updated=None)  # built by hand: the parser always gives a filter date
    assert read_version(record("2026-01-01T00:10:00Z"), undated, S0) == SkippedRecord(
        "5", "no filter date field is configured"
    )


def test_skipped_records_keep_their_id_and_say_why_in_full() -> None:
    missing = read_version(record(None), resource(), S0)
    assert missing == SkippedRecord(
        "5", "filter date '_info.lastUpdated' missing or not in format \"yyyy-MM-dd'T'HH:mm:ss'Z'\""
    )
    long = "x" * 100
    assert read_version(long, resource(), S0) == SkippedRecord(None, f"not a JSON object: {'x' * 80!r}")
    undated = replace(resource(), updated=None)  # built by hand: the parser always gives a filter date
    assert read_version(record("2026-01-01T00:10:00Z"), undated, S0) == SkippedRecord(
        "5", "no filter date field is configured"
    )


def test_a_two_digit_year_is_read_against_the_window_start() -> None:
    r = resource(datesConfiguration={"updatedDateField": "_info.lastUpdated", "updatedDateFormat": "yy-MM-dd HH:mm"})
    found = read_version(record("26-01-01 00:10"), r, S0)
    assert isinstance(found, FoundVersion), found
    assert found.stamp == S0 + timedelta(minutes=10)


def test_a_created_date_poll_dates_its_events_by_the_updated_date_and_classifies_by_both() -> None:
    r = resource(
        filterByUpdatedDate="false",
        datesConfiguration={
            "createdDateField": "_info.dateEntered",
            "createdDateFormat": SECOND,
            "updatedDateField": "_info.lastUpdated",
            "updatedDateFormat": SECOND,
        },
    )
    found = version(r, record("2026-01-01T00:30:00Z", "2026-01-01T00:10:00Z"))
    assert (found.stamp_text, found.date) == ("2026-01-01T00:10:00Z", S0 + timedelta(minutes=30))
    assert found.event_type == UPDATED


def test_nothing_readable_is_unknown_whatever_the_filter_field() -> None:
    created_poll = resource(
        filterByUpdatedDate="false",
        datesConfiguration={"createdDateField": "_info.dateEntered", "createdDateFormat": SECOND},
    )
    assert classify(None, None, created_poll) == UNKNOWN
    assert classify(S0, None, created_poll) == UNKNOWN
    assert classify(None, S0, created_poll) == CREATED


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


_STAMPS = st.sampled_from(
    [
        None,
        "2026-01-01T00:10:00Z",
        "2026-01-01T00:10:01Z",
        "2026-01-01T00:10:00.5Z",
        "yesterday",
        "2026-13-01T00:00:00Z",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_STAMPS, _STAMPS), min_size=1, max_size=12),
    st.sampled_from(["true", "false"]),
)
def test_dates_remembered_across_a_window_read_as_each_record_alone(
    stamps: list[tuple[str | None, str | None]], by_updated: str
) -> None:
    r = resource(filterByUpdatedDate=by_updated)
    parsed: ParsedDates = {}
    for updated, created in stamps:
        body = record(updated, created)
        text = json.dumps(body)
        assert read_version(body, r, S0, text=text, parsed=parsed) == replace_text(read_version(body, r, S0), text)


def replace_text(found: FoundVersion | SkippedRecord, text: str) -> FoundVersion | SkippedRecord:
    return replace(found, record_json=text) if isinstance(found, FoundVersion) else found


def test_a_version_carries_the_record_text_it_was_given_else_compact_json() -> None:
    body = record("2026-01-01T00:10:00Z", firstName="Zoë")
    served = json.dumps(body)  # spaces and \u escapes: as some hub wrote it
    assert (
        version(resource(), body).record_json == '{"id":5,"_info":{"lastUpdated":"2026-01-01T00:10:00Z"},'
        '"firstName":"Zoë"}'
    )
    found = read_version(body, resource(), S0, text=served)
    assert isinstance(found, FoundVersion)
    assert found.record_json == served
