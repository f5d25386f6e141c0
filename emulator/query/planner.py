"""The query planner: one page of a list query, doing no more work than the page needs.

A list request wants a window of the ordered result: `limit` records after skipping `offset`, counted from the first
id above `after_id` (keyset paging), and sometimes the number of matches (navigable paging's `Link: last`). The plain
way (evaluate every candidate, sort, slice) costs the whole result on every page. For the common shape, a
`lastUpdated` lower bound in id order, the planner picks one of two plans by the bound's selectivity, which the
stamp index knows exactly:

- a wide bound (most contacts match): scan ids in id order, keep those whose stamp satisfies the bound, and stop
  once the window is full; it reads about `(offset + limit) / selectivity` contacts;
- a narrow bound: read the stamp index block by block in id order (each block of consecutive ids keeps its stamps
  sorted, so its matches are a bisect and a slice), sorting each block's few matches, and stop once the window is
  full; it reads the matches up to the window's end, and no others.

The count comes from a sorted list of the stamps in O(log n). Other shapes (an `orderBy`, a residual predicate that
needs a count) take the plain path. Either way the page is exactly the plain path's: the property test in
tests/emulator/query/test_planner.py compares them over random data, stamps, ties, index blocks and page positions.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from itertools import islice
from typing import Any

from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.table import ContactTable, StampBound
from cwmock.emulator.query.field_catalog import Kind
from cwmock.emulator.query.keyset import keyset_start, ordered_keyset_start
from cwmock.emulator.query.ordering import OrderKey, sort_records
from cwmock.emulator.query.predicates import (
    ID_PATH,
    Predicate,
    StampReader,
    compile_predicate,
    id_lower_bound,
    stamp_lower_bound,
)

ID_ORDER = (OrderKey(ID_PATH, Kind.NUMBER),)
# Relative costs: one contact read by the id-order scan (two C-level lookups and a comparison), one match read by the
# index plan (a machine integer copied, then sorted with its block's), one block visited by it (a bisect).
SCAN_COST_PER_CONTACT = 2.0
INDEX_COST_PER_MATCH = 1.0
INDEX_COST_PER_BLOCK = 20.0


class Plan(Enum):
    """How a `lastUpdated` bound in id order is answered (chosen by estimated cost unless forced)."""

    SCAN = "id-order scan"
    INDEX = "stamp index, block by block"


@dataclass(frozen=True)
class Window:
    """Which part of the ordered result a request wants: `limit` records after skipping `offset`, counted from the
    first record after the keyset position (None: from the start): in id order the first id above `after_id`; with
    an order, the first record that sorts after `after_keys` (the raw values of the order's keys) and `after_id`."""

    limit: int
    offset: int = 0
    after_id: int | None = None
    after_keys: tuple[Any, ...] | None = None

    @property
    def end(self) -> int:
        """How many results, from the window's start, the page needs to have seen."""
        return self.offset + self.limit


@dataclass(frozen=True)
class ResultPage:
    """The window's records, and the number of matches (above `after_id`) when it was asked for."""

    records: list[Record]
    total: int | None = None


def plan_page(
    table: ContactTable,
    predicate: Predicate,
    order: list[OrderKey],
    window: Window,
    *,
    count: bool = False,
    plan: Plan | None = None,
    stamps: StampReader | None = None,
) -> ResultPage:
    """The records of `window` (and the number of matches with `count`), exactly as the plain path gives them.

    `plan` forces a plan for a `lastUpdated` bound (tests and benchmarks compare them); None chooses by cost.
    `stamps` reads a record's stamp as stored when it has more precision than `_info.lastUpdated` shows.
    """
    if tuple(order) == ID_ORDER:
        order = []  # ascending id is the natural order: the fast plans answer it
    if not order:
        # `id > N` in the query is keyset paging (clients page so through conditions): the fast plans start there.
        after, predicate = id_lower_bound(predicate)
        if after is not None:
            start = after if window.after_id is None else max(after, window.after_id)
            window = replace(window, after_id=start, after_keys=None)
    if order:
        if window.after_id is not None and window.after_keys is None:
            raise ValueError("keyset paging with an order needs the order's values of the last record (after_keys)")
        return _sliced(plain_result(table, predicate, order, stamps), window, count, order)
    bound, residual = stamp_lower_bound(predicate)
    if residual is not None:
        return _filtered(table, bound, compile_predicate(residual, stamps), window, count, plan)
    if bound is None:
        ids = table.ids_at(window.after_id, window.offset, window.end)
        return ResultPage(table.records(ids), table.count_after(window.after_id) if count else None)
    return _bounded(table, bound, window, count, plan)


def count_matches(table: ContactTable, predicate: Predicate, stamps: StampReader | None = None) -> int:
    """The number of matches: from the index in O(log n) for a bound alone."""
    bound, residual = stamp_lower_bound(predicate)
    if residual is None:
        return len(table) if bound is None else table.count_updated_after(bound)
    return len(plain_result(table, predicate, [], stamps))


def plain_result(
    table: ContactTable, predicate: Predicate, order: list[OrderKey], stamps: StampReader | None = None
) -> list[Record]:
    """Every match, ordered: the bound from the index, the rest evaluated, then sorted."""
    bound, residual = stamp_lower_bound(predicate)
    candidates = table.updated_after(bound) if bound is not None else list(table.in_id_order())
    if residual is not None:
        test = compile_predicate(residual, stamps)
        candidates = [record for record in candidates if test(record)]
    return sort_records(candidates, order) if order else candidates


def _filtered(
    table: ContactTable,
    bound: StampBound | None,
    test: Callable[[Record], bool],
    window: Window,
    count: bool,
    plan: Plan | None,
) -> ResultPage:
    """A residual predicate is evaluated contact by contact: for a count on every candidate; without one, in id
    order until the window is full, unless the bound leaves so few candidates that reading them all is cheaper."""
    if count or (bound is not None and _chosen(plan, table, bound, window) is Plan.INDEX):
        candidates = table.updated_after(bound) if bound is not None else list(table.in_id_order())
        return _sliced([record for record in candidates if test(record)], window, count)
    records = table.iter_records(table.scan_ids(window.after_id, bound))
    return ResultPage(list(islice(filter(test, records), window.offset, window.end)))


def _sliced(records: list[Record], window: Window, count: bool, order: list[OrderKey] | None = None) -> ResultPage:
    """The plain path's window over a whole result."""
    if window.after_id is None:
        start = 0
    elif order and window.after_keys is not None:
        start = ordered_keyset_start(records, order, window.after_keys, window.after_id)
    else:
        start = keyset_start(records, window.after_id)
    shown = records[start + window.offset : start + window.end]
    return ResultPage(shown, len(records) - start if count else None)


def _chosen(plan: Plan | None, table: ContactTable, bound: StampBound, window: Window) -> Plan:
    return plan if plan is not None else estimated_plan(table, bound, window)


def estimated_plan(table: ContactTable, bound: StampBound, window: Window) -> Plan:
    """The cheaper plan by estimate: the scan reads about `end / selectivity` contacts; the index plan visits the
    blocks holding them and reads every match in those blocks (a whole block's at least)."""
    matches = table.count_updated_after(bound)
    if matches == 0:
        return Plan.INDEX
    # With keyset paging the scan starts at `after_id`; the fraction of matches left beyond it is unknown, so both
    # plans are costed on the ids above it, assuming the matches spread evenly over them.
    remaining = table.count_after(window.after_id)
    selectivity = matches / len(table)
    read = min(window.end / selectivity, remaining)
    scan = read * SCAN_COST_PER_CONTACT
    block = min(table.block_size, len(table))
    index = max(read, block) * selectivity * INDEX_COST_PER_MATCH + read / block * INDEX_COST_PER_BLOCK
    return Plan.SCAN if scan < index else Plan.INDEX


def _bounded(table: ContactTable, bound: StampBound, window: Window, count: bool, plan: Plan | None) -> ResultPage:
    """`lastUpdated >/>= X` in id order: the scan or the index plan, whichever reads less."""
    if _chosen(plan, table, bound, window) is Plan.SCAN:
        ids = list(islice(table.scan_ids(window.after_id, bound), window.offset, window.end))
        return ResultPage(table.records(ids), _count(table, bound, window) if count else None)
    walked = table.sorted_ids_updated_after(bound)
    if walked is not None:  # a page walk of this bound: the matches are already in id order
        start = 0 if window.after_id is None else bisect_right(walked, window.after_id)
        chosen = walked[start + window.offset : start + window.end]
        return ResultPage(table.records(chosen), len(walked) - start if count else None)
    ids = table.first_ids_updated_after(bound, window.after_id, window.end)
    return ResultPage(table.records(ids[window.offset : window.end]), _count(table, bound, window) if count else None)


def _count(table: ContactTable, bound: StampBound, window: Window) -> int:
    """The matches of `bound` above the window's `after_id`: from the count index, or counted past it."""
    if window.after_id is None:
        return table.count_updated_after(bound)
    ids = table.ids_updated_after(bound)
    return len(ids) - bisect_right(ids, window.after_id)
