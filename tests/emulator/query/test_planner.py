"""The query planner gives exactly the plain path's pages: evaluate every contact, sort, slice."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.timestamps import format_cw
from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.table import ContactTable, StampBound
from cwmock.emulator.query.conditions import parse_conditions
from cwmock.emulator.query.field_catalog import STAMP_PATH, Kind
from cwmock.emulator.query.keyset import keyset_start
from cwmock.emulator.query.ordering import OrderKey, parse_order_by, sort_records
from cwmock.emulator.query.planner import Plan, Window, count_matches, estimated_plan, plan_page
from cwmock.emulator.query.predicates import Compare, Predicate, compile_predicate, conjoin

BASE = datetime(2024, 5, 31, 18, 0, 0, tzinfo=timezone.utc)


@dataclass
class World:
    """A contact table and the records in it, in id order."""

    table: ContactTable
    records: list[Record]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """Tables of up to 700 contacts with gaps in the ids and stamps that tie often: stamps drawn from few seconds, many
    seconds, or rising or falling with the id; stamp index blocks of 1 to 2,048 ids (many blocks, or a few)."""
    size = draw(st.integers(0, 700))
    rng = random.Random(draw(st.integers(0, 2**32)))
    spread = draw(st.sampled_from([1, 5, 60, 100_000]))
    shape = draw(st.sampled_from(["random", "rising", "falling"]))
    table = ContactTable(block_bits=draw(st.sampled_from([0, 1, 3, 6, ContactTable.BLOCK_BITS])))
    records: list[Record] = []
    contact_id = draw(st.integers(1, 5))
    for n in range(size):
        contact_id += rng.choice((1, 1, 1, 2, 7))
        second = {"random": rng.randrange(spread), "rising": n % spread, "falling": (size - n) % spread}[shape]
        stamp = BASE + timedelta(seconds=second)
        record: Record = {
            "id": contact_id,
            "firstName": rng.choice(["Ann", "Bob", "Cy"]),
            "inactiveFlag": rng.random() < 0.3,
            "_info": {"lastUpdated": format_cw(stamp), "updatedBy": "x"},
        }
        table.put(contact_id, record, stamp.timestamp())
        records.append(record)
    return World(table, records)


def _bound(op: str, seconds: float) -> Predicate:
    return Compare(STAMP_PATH, Kind.INSTANT, op, BASE + timedelta(seconds=seconds))


BOUNDS = st.builds(
    _bound,
    st.sampled_from([">", ">="]),
    st.one_of(st.integers(-1, 61), st.sampled_from([0.5, 2.25, 59.999]), st.integers(-1, 100_001)),
)
RESIDUALS = st.sampled_from(["firstName = 'ann'", "inactiveFlag = false", "firstName != 'cy' or inactiveFlag = true"])
ORDERS = st.sampled_from(["", "firstName", "lastUpdated desc, firstName", "id desc", "id asc"])
# `id > N` is how clients page by keyset through conditions; the planner starts its fast plans there.
ID_BOUNDS = st.builds(
    lambda op, n: Compare(("id",), Kind.NUMBER, op, n), st.sampled_from([">", ">="]), st.integers(-1, 800)
)


@st.composite
def predicates(draw: st.DrawFn) -> Predicate:
    """Nothing, one or two `lastUpdated` bounds and `id` bounds, optionally with a residual predicate."""
    parts: list[Predicate | None] = list(draw(st.lists(BOUNDS, max_size=2)))
    parts += draw(st.lists(ID_BOUNDS, max_size=2))
    if draw(st.booleans()):
        parts.append(parse_conditions(draw(RESIDUALS)))
    return conjoin(*draw(st.permutations(parts)))


def plain_page(world: World, predicate: Predicate, order: list[OrderKey], window: Window) -> tuple[list[Any], int]:
    """The reference: the whole predicate on every contact, sorted, then the window (ids, and the count)."""
    test = compile_predicate(predicate)
    result = sort_records([record for record in world.records if test(record)], order)
    start = 0 if window.after_id is None else keyset_start(result, window.after_id)
    shown = result[start + window.offset : start + window.end]
    return [record["id"] for record in shown], len(result) - start


@settings(max_examples=300, deadline=None)
@given(
    world=worlds(),
    predicate=predicates(),
    order_text=ORDERS,
    limit=st.integers(1, 120),
    offset=st.one_of(st.just(0), st.integers(0, 800)),
    after=st.one_of(st.none(), st.integers(0, 5_000)),
    plan=st.sampled_from([None, Plan.SCAN, Plan.INDEX]),
)
def test_every_plan_gives_the_plain_paths_page_and_count(
    world: World,
    predicate: Predicate,
    order_text: str,
    limit: int,
    offset: int,
    after: int | None,
    plan: Plan | None,
) -> None:
    order = parse_order_by(order_text)
    window = Window(limit, offset, None if order else after)
    expected_ids, expected_total = plain_page(world, predicate, order, window)

    counted = plan_page(world.table, predicate, order, window, count=True, plan=plan)
    assert [record["id"] for record in counted.records] == expected_ids
    assert counted.total == expected_total
    uncounted = plan_page(world.table, predicate, order, window, plan=plan)
    assert [record["id"] for record in uncounted.records] == expected_ids
    assert uncounted.total is None
    walked = plan_page(world.table, predicate, order, window, count=True, plan=plan)  # a third ask: from the cache
    assert ([record["id"] for record in walked.records], walked.total) == (expected_ids, expected_total)
    if window.after_id is None and window.offset == 0:
        assert count_matches(world.table, predicate) == expected_total


def test_pages_walked_one_after_another_cover_the_result_once() -> None:
    world = _fixed_world()
    predicate = _bound(">", 29)
    expected, _ = plain_page(world, predicate, [], Window(10_000))
    for plan in (None, Plan.SCAN, Plan.INDEX):
        seen: list[int] = []
        after: int | None = None
        while True:
            page = plan_page(world.table, predicate, [], Window(37, after_id=after), plan=plan).records
            seen.extend(record["id"] for record in page)
            if len(page) < 37:
                break
            after = page[-1]["id"]
        assert seen == expected, plan


def test_a_walk_cached_for_a_bound_sees_every_later_change() -> None:
    world = _fixed_world()
    predicate = _bound(">", 50)
    bound = StampBound((BASE + timedelta(seconds=50)).timestamp())
    window = Window(20, offset=5)
    for _ in range(3):
        plan_page(world.table, predicate, [], window, count=True, plan=Plan.INDEX)
    assert world.table.sorted_ids_updated_after(bound) is not None, "the walk is cached after its second ask"
    late = BASE + timedelta(seconds=59)
    moved: Record = {**world.records[0], "_info": {"lastUpdated": format_cw(late), "updatedBy": "x"}}
    world.table.put(moved["id"], moved, late.timestamp())  # the lowest id now matches
    world.records[0] = moved
    gone = world.records.pop(500)
    world.table.remove(gone["id"])
    for _ in range(3):
        expected = plain_page(world, predicate, [], window)
        page = plan_page(world.table, predicate, [], window, count=True, plan=Plan.INDEX)
        assert ([record["id"] for record in page.records], page.total) == expected
    assert plain_page(world, predicate, [], Window(1))[0] == [moved["id"]], "the moved contact is now the first match"


def test_the_walk_cache_keeps_a_few_bounds_at_most() -> None:
    world = _fixed_world()
    for second in range(2 * ContactTable.MAX_SORTED_BOUNDS):
        bound = StampBound((BASE + timedelta(seconds=second)).timestamp())
        for _ in range(2):
            world.table.sorted_ids_updated_after(bound)
    assert len(world.table._sorted_by_bound) == ContactTable.MAX_SORTED_BOUNDS


def _fixed_world() -> World:
    table = ContactTable()
    records: list[Record] = []
    rng = random.Random(7)
    for contact_id in range(1, 1_001):
        stamp = BASE + timedelta(seconds=rng.randrange(60))
        record: Record = {"id": contact_id, "_info": {"lastUpdated": format_cw(stamp), "updatedBy": "x"}}
        table.put(contact_id, record, stamp.timestamp())
        records.append(record)
    return World(table, records)


def test_the_cheaper_plan_is_chosen_by_selectivity() -> None:
    world = _fixed_world()
    wide = StampBound((BASE + timedelta(seconds=1)).timestamp())
    narrow = StampBound((BASE + timedelta(seconds=58)).timestamp())
    assert estimated_plan(world.table, wide, Window(10)) is Plan.SCAN
    assert estimated_plan(world.table, narrow, Window(10)) is Plan.INDEX
    assert estimated_plan(world.table, wide, Window(900)) is Plan.INDEX, "a page needing most of the table"


def test_keyset_paging_cannot_be_combined_with_an_order() -> None:
    world = _fixed_world()
    with pytest.raises(ValueError, match="keyset"):
        plan_page(world.table, _bound(">", 1), parse_order_by("firstName"), Window(5, after_id=3))
