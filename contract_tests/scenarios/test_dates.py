"""Contract scenarios, dates: a created-date field that differs from the updated one, other zones and formats.

The hub always serves `_info.lastUpdated` as `...Z`; what varies is the instance: the url template's
`${dateTimeZone:ZONE:FORMAT}` (the lower bound as the hub reads it in the `where`) and the `datesConfiguration`
formats and zones the poller reads records with. `_info.dateEntered` exists only behind the emulator's
non-faithful switch (`PUT /__admin/tenants/T/date-entered`); the default wire shape has none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cwmock.contract_tests.harness.classification import documented
from cwmock.contract_tests.harness.runner import Harness
from cwmock.contract_tests.oracle.rules import CONNECTWISE_EVENTS, ELEMENT_BUILDER
from cwmock.contract_tests.scenarios.support import (
    TENANT,
    assert_passed,
    delivered_events,
    delivered_versions,
    second,
    seed_body,
    with_dates,
)

pytestmark = pytest.mark.anyio

DATE_ENTERED_BODY = with_dates(seed_body(), createdDateField="_info.dateEntered")


def _zoned(zone: str, url_format: str, record_format: str) -> Any:
    url = f"/hubs/crm/contacts?where=lastUpdated>'${{dateTimeZone:{zone}:{url_format}}}'"
    body = with_dates(
        seed_body(url=url),
        updatedDateFormat=record_format,
        updatedDateTimezone=zone,
        createdDateFormat=record_format,
        createdDateTimezone=zone,
    )
    return pytest.param(body, id=f"{zone}-{url_format}")


ZONED_BODIES = [
    _zoned("America/Denver", "yyyy-MM-dd'T'HH:mm:ssXXX", "yyyy-MM-dd'T'HH:mm:ssXXX"),
    _zoned("Asia/Kolkata", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "yyyy-MM-dd'T'HH:mm:ssX"),
    _zoned("GMT-08:00", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd'T'HH:mm:ssXXX"),
]


@documented(CONNECTWISE_EVENTS)
async def test_the_default_wire_shape_has_no_date_entered(cwmock_harness: Harness) -> None:
    created = await cwmock_harness.control.create_contact(
        TENANT, {"firstName": "Plain"}, stamp=cwmock_harness.start_instant + timedelta(minutes=1)
    )
    assert "dateEntered" not in created["_info"]
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=1)
    records = [r for a in cwmock_harness.receiver.arrivals() for r in a.json()["message"]["raw"]["contacts"]]
    assert records
    assert all("dateEntered" not in r["_info"] for r in records)


@documented(ELEMENT_BUILDER)
@pytest.mark.parametrize("cwmock_instance_body", [pytest.param(DATE_ENTERED_BODY, id="dateEntered")])
async def test_date_entered_as_the_created_field_makes_updates_updated(cwmock_harness: Harness) -> None:
    harness = cwmock_harness
    await harness.control.set_date_entered(TENANT, True)
    start = harness.start_instant
    created = await harness.control.create_contact(TENANT, {"firstName": "v1"}, stamp=start + timedelta(minutes=1))
    assert created["_info"]["dateEntered"] == second(start + timedelta(minutes=1))
    await harness.run_windows(1)
    await harness.control.replace_contact(
        TENANT, created["id"], {"firstName": "v2"}, stamp=start + timedelta(minutes=20)
    )
    fresh = await harness.control.create_contact(TENANT, {"firstName": "New"}, stamp=start + timedelta(minutes=21))
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=3)
    kinds = {(e["objectId"], e["date"]): e["eventType"] for e in delivered_events(harness)}
    assert kinds == {
        (str(created["id"]), second(start + timedelta(minutes=1))): "CREATED",
        (str(created["id"]), second(start + timedelta(minutes=20))): "UPDATED",
        (str(fresh["id"]), second(start + timedelta(minutes=21))): "CREATED",
    }


@documented(ELEMENT_BUILDER)
@pytest.mark.parametrize("cwmock_instance_body", ZONED_BODIES)
async def test_other_zones_and_date_formats(cwmock_harness: Harness) -> None:
    harness = cwmock_harness
    await harness.advance(harness.refresh_interval.total_seconds())
    boundary = await harness.control.now()
    early = await harness.control.create_contact(TENANT, {"firstName": "Early"}, stamp=boundary - timedelta(minutes=5))
    await harness.run_window()
    same = await harness.control.create_contact(TENANT, {"firstName": "Same second"}, stamp=boundary)
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=2)
    assert sorted(delivered_versions(harness)) == sorted(
        [(str(early["id"]), second(boundary - timedelta(minutes=5))), (str(same["id"]), second(boundary))]
    )
