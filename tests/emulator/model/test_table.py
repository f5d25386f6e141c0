"""The contact table's stamp index (typed arrays in blocks of ids) answers as a scan of every stamp would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.emulator.model.table import ContactTable, StampBound

# put (id, stamp) or remove (id, None): ids from a small range so writes replace and removes hit, stamps that tie.
OPERATIONS = st.lists(
    st.tuples(st.integers(0, 300), st.one_of(st.none(), st.integers(0, 40).map(lambda s: s / 4))), max_size=400
)


@settings(max_examples=200, deadline=None)
@given(
    operations=OPERATIONS,
    block_bits=st.sampled_from([0, 2, 5, ContactTable.BLOCK_BITS]),
    at=st.integers(-1, 41).map(lambda s: s / 4),
    inclusive=st.booleans(),
    after=st.one_of(st.none(), st.integers(-2, 310)),
    wanted=st.integers(0, 120),
)
def test_the_stamp_index_follows_every_write(
    operations: list[tuple[int, float | None]],
    block_bits: int,
    at: float,
    inclusive: bool,
    after: int | None,
    wanted: int,
) -> None:
    table = ContactTable(block_bits)
    stamps: dict[int, float] = {}
    for contact_id, stamp in operations:
        if stamp is None:
            assert (table.remove(contact_id) is not None) is (stamps.pop(contact_id, None) is not None)
        else:
            table.put(contact_id, {"id": contact_id}, stamp)
            stamps[contact_id] = stamp
    bound = StampBound(at, inclusive)
    matching = sorted(i for i, stamp in stamps.items() if (stamp >= at if inclusive else stamp > at))
    assert table.ids_updated_after(bound) == matching
    assert [record["id"] for record in table.updated_after(bound)] == matching
    assert table.count_updated_after(bound) == len(matching)
    above = [i for i in matching if after is None or i > after]
    first = table.first_ids_updated_after(bound, after, wanted)
    assert first[:wanted] == above[:wanted]
    assert first == above[: len(first)], "what it reads past `wanted` is still the next matches in order"
    assert len(table) == len(stamps)
    assert [table.stamp_of(i) for i in sorted(stamps)] == [stamps[i] for i in sorted(stamps)]


def test_a_block_emptied_by_removes_is_dropped_and_refilled() -> None:
    table = ContactTable(block_bits=2)
    for contact_id in range(12):
        table.put(contact_id, {"id": contact_id}, float(contact_id))
    for contact_id in range(4, 8):
        table.remove(contact_id)
    assert table.ids_updated_after(StampBound(0.0, inclusive=True)) == [0, 1, 2, 3, 8, 9, 10, 11]
    table.put(5, {"id": 5}, 100.0)
    assert table.first_ids_updated_after(StampBound(3.0), 2, 2)[:2] == [5, 8]
    table.clear()
    assert table.ids_updated_after(StampBound(-1.0)) == []
    assert table.count_updated_after(StampBound(-1.0)) == 0
