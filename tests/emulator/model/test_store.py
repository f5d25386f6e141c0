"""The store: stamps from the injected clock, ids, tenants, and the update-stamp index."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.clock import ManualClock
from cwmock.core.timestamps import parse_iso
from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.errors import InvalidObject, NotFound
from cwmock.emulator.model.store import Store
from cwmock.emulator.model.table import StampBound

START = datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def store(clock: ManualClock) -> Store:
    return Store(clock)


def test_writes_are_stamped_from_the_injected_clock_in_whole_utc_seconds(store: Store, clock: ManualClock) -> None:
    created = store.create_contact("cwmock", {"firstName": "Ada"})
    assert created["_info"] == {"lastUpdated": "2026-03-01T12:00:00Z", "updatedBy": "APIMember"}
    clock.set(clock.now() + timedelta(seconds=61.9))
    updated = store.patch_contact("cwmock", created["id"], [{"op": "replace", "path": "lastName", "value": "L"}])
    assert updated["_info"]["lastUpdated"] == "2026-03-01T12:01:02Z"  # 12:00:00.25 + 61.9 s, truncated


def test_an_explicit_stamp_and_author_win_over_the_clock(store: Store) -> None:
    stamp = datetime(2020, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    record = store.create_contact("cwmock", {"firstName": "Ada"}, stamp=stamp, updated_by="Admin1")
    assert record["_info"] == {"lastUpdated": "2020-05-06T05:08:09Z", "updatedBy": "Admin1"}


def test_ids_are_sequential_from_the_configured_first_id(clock: ManualClock) -> None:
    store = Store(clock, first_id=500)
    ids = [store.create_contact("cwmock", {"firstName": f"n{i}"})["id"] for i in range(3)]
    assert ids == [500, 501, 502]
    store.reset()
    assert store.create_contact("cwmock", {"firstName": "again"})["id"] == 500


def test_tenants_are_isolated_and_company_ids_case_insensitive(store: Store) -> None:
    mine = store.create_contact("CWMOCK", {"firstName": "Mine"})
    assert store.list_contacts("cloudelements") == []
    with pytest.raises(NotFound):
        store.get_contact("cloudelements", mine["id"])
    assert store.get_contact("cwmock", mine["id"])["firstName"] == "Mine"


def test_authentication_needs_the_exact_key_pair(store: Store) -> None:
    assert store.authenticate("CloudElements", "xxxxxxxx", "xxxxxxxxxxxxxxxxxx") is not None
    assert store.authenticate("cloudelements", "xxxxxxxx", "wrong") is None
    assert store.authenticate("cwmock", "xxxxxxxx", "xxxxxxxxxxxxxxxxxx") is None
    assert store.authenticate("nobody", "a", "b") is None


def test_a_rejected_write_changes_nothing(store: Store) -> None:
    record = store.create_contact("cwmock", {"firstName": "Ada", "company": {"id": 2}})
    before = store.list_contacts("cwmock")
    with pytest.raises(InvalidObject):
        store.replace_contact("cwmock", record["id"], {"firstName": "Ada", "company": {"id": 999}})
    with pytest.raises(InvalidObject):
        store.create_contact("cwmock", {"lastName": "no first name"})
    assert store.list_contacts("cwmock") == before


def test_delete_removes_and_a_second_delete_is_not_found(store: Store) -> None:
    record = store.create_contact("cwmock", {"firstName": "Ada"})
    store.delete_contact("cwmock", record["id"])
    assert store.list_contacts("cwmock") == []
    with pytest.raises(NotFound):
        store.delete_contact("cwmock", record["id"])


def test_sequence_numbers_rise_with_every_write(store: Store) -> None:
    first = store.next_sequence()
    record = store.create_contact("cwmock", {"firstName": "Ada"})
    store.delete_contact("cwmock", record["id"])
    # Each write takes one number when written and one when it becomes visible.
    assert store.next_sequence() == first + 5


def test_updated_after_reads_only_the_matching_records(store: Store, clock: ManualClock) -> None:
    for _ in range(200):
        store.create_contact("cwmock", {"firstName": "old"})
    clock.set(clock.now() + timedelta(seconds=10))
    recent = [store.create_contact("cwmock", {"firstName": "new"})["id"] for _ in range(5)]
    seen: list[int] = []

    def spy(record: Record) -> bool:
        seen.append(record["id"])
        return True

    bound = StampBound(parse_iso("2026-03-01T12:00:00Z").timestamp())
    result = store.list_contacts("cwmock", updated_after=bound, predicate=spy)
    assert [r["id"] for r in result] == recent
    assert seen == recent, "the index must hand over only the k matches, not scan all n contacts"


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=20), min_size=0, max_size=30),
    updates=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 20)), max_size=20),
    deletes=st.lists(st.integers(0, 29), max_size=5),
    bound=st.integers(min_value=-1, max_value=21),
    inclusive=st.booleans(),
)
def test_the_index_agrees_with_a_full_scan(
    offsets: list[int], updates: list[tuple[int, int]], deletes: list[int], bound: int, inclusive: bool
) -> None:
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    # The clock is past every stamp, as when seeding history.
    store = Store(ManualClock(base + timedelta(seconds=60)))
    ids = [store.create_contact("cwmock", {"firstName": "x"}, stamp=base + timedelta(seconds=s))["id"] for s in offsets]
    for index, seconds in updates:
        if index < len(ids):
            store.replace_contact("cwmock", ids[index], {"firstName": "y"}, stamp=base + timedelta(seconds=seconds))
    for index in deletes:
        if index < len(ids) and ids[index] in {r["id"] for r in store.list_contacts("cwmock")}:
            store.delete_contact("cwmock", ids[index])
    at = (base + timedelta(seconds=bound)).timestamp()

    def after(record: Record) -> bool:
        stamp = parse_iso(record["_info"]["lastUpdated"]).timestamp()
        return stamp >= at if inclusive else stamp > at

    expected = [r for r in store.list_contacts("cwmock") if after(r)]
    assert store.list_contacts("cwmock", updated_after=StampBound(at, inclusive)) == expected


def test_visibility_follows_the_delay_not_the_stamp(store: Store, clock: ManualClock) -> None:
    future = clock.now() + timedelta(hours=1)
    store.create_contact("cwmock", {"firstName": "skewed"}, stamp=future)
    assert [c["firstName"] for c in store.list_contacts("cwmock")] == ["skewed"], "no delay: visible at once"
    store.create_contact("cwmock", {"firstName": "late"}, visible_after=5)
    assert [c["firstName"] for c in store.list_contacts("cwmock")] == ["skewed"]
    clock.set(to_second(clock.now()) + timedelta(seconds=5))
    assert [c["firstName"] for c in store.list_contacts("cwmock")] == ["skewed", "late"]


def to_second(instant: datetime) -> datetime:
    return instant.replace(microsecond=0)
