"""Contract scenarios, paging: results longer than a page, and changes made between two page fetches.

The hub pages by cursor (keyset on id, `nextPage` ← `elements-next-page-token`); an instance whose url asks for an
`orderBy` gets offset pages (`page=N`) instead, which shift when the data changes under them. The window a
`mutate_between_pages` fault hits is not clean, so a record offset paging skips there is not required; a record it
serves twice in that window is still one version, and delivering it twice is DUPLICATED. The next, clean window
must catch up with what changed during and after the faulted one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cwmock.contract_tests.harness.classification import documented
from cwmock.contract_tests.harness.runner import Harness
from cwmock.contract_tests.oracle.rules import ELEMENT_BUILDER
from cwmock.contract_tests.scenarios.support import (
    SEED_URL,
    TENANT,
    assert_passed,
    between_pages,
    delivered_versions,
    seed_body,
)

pytestmark = pytest.mark.anyio

PAGES_OF_CONTACTS = 450  # more than two pages of the reference poller's (and the hub's) default 200
# Mutation scenarios use small pages (the resource's pageSize) so three pages stay cheap.
SMALL_PAGE = 50
MUTATION_CONTACTS = 120
OFFSET_URL = SEED_URL + "&orderBy=id asc"
CURSOR_BODY = pytest.param(seed_body(pageSize=SMALL_PAGE), id="cursor-paging")
OFFSET_BODY = pytest.param(seed_body(url=OFFSET_URL, pageSize=SMALL_PAGE), id="offset-paging")


@documented(ELEMENT_BUILDER)
async def test_more_than_one_page_is_delivered_whole(cwmock_harness: Harness) -> None:
    start = cwmock_harness.start_instant
    ids = await cwmock_harness.control.bulk_create(TENANT, PAGES_OF_CONTACTS, stamp=start + timedelta(minutes=5))
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=PAGES_OF_CONTACTS)
    assert sorted(int(object_id) for object_id, _ in delivered_versions(cwmock_harness)) == sorted(ids)


def _mutation(op: str, low_id: int, doomed_id: int) -> dict[str, Any]:
    if op == "create":
        return {"op": "create", "tenant": TENANT, "contact": {"firstName": "Mid-paging"}}
    if op == "update":
        # A record that did not match becomes a match ahead of the pages already read: offset pages shift right.
        patch = [{"op": "replace", "path": "firstName", "value": "Now matching"}]
        return {"op": "update", "tenant": TENANT, "id": low_id, "operations": patch}
    # A record on the page already read disappears: offset pages shift left.
    return {"op": "delete", "tenant": TENANT, "id": doomed_id}


async def _mutate_between_pages(harness: Harness, op: str) -> None:
    start = harness.start_instant
    low = await harness.control.create_contact(TENANT, {"firstName": "Old"}, stamp=start - timedelta(hours=1))
    ids = await harness.control.bulk_create(TENANT, MUTATION_CONTACTS, stamp=start + timedelta(minutes=5))
    await harness.control.add_fault(between_pages(_mutation(op, low["id"], ids[10])))
    await harness.run_windows(1)
    # The next, clean window must catch up: the contact created mid-paging (or the one updated into the result),
    # stamped at the faulted window's start, and one written after it are required.
    await harness.control.create_contact(TENANT, {"firstName": "After"}, stamp=start + timedelta(minutes=20))
    await harness.run_windows(1)
    verdict = await harness.settle_and_judge()
    assert_passed(verdict, required=1 if op == "delete" else 2)
    delivered = delivered_versions(harness)
    assert len(delivered) == len(set(delivered)), "one event per version"


@documented(ELEMENT_BUILDER)
@pytest.mark.parametrize("cwmock_instance_body", [CURSOR_BODY])
@pytest.mark.parametrize("op", ["create", "update", "delete"])
async def test_changes_between_cursor_pages(cwmock_harness: Harness, op: str) -> None:
    await _mutate_between_pages(cwmock_harness, op)


@documented(ELEMENT_BUILDER)
@pytest.mark.parametrize("cwmock_instance_body", [OFFSET_BODY])
@pytest.mark.parametrize("op", ["create", "update", "delete"])
async def test_changes_between_offset_pages(cwmock_harness: Harness, op: str) -> None:
    await _mutate_between_pages(cwmock_harness, op)
