"""ConnectWise `conditions`/`childConditions`: grammar, literals, evaluation over stored contacts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.model.store import Store
from cwmock.emulator.query.conditions import parse_child_conditions, parse_conditions
from cwmock.emulator.query.errors import QueryError
from cwmock.emulator.query.field_catalog import Kind
from cwmock.emulator.query.predicates import (
    AnyItem,
    Compare,
    Contains,
    In,
    IsNull,
    Like,
    Not,
    Or,
    compile_predicate,
)

UTC = timezone.utc
T0 = datetime(2024, 5, 31, 18, 18, 16, tzinfo=UTC)


@pytest.fixture(scope="module")
def contacts() -> list[dict[str, Any]]:
    """Five contacts stored through the real store, one minute apart from T0."""
    store = Store(ManualClock(T0))
    bodies: list[dict[str, Any]] = [
        {
            "firstName": "Mike",
            "lastName": "Evans",
            "company": {"id": 132},
            "site": {"id": 136},
            "title": "Director  ",
            "communicationItems": [
                {"type": {"id": 1}, "value": "mike@acme.com"},
                {"type": {"id": 2}, "value": "555-0100"},
            ],
        },
        {
            "firstName": "Ann",
            "lastName": "O'Neil",
            "company": {"id": 250},
            "inactiveFlag": True,
            "communicationItems": [{"type": {"id": 2}, "value": "ann@acme.com"}],
        },
        {"firstName": "Zoë", "lastName": "Xu", "company": {"id": 2}, "portalSecurityLevel": 3},
        {"firstName": "bob", "company": {"id": 250}, "country": {"id": 2}},
        {
            "firstName": "Carla",
            "lastName": "Mix",
            "company": {"id": 132},
            "communicationItems": [{"type": {"id": 1}, "value": "carla@other.org"}],
        },
    ]
    return [store.create_contact("cwmock", body, stamp=T0 + timedelta(minutes=i)) for i, body in enumerate(bodies)]


def ids(text: str, records: list[dict[str, Any]], child: str | None = None) -> list[int]:
    matches = compile_predicate(parse_conditions(text))
    child_matches = compile_predicate(parse_child_conditions(child)) if child is not None else None
    return [r["id"] for r in records if matches(r) and (child_matches is None or child_matches(r))]


# -- operators ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('firstName = "Mike"', [1]),
        ('firstName != "Mike"', [2, 3, 4, 5]),
        ("company/id = 132", [1, 5]),
        ("company/id != 132", [2, 3, 4]),
        ("portalSecurityLevel > 1", [3]),
        ("portalSecurityLevel >= 1", [1, 2, 3, 4, 5]),
        ("portalSecurityLevel < 3", [1, 2, 4, 5]),
        ("portalSecurityLevel <= 3", [1, 2, 3, 4, 5]),
        ('lastName contains "e"', [1, 2]),
        ('lastName not contains "e"', [3, 5]),
        ('lastName like "E*"', [1]),
        ('lastName like "%i%"', [2, 5]),
        ('lastName like "_u"', [3]),
        ('lastName not like "E%"', [2, 3, 5]),
        ("company/id in (3, 2, 250)", [2, 3, 4]),
        ("company/id not in (2, 250)", [1, 5]),
        ('company/name in ("acme corporation")', [2, 4]),
        ("inactiveFlag = true", [2]),
        ("inactiveFlag = false", [1, 3, 4, 5]),
        ("lastName = null", [4]),
        ("lastName != null", [1, 2, 3, 5]),
        ("country/id = null", [1, 2, 3, 5]),
        ("id = 3", [3]),
    ],
)
def test_each_operator_selects_the_expected_contacts(
    text: str, expected: list[int], contacts: list[dict[str, Any]]
) -> None:
    assert ids(text, contacts) == expected


def test_strings_compare_case_insensitively_and_ignore_trailing_spaces(
    contacts: list[dict[str, Any]],
) -> None:
    assert ids('firstName = "MIKE"', contacts) == [1]
    assert ids('firstName = "zoë"', contacts) == [3]
    assert ids('title = "director"', contacts) == [1]
    assert ids('lastName LIKE "evANS"', contacts) == [1]
    assert ids('firstName < "C"', contacts) == [2, 4]


def test_both_quote_styles_and_escapes(contacts: list[dict[str, Any]]) -> None:
    assert ids("firstName = 'Mike'", contacts) == [1]
    assert ids("lastName = 'O''Neil'", contacts) == [2]
    assert ids('lastName = "O\'Neil"', contacts) == [2]
    assert ids("lastName = 'O\\'Neil'", contacts) == [2]
    assert parse_conditions('title = "say \\"hi\\""') == Compare(("title",), Kind.STRING, "=", 'say "hi"')
    assert parse_conditions(r'title = "C:\temp"') == Compare(("title",), Kind.STRING, "=", r"C:\temp")


def test_and_binds_tighter_than_or_in_any_case(contacts: list[dict[str, Any]]) -> None:
    # a or (b and c), not (a or b) and c
    assert ids('firstName = "Mike" OR company/id = 250 And inactiveFlag = true', contacts) == [1, 2]
    assert ids('(firstName = "Mike" or company/id = 250) and inactiveFlag = false', contacts) == [1, 4]
    assert ids('((firstName="Mike" and inactiveFlag=false))', contacts) == [1]
    assert ids("not (company/id = 132 or company/id = 2)", contacts) == [2, 4]


def test_nested_fields_and_both_spellings_of_the_update_stamp(contacts: list[dict[str, Any]]) -> None:
    assert ids('site/name = "earth"', contacts) == [1]
    assert ids('company/identifier like "acme*"', contacts) == [2, 4]
    assert ids("lastUpdated > [2024-05-31T18:20:16Z]", contacts) == [4, 5]
    assert ids("_info/lastUpdated > [2024-05-31T18:20:16Z]", contacts) == [4, 5]
    assert ids("_info/lastUpdated >= [2024-05-31T18:20:16Z]", contacts) == [3, 4, 5]
    assert ids('_info/updatedBy = "apimember"', contacts) == [1, 2, 3, 4, 5]
    assert ids("LASTUPDATED <= [2024-05-31T18:18:16Z]", contacts) == [1]


@pytest.mark.parametrize(
    "literal",
    [
        "[2024-05-31T18:20:16Z]",
        "[2024-05-31T20:20:16+02:00]",
        "[2024-05-31T20:20:16 02:00]",  # a raw '+' arrives URL-decoded as a space
        "[2024-05-31T16:20:16-02:00]",
        "[2024-05-31T18:20:16.000000Z]",
        "[2024-05-31T18:20:16.0000000Z]",
        "[2024-05-31T20:20:16.000+0200]",
        "[2024-05-31T20:20:16+02]",
        "[2024-05-31 20:20:16 02:00]",
        "[2024-05-31T18:20:16]",
        "[ 2024-05-31T18:20:16Z ]",
    ],
)
def test_datetime_literals_with_offsets_fractions_and_space_for_plus(
    literal: str, contacts: list[dict[str, Any]]
) -> None:
    assert ids(f"lastUpdated > {literal}", contacts) == [4, 5]


def test_fractional_seconds_are_kept() -> None:
    parsed = parse_conditions("lastUpdated > [2024-05-31T18:20:16.123456789Z]")
    assert isinstance(parsed, Compare)
    assert parsed.value == datetime(2024, 5, 31, 18, 20, 16, 123456, tzinfo=UTC)


def test_literal_kinds() -> None:
    assert parse_conditions("portalSecurityLevel = -1.50") == Compare(
        ("portalSecurityLevel",), Kind.NUMBER, "=", Decimal("-1.50")
    )
    assert parse_conditions("company/id = '132'") == Compare(("company", "id"), Kind.NUMBER, "=", 132)
    assert parse_conditions("zip = 12345") == Compare(("zip",), Kind.STRING, "=", "12345")
    assert parse_conditions("inactiveFlag = TRUE") == Compare(("inactiveFlag",), Kind.BOOLEAN, "=", True)
    assert parse_conditions("lastUpdated > [2016-08-20T18:04:26Z]") == Compare(
        ("_info", "lastUpdated"), Kind.INSTANT, ">", datetime(2016, 8, 20, 18, 4, 26, tzinfo=UTC)
    )


@pytest.mark.parametrize("quoted", ['"2016-08-20T18:04:26Z"', "'2016-08-20T18:04:26Z'"])
def test_a_quoted_datetime_is_refused_with_the_bracketed_spelling(quoted: str) -> None:
    """PSA Developer Guide, "Conditions": datetimes "must be surrounded by square brackets"."""
    with pytest.raises(QueryError) as raised:
        parse_conditions(f"lastUpdated > {quoted}")
    assert "_info/lastUpdated > [2016-08-20T18:04:26Z]" in str(raised.value), "the message gives the fix"
    assert (raised.value.token, raised.value.position) == (quoted, 14)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("E*", "Evans", True),
        ("%an%", "Evans", True),
        ("_vans", "Evans", True),
        ("[ef]vans", "Evans", True),
        ("[^ef]vans", "Evans", False),
        ("[a-f]vans", "Evans", True),
        ("[[]x]", "[x]", True),
        ("50[%]", "50%", True),
        ("50[%]", "500", False),
        ("a[", "a[", True),
    ],
)
def test_like_patterns_read_as_sql_server_reads_them(pattern: str, value: str, matches: bool) -> None:
    """`*` (the guide's wildcard) and SQL Server's `%`, `_` and `[...]` (the guide escapes `[` as `[[]`)."""
    test = compile_predicate(parse_conditions(f'lastName like "{pattern}"'))
    assert test({"lastName": value}) is matches


def test_field_names_match_case_insensitively_and_resolve_to_the_record_spelling() -> None:
    assert parse_conditions("FIRSTNAME = 'x'") == Compare(("firstName",), Kind.STRING, "=", "x")
    assert parse_conditions("Company/ID in (1)") == In(("company", "id"), Kind.NUMBER, (1,))


def test_not_forms() -> None:
    assert parse_conditions("lastName not contains 'x'") == Not(Contains(("lastName",), "x"))
    assert parse_conditions("lastName NOT LIKE 'x%'") == Not(Like(("lastName",), "x%"))
    assert parse_conditions("id not in (1, 2)") == Not(In(("id",), Kind.NUMBER, (1, 2)))
    assert parse_conditions("lastName != null") == Not(IsNull(("lastName",)))
    assert parse_conditions("not id = 1 or id = 2") == Or(
        (Not(Compare(("id",), Kind.NUMBER, "=", 1)), Compare(("id",), Kind.NUMBER, "=", 2))
    )


def test_blank_conditions_match_everything(contacts: list[dict[str, Any]]) -> None:
    assert ids("   ", contacts) == [1, 2, 3, 4, 5]


def test_every_stored_field_can_be_named() -> None:
    from cwmock.emulator.model.contacts import FIELD_ORDER
    from cwmock.emulator.query.field_catalog import resolve_field

    for name in ("id", *FIELD_ORDER):
        assert resolve_field((name,), name, 0).path == (name,)


# -- childConditions ------------------------------------------------------------------------------


def test_child_conditions_need_one_item_satisfying_the_whole_predicate(
    contacts: list[dict[str, Any]],
) -> None:
    both = 'communicationItems/value like "%@acme.com" and communicationItems/communicationType="Email"'
    # Ann's acme.com address is a phone item, so no single item of hers satisfies both parts.
    assert ids("", contacts, child=both) == [1]
    assert ids("", contacts, child='communicationItems/value like "%@acme.com"') == [1, 2]
    assert ids("", contacts, child='communicationItems/type/name = "direct"') == [1, 2]
    assert ids("company/id = 132", contacts, child='communicationItems/communicationType = "Email"') == [1, 5]
    assert ids("", contacts, child='not communicationItems/communicationType = "Email"') == [1, 2]


def test_child_conditions_parse_into_one_any_item() -> None:
    parsed = parse_child_conditions("communicationItems/value = 'a' or communicationItems/value = 'b'")
    assert parsed == AnyItem(
        ("communicationItems",),
        Or((Compare(("value",), Kind.STRING, "=", "a"), Compare(("value",), Kind.STRING, "=", "b"))),
    )


def test_child_conditions_over_two_lists_test_each_list_separately() -> None:
    parsed = parse_child_conditions("types/id = 1 and communicationItems/value = 'a'")
    record = {"types": [{"id": 1, "name": "x"}], "communicationItems": [{"value": "A"}]}
    assert compile_predicate(parsed)(record)
    assert not compile_predicate(parsed)({**record, "types": [{"id": 2}]})


def test_child_conditions_refuse_top_level_fields_and_conditions_refuse_list_fields() -> None:
    with pytest.raises(QueryError, match="childConditions") as child_error:
        parse_child_conditions("firstName = 'x'")
    assert child_error.value.token == "firstName"
    with pytest.raises(QueryError, match="childConditions") as error:
        parse_conditions("id = 1 and communicationItems/value = 'x'")
    assert (error.value.token, error.value.position) == ("communicationItems/value", 11)
