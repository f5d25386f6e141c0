"""GMT and UTC resolve without reading Java's table of zones, to exactly what the table gives."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from cwmock.core.javadate import zones
from cwmock.core.javadate.zones import UNIVERSAL_ZONE_NAMES, ZoneNames, resolve_zone
from cwmock.fixtures import read_fixture


@pytest.mark.parametrize("zone_id", ["GMT", "UTC"])
def test_the_universal_zones_names_are_the_table_s(zone_id: str) -> None:
    row = json.loads(read_fixture("java_dates/zone_names.json"))["display_names"][zone_id]
    assert UNIVERSAL_ZONE_NAMES[zone_id] == ZoneNames(row[0], row[1], row[2], row[3], int(row[4]), int(row[5]))


@pytest.mark.parametrize("zone_id", ["GMT", " UTC "])
def test_a_universal_zone_resolves_without_the_table(zone_id: str) -> None:
    resolve_zone.cache_clear()
    zones._java_tables.cache_clear()
    zone = resolve_zone(zone_id)
    assert zones._java_tables.cache_info().currsize == 0, "the table was read"
    assert zone.id == zone_id.strip()
    assert zone.tz == ZoneInfo(zone_id.strip())
    assert zone.names == UNIVERSAL_ZONE_NAMES[zone_id.strip()]
    resolve_zone.cache_clear()
    paris = resolve_zone("Europe/Paris")
    assert paris.names.long_standard == "Central European Standard Time", "other zones use the table"
