"""The evaluator: SQL null semantics, the stamp-index shortcut, and CEQL/conditions agreement."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.timestamps import format_cw
from cwmock.emulator.model.table import ContactTable, StampBound
from cwmock.emulator.query.ceql import parse_ceql
from cwmock.emulator.query.conditions import parse_conditions
from cwmock.emulator.query.field_catalog import STAMP_PATH, Kind
from cwmock.emulator.query.instants import parse_query_instant
from cwmock.emulator.query.predicates import (
    And,
    Compare,
    Contains,
    In,
    IsNull,
    Like,
    Not,
    Or,
    Predicate,
    compile_predicate,
    stamp_lower_bound,
    three_valued,
)

UTC = timezone.utc
BASE = datetime(2024, 5, 31, 18, 0, 0, tzinfo=UTC)


def test_comparisons_with_a_missing_field_are_unknown_and_never_match() -> None:
    record: dict[str, Any] = {"id": 1}
    for text in ("lastName = 'x'", "lastName != 'x'", "lastName not like 'x%'", "lastName not contains 'x'",
                 "not lastName = 'x'", "lastName not in ('x')", "company/id < 5"):  # fmt: skip
        assert not compile_predicate(parse_conditions(text))(record), text
    assert compile_predicate(parse_conditions("lastName = null"))(record)
    assert not compile_predicate(parse_conditions("lastName != null"))(record)


def test_unknown_combines_like_sql() -> None:
    record: dict[str, Any] = {"id": 1}
    unknown = parse_conditions("lastName = 'x'")
    true = parse_conditions("id = 1")
    false = parse_conditions("id = 2")
    assert three_valued(Or((unknown, true)))(record) is True
    assert three_valued(Or((unknown, false)))(record) is None
    assert three_valued(And((unknown, false)))(record) is False
    assert three_valued(And((unknown, true)))(record) is None
    assert three_valued(Not(unknown))(record) is None


def test_stamp_lower_bound_takes_the_tightest_bound_and_leaves_the_rest() -> None:
    bound, rest = stamp_lower_bound(
        parse_conditions(
            "lastUpdated > [2024-01-01T00:00:00Z] and firstName = 'x'"
            " and lastUpdated >= [2024-01-02T00:00:00Z] and _info/lastUpdated > [2024-01-02T00:00:00Z]"
        )
    )
    assert bound == StampBound(datetime(2024, 1, 2, tzinfo=UTC).timestamp(), inclusive=False)
    assert rest == Compare(("firstName",), Kind.STRING, "=", "x")
    assert stamp_lower_bound(parse_ceql("lastUpdated >= '2024-01-01T00:00:00Z'")) == (
        StampBound(datetime(2024, 1, 1, tzinfo=UTC).timestamp(), inclusive=True),
        None,
    )
    tie = parse_conditions("lastUpdated >= [2024-01-01T00:00:00Z] and lastUpdated > [2024-01-01T00:00:00Z]")
    assert stamp_lower_bound(tie)[0] == StampBound(datetime(2024, 1, 1, tzinfo=UTC).timestamp(), inclusive=False)
    either = parse_conditions("lastUpdated > [2024-01-01T00:00:00Z] or id = 1")
    assert stamp_lower_bound(either) == (None, either)
    assert stamp_lower_bound(parse_conditions("")) == (None, None)


# -- random predicates and records ---------------------------------------------------------------

_TEXT = st.sampled_from(["", "a", "b", "ab", "ba", "A", "abc"])
# Mostly whole seconds in a narrow range, so bounds tie with each other and with record stamps.
_INSTANT = st.one_of(
    st.integers(min_value=0, max_value=6).map(lambda s: BASE + timedelta(seconds=s)),
    st.integers(min_value=0, max_value=6_000_000).map(lambda us: BASE + timedelta(microseconds=us)),
)
_STRING_FIELD = st.sampled_from([("firstName",), ("lastName",)])
_FLAG = st.just(("inactiveFlag",))
_COMPANY_ID = st.just(("company", "id"))
_IDS = st.integers(1, 4)
_OP = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])

LEAVES: st.SearchStrategy[Predicate] = st.one_of(
    st.builds(Compare, _STRING_FIELD, st.just(Kind.STRING), _OP, _TEXT),
    st.builds(Compare, _COMPANY_ID, st.just(Kind.NUMBER), _OP, _IDS),
    st.builds(Compare, _FLAG, st.just(Kind.BOOLEAN), st.sampled_from(["=", "!="]), st.booleans()),
    st.builds(Compare, st.just(STAMP_PATH), st.just(Kind.INSTANT), _OP, _INSTANT),
    st.builds(IsNull, _STRING_FIELD),
    st.builds(Like, _STRING_FIELD, st.sampled_from(["%", "a%", "%b", "_", "a_", "%a%", "ab"])),
    st.builds(Contains, _STRING_FIELD, _TEXT),
    st.builds(In, _COMPANY_ID, st.just(Kind.NUMBER), st.lists(_IDS, min_size=1).map(tuple)),
)  # fmt: skip
PREDICATES: st.SearchStrategy[Predicate] = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, min_size=2, max_size=4).map(lambda ps: And(tuple(ps))),
        st.lists(inner, min_size=2, max_size=4).map(lambda ps: Or(tuple(ps))),
    ),
    max_leaves=8,
)
# Index bounds come from very few instants so that several bounds in one conjunction often tie.
_BOUND_INSTANT = st.one_of(st.integers(min_value=0, max_value=2).map(lambda s: BASE + timedelta(seconds=s)), _INSTANT)
BOUNDS: st.SearchStrategy[Predicate] = st.builds(
    Compare, st.just(STAMP_PATH), st.just(Kind.INSTANT), st.sampled_from([">", ">="]), _BOUND_INSTANT
)


@st.composite
def conjunctions(draw: st.DrawFn) -> Predicate:
    """Conjunctions of bounds and other predicates, often with two bounds on one instant (`> X`, `>= X`)."""
    operands = draw(st.lists(st.one_of(BOUNDS, PREDICATES), min_size=1, max_size=5))
    twin = next((p for p in operands if isinstance(p, Compare) and p.path == STAMP_PATH), None)
    if twin is not None and draw(st.booleans()):
        operands.append(Compare(twin.path, twin.kind, ">=" if twin.op == ">" else ">", twin.value))
    operands = draw(st.permutations(operands))
    return operands[0] if len(operands) == 1 else And(tuple(operands))


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for contact_id in range(1, draw(st.integers(0, 12)) + 1):
        record: dict[str, Any] = {"id": contact_id}
        for name in ("firstName", "lastName"):
            if draw(st.booleans()):
                record[name] = draw(_TEXT.filter(bool))
        if draw(st.booleans()):
            record["company"] = {"id": draw(st.integers(1, 4))}
        record["inactiveFlag"] = draw(st.booleans())
        stamp = BASE + timedelta(seconds=draw(st.integers(0, 6)))
        record["_info"] = {"lastUpdated": format_cw(stamp), "updatedBy": "x"}
        found.append(record)
    return found


@settings(max_examples=200, deadline=None)
@given(predicate=conjunctions(), contacts=records())
def test_index_bound_plus_residual_selects_exactly_what_the_whole_predicate_selects(
    predicate: Predicate, contacts: list[dict[str, Any]]
) -> None:
    table = ContactTable()
    for record in contacts:
        stamp = parse_query_instant(record["_info"]["lastUpdated"])
        assert stamp is not None
        table.put(record["id"], record, stamp.timestamp())
    whole = compile_predicate(predicate)
    expected = [r["id"] for r in table.in_id_order() if whole(r)]

    bound, residual = stamp_lower_bound(predicate)
    candidates = table.updated_after(bound) if bound is not None else list(table.in_id_order())
    rest = compile_predicate(residual) if residual is not None else (lambda record: True)
    assert [r["id"] for r in candidates if rest(r)] == expected


# -- rendering one predicate in both languages ---------------------------------------------------


def _cw_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return "[" + value.isoformat().replace("+00:00", "Z") + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _ceql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "false"
    if isinstance(value, datetime):
        return "'" + value.isoformat() + "'"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def to_conditions(p: Predicate) -> str:
    """`p` written as ConnectWise conditions."""
    if isinstance(p, Compare):
        return f"{'/'.join(p.path)} {p.op} {_cw_literal(p.value)}"
    if isinstance(p, IsNull):
        return f"{'/'.join(p.path)} = null"
    if isinstance(p, Like):
        return f"{'/'.join(p.path)} like '{p.pattern}'"
    if isinstance(p, Contains):
        return f"{'/'.join(p.path)} contains '{p.text}'"
    if isinstance(p, In):
        return f"{'/'.join(p.path)} in ({', '.join(map(_cw_literal, p.values))})"
    if isinstance(p, Not):
        return f"not ({to_conditions(p.operand)})"
    if isinstance(p, (And, Or)):
        joiner = " AND " if isinstance(p, And) else " or "
        return joiner.join(f"({to_conditions(o)})" for o in p.operands)
    raise AssertionError(p)


def to_ceql(p: Predicate) -> str:
    """`p` written as CEQL (contains becomes LIKE '%text%')."""
    if isinstance(p, Compare):
        name = "lastUpdated" if p.path == STAMP_PATH else ".".join(p.path)
        return f"{name} {p.op} {_ceql_literal(p.value)}"
    if isinstance(p, IsNull):
        return f"`{'.'.join(p.path)}` IS NULL"
    if isinstance(p, Like):
        return f"{'.'.join(p.path)} LIKE '{p.pattern}'"
    if isinstance(p, Contains):
        return f"{'.'.join(p.path)} like '%{p.text}%'"
    if isinstance(p, In):
        return f"{'.'.join(p.path)} IN ({','.join(map(_ceql_literal, p.values))})"
    if isinstance(p, Not):
        return f"NOT ({to_ceql(p.operand)})"
    if isinstance(p, (And, Or)):
        joiner = " and " if isinstance(p, And) else " OR "
        return joiner.join(f"({to_ceql(o)})" for o in p.operands)
    raise AssertionError(p)


@settings(max_examples=200, deadline=None)
@given(predicate=PREDICATES, contacts=records())
def test_conditions_and_ceql_spellings_select_the_same_records(
    predicate: Predicate, contacts: list[dict[str, Any]]
) -> None:
    direct = compile_predicate(predicate)
    via_conditions = compile_predicate(parse_conditions(to_conditions(predicate)))
    via_ceql = compile_predicate(parse_ceql(to_ceql(predicate)))
    for record in contacts:
        assert direct(record) == via_conditions(record) == via_ceql(record), record


def test_the_store_answers_a_bounded_query_from_its_index() -> None:
    from cwmock.core.clock import ManualClock
    from cwmock.emulator.model.store import Store

    store = Store(ManualClock(BASE))
    for second, name in enumerate(["Ann", "Bob", "Ann", "Cy", "Ann"]):
        store.create_contact("cwmock", {"firstName": name}, stamp=BASE + timedelta(seconds=second))
    predicate = parse_conditions("firstName = 'ann' and lastUpdated >= [2024-05-31T18:00:02Z]")
    bound, residual = stamp_lower_bound(predicate)
    assert bound is not None
    assert residual is not None
    listed = store.list_contacts("cwmock", updated_after=bound, predicate=compile_predicate(residual))
    assert [r["id"] for r in listed] == [3, 5]
    everything = store.list_contacts("cwmock", predicate=compile_predicate(predicate))
    assert listed == everything
