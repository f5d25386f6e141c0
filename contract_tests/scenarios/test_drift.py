"""Contract scenarios, drift: **cwmock policy, beyond the platform.** Open Connectors' token wraps ConnectWise's page
numbers, so a change between two page fetches shifts the pages after it, and its own poller then skips or repeats
records (Cloud Elements, "Handling Non-Standard Cursor Pagination"; docs/emulator/hub.md#paging). These scenarios
hold a poller to exactly-once even then: the window a change hits is judged as a clean one
(docs/contract-suite/oracle.md#strict-drift), so every record present throughout it is required of it. They judge
our reference poller, and a `--poller-cmd` poller only when it claims drift safety with
`--poller-claims-drift-safe`. The hub pages by offset, its default. Which change shifts which pages depends on the
order a poller asks for, so the kinds come in forms that shift pages in id order (the hub's default) and in
`lastUpdated` order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cwmock.contract_tests.harness.classification import policy
from cwmock.contract_tests.harness.options import DRIFT_OPTION
from cwmock.contract_tests.harness.runner import Harness
from cwmock.contract_tests.scenarios.support import (
    TENANT,
    assert_passed,
    between_pages,
    delivered_versions,
    judge_drift_strictly,
    seed_body,
)

pytestmark = pytest.mark.anyio

SMALL_PAGE = 50
CONTACTS = 120  # three pages
MOVED = 10  # the index of the contact on the first page that a mutation deletes or moves


def _mutation(op: str, harness: Harness, ids: list[int], old: int) -> dict[str, Any]:
    start = harness.start_instant
    if op == "enter-before":
        # A contact older than the instance is written again: in id order it enters the result on the first page.
        return {"op": "touch", "tenant": TENANT, "id": old}
    if op == "insert-before":
        # Written with a stamp older than every contact's: in (lastUpdated, id) order it lands on the first page.
        return {
            "op": "create",
            "tenant": TENANT,
            "contact": {"firstName": "Late"},
            "stamp": (start + timedelta(minutes=1)).isoformat(),
        }
    if op == "delete-before":
        return {"op": "delete", "tenant": TENANT, "id": ids[MOVED]}
    # Written again: in (lastUpdated, id) order it moves from the first page to the last.
    patch = [{"op": "replace", "path": "firstName", "value": "Moved"}]
    return {"op": "update", "tenant": TENANT, "id": ids[MOVED], "operations": patch}


# What the scenario requires: the contacts present throughout the changed window (all but a deleted or rewritten
# one), a version written during that window (a rewritten contact's, or the old contact's that entered the result:
# required of the next window), and one contact written after it; the late insert is stamped before the next
# window's lower bound, so it is never required.
REQUIRED = {
    "enter-before": CONTACTS + 2,
    "insert-before": CONTACTS + 1,
    "delete-before": CONTACTS - 1 + 1,
    "update-across": CONTACTS - 1 + 2,
}


@policy(
    "beyond the platform: Open Connectors' own poller loses or repeats records when offset pages shift; cwmock's "
    "reference poller pages by keyset and is held to exactly-once",
    asked_by=DRIFT_OPTION,
)
@pytest.mark.parametrize("cwmock_instance_body", [seed_body(pageSize=SMALL_PAGE)])
@pytest.mark.parametrize("op", ["enter-before", "insert-before", "delete-before", "update-across"])
async def test_a_change_between_pages_loses_and_repeats_nothing(
    cwmock_harness: Harness, request: pytest.FixtureRequest, op: str
) -> None:
    judge_drift_strictly(cwmock_harness, request.config)
    start = cwmock_harness.start_instant
    old = await cwmock_harness.control.create_contact(TENANT, {"firstName": "Old"}, stamp=start - timedelta(hours=1))
    ids = await cwmock_harness.control.bulk_create(TENANT, CONTACTS, stamp=start + timedelta(minutes=5))
    await cwmock_harness.control.add_fault(between_pages(_mutation(op, cwmock_harness, ids, old["id"])))
    await cwmock_harness.run_windows(1)
    await cwmock_harness.control.create_contact(TENANT, {"firstName": "After"}, stamp=start + timedelta(minutes=20))
    await cwmock_harness.run_windows(1)
    verdict = await cwmock_harness.settle_and_judge()
    assert_passed(verdict, required=REQUIRED[op])
    delivered = delivered_versions(cwmock_harness)
    assert len(delivered) == len(set(delivered)), "one event per version"
