"""Our SimpleDateFormat emulation against the golden table OpenJDK 17 produced once (no Java needed here)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import pytest

from cwmock.core.javadate.calendar import GREGORIAN_CUTOVER, instant_from_ms
from cwmock.core.javadate.errors import JavaDateParseError, JavaDateRangeError, JavaPatternError
from cwmock.core.javadate.formatting import JavaDateFormat
from cwmock.core.javadate.zones import FIXED_SHORT_IDS, REGION_SHORT_IDS, java_zone_ids, resolve_zone
from cwmock.fixtures import read_fixture

Row = dict[str, Any]
UTC = timezone.utc
MODELLED_FROM_MS = int((datetime(1582, 10, 15, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1000
MODELLED_UNTIL_MS = int((datetime(9999, 12, 30, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1000


@lru_cache(maxsize=1)
def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(read_fixture("java_dates/golden.json"))
    return data


def format_rows_by_zone() -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in golden()["format"]:
        grouped[row["zone"]].append(row)
    return grouped


def test_golden_table_came_from_java_17_with_pinned_defaults() -> None:
    assert golden()["java_version"].startswith("17.")
    assert golden()["jvm_default_zone"] == "UTC"
    assert len(golden()["format"]) > 5000
    assert len(golden()["parse"]) > 150


@pytest.mark.parametrize("zone", sorted(format_rows_by_zone()))
def test_format_matches_java(zone: str) -> None:
    mismatches = []
    for row in format_rows_by_zone()[zone]:
        instant = instant_from_ms(row["instant_ms"])
        if row["result"] is None:
            with pytest.raises(JavaPatternError):
                JavaDateFormat(row["pattern"], zone).format(instant)
            continue
        ours = JavaDateFormat(row["pattern"], zone).format(instant)
        if ours != row["result"]:
            mismatches.append(f"{row['pattern']!r} at {instant.isoformat()}: java {row['result']!r}, ours {ours!r}")
    assert not mismatches, f"{len(mismatches)} mismatches in {zone}:\n" + "\n".join(mismatches[:20])


def _parse_id(row: Row) -> str:
    return f"{row['pattern']}|{row['zone']}|{row['text']}|{row['now'][:10]}"


@pytest.mark.parametrize("row", golden()["parse"], ids=_parse_id)
def test_parse_matches_java(row: Row) -> None:
    formatter = JavaDateFormat(row["pattern"], row["zone"])
    now = datetime.fromisoformat(row["now"].replace("Z", "+00:00"))
    if row["result_ms"] is None:
        with pytest.raises(JavaDateParseError) as failure:
            formatter.parse_prefix(row["text"], now=now)
        assert failure.value.error_index == row["error_index"]
    elif not MODELLED_FROM_MS <= row["result_ms"] <= MODELLED_UNTIL_MS:
        with pytest.raises(JavaDateRangeError):
            formatter.parse_prefix(row["text"], now=now)
    else:
        instant, end = formatter.parse_prefix(row["text"], now=now)
        assert (instant, end) == (instant_from_ms(row["result_ms"]), row["end_index"])


def test_parse_rows_cover_the_reference_gotchas() -> None:
    texts = {(row["pattern"], row["text"]) for row in golden()["parse"]}
    assert ("yyyy-MM-dd'T'HH:mm:ss'Z'", "2024-05-31T18:18:16.123Z") in texts  # ss'Z' fails on fractions
    assert ("yyyy-MM-dd'T'HH:mm:ssZ", "2024-05-31T18:18:16Z") in texts  # Z cannot read a literal Z
    assert ("yyyy-MM-dd'T'HH:mm:ssXXX", "2024-05-31T18:18:16Z") in texts  # XXX can
    assert ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-05-31T18:18:16.5Z") in texts  # .5 is 5 ms
    assert ("yyyy-MM-dd HH:mm:ss", "2024-13-01 00:00:00") in texts  # month 13 rolls over
    assert ("yyyy-MM-dd HH:mm:ss", "2024-01-01 00:00:00 trailing") in texts  # trailing text ignored


def test_zone_table_covers_every_java_short_id() -> None:
    data = json.loads(read_fixture("java_dates/zone_names.json"))
    java_short_ids = data["short_ids"]
    assert set(java_short_ids) == set(FIXED_SHORT_IDS) | set(REGION_SHORT_IDS)
    for short, target in java_short_ids.items():
        if short in FIXED_SHORT_IDS:
            assert timedelta(seconds=FIXED_SHORT_IDS[short]) == _fixed_offset(target), short
        else:
            assert REGION_SHORT_IDS[short] == target


def _fixed_offset(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text[1:].split(":")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def test_every_java_zone_id_resolves_or_is_a_systemv_id() -> None:
    unresolved = []
    for zone_id in sorted(java_zone_ids()):
        try:
            resolve_zone(zone_id)
        except ValueError:
            unresolved.append(zone_id)
    assert all(zone_id.startswith("SystemV/") for zone_id in unresolved), unresolved


def test_range_bounds_are_the_gregorian_cutover() -> None:
    assert instant_from_ms(MODELLED_FROM_MS).date() == GREGORIAN_CUTOVER
