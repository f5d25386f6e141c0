"""Bad queries: only QueryError ever comes out, naming the offending token and its position."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.emulator.query.ceql import parse_ceql
from cwmock.emulator.query.conditions import parse_child_conditions, parse_conditions
from cwmock.emulator.query.errors import QueryError, connectwise_error_body, hub_error_body
from cwmock.emulator.query.ordering import parse_order_by
from cwmock.emulator.query.selection import parse_fields

PARSERS: list[Callable[[str], Any]] = [
    parse_conditions,
    parse_child_conditions,
    parse_ceql,
    parse_order_by,
    parse_fields,
]

# Text built from the languages' own pieces finds deeper paths than uniformly random characters.
_PIECES = st.sampled_from(
    [
        "firstName", "company/id", "company.id", "lastUpdated", "_info/lastUpdated",
        "communicationItems/value", "`_info.lastUpdated`", "=", "!=", "<", "<=", ">", ">=", "and", "OR",
        "not", "contains", "like", "in", "IS", "NULL", "null", "true", "(", ")", ",", "'x'", '"y"',
        "'2019-01-01T00:00:00Z'", "[2016-08-20T18:04:26Z]", "[2016-08-20T18:04:26 02:00]", "[", "]", "12",
        "-1.5", "1e5", "'", '"', "`", "\\", "/", ".", " ", "asc", "desc", "\x00", "\u00e9", "\U0001f600",
        "9" * 40,
    ]
)  # fmt: skip
QUERY_TEXT = st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=25).map("".join))


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__)
@settings(max_examples=150, deadline=None)
@given(text=QUERY_TEXT)
def test_parsers_raise_nothing_but_query_error(parse: Callable[[str], Any], text: str) -> None:
    caught: QueryError | None = None
    try:
        parse(text)
    except QueryError as error:
        caught = error
    if caught is not None:
        assert 0 <= caught.position <= len(text)
        assert text.startswith(caught.token, caught.position)


@pytest.mark.parametrize("parse", [parse_conditions, parse_ceql], ids=lambda p: p.__name__)
def test_deep_nesting_is_refused_not_a_recursion_error(parse: Callable[[str], Any]) -> None:
    with pytest.raises(QueryError, match="nested"):
        parse("(" * 5000 + "id = 1" + ")" * 5000)
    with pytest.raises(QueryError, match="nested"):
        parse("not " * 5000 + "id = 1")


def test_long_flat_chains_are_fine() -> None:
    parse_conditions(" or ".join(["id = 1"] * 3000))


@pytest.mark.parametrize(
    ("text", "token", "position", "fragment"),
    [
        ('firstName = "Mike" and lastNam = "x"', "lastNam", 23, "did you mean 'lastName'"),
        ('firstName = "Mike', '"Mike', 12, "unterminated string"),
        ("firstName = Mike", "Mike", 12, "quote strings"),
        ("firstName == 'x'", "=", 11, "expected a value"),
        ("firstName 'x'", "'x'", 10, "expected = != <"),
        ("(id = 1", "", 7, "expected ')'"),
        ("id = 1)", ")", 6, "expected 'and', 'or'"),
        ("id = 1 and", "", 10, "ends where a condition"),
        ("lastUpdated > [2016-13-40T00:00:00Z]", "[2016-13-40T00:00:00Z]", 14, "invalid datetime"),
        ("lastUpdated > [2016-08-20T18:04:26Z", "[2016-08-20T18:04:26Z", 14, "closing ]"),
        ("company = 2", "company", 0, "company/id"),
        ("company/id = 'abc'", "'abc'", 13, "holds a number"),
        ("inactiveFlag = 2", "2", 15, "true or false"),
        ("id < null", "null", 5, "only be compared with = or !="),
        ("id in ()", ")", 7, "expected a value"),
        ("lastName not = 'x'", "=", 13, "after 'not'"),
        ("id = 1 # 2", "#", 7, "unexpected character"),
        ("firstName/x = 1", "firstName/x", 0, "no fields"),
        ("id = 12abc", "12a", 5, "malformed number"),
        ("inactiveFlag like 'x'", "like", 13, "applies to text"),
    ],
)
def test_conditions_errors_name_token_and_position(text: str, token: str, position: int, fragment: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_conditions(text)
    error = raised.value
    assert (error.token, error.position) == (token, position), error.message
    assert fragment in str(error)


@pytest.mark.parametrize(
    ("text", "token", "position", "fragment"),
    [
        ('lastUpdated > "2019-01-01"', '"', 14, "single quotes"),
        ("lastUpdated > '2019-13-01'", "'2019-13-01'", 14, "holds a datetime"),
        ("firstName = null", "null", 12, "IS NULL"),
        ("firstName IS 'x'", "'x'", 13, "expected NULL"),
        ("`firstName = 'x'", "`firstName = 'x'", 0, "closing `"),
        ("firstName contains 'x'", "contains", 10, "expected an operator"),
        ("company.nme = 'x'", "company.nme", 0, "did you mean 'name'"),
    ],
)
def test_ceql_errors_name_token_and_position(text: str, token: str, position: int, fragment: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_ceql(text)
    error = raised.value
    assert (error.token, error.position) == (token, position), error.message
    assert fragment in str(error)


def test_connectwise_error_body_has_the_reference_shape() -> None:
    with pytest.raises(QueryError) as raised:
        parse_conditions("firstName = 'x' and bogus = 1")
    body = connectwise_error_body(raised.value)
    assert body["code"] == "InvalidObject"
    assert "at position 20 near 'bogus'" in body["message"]
    assert body["errors"] == [
        {
            "code": "InvalidCondition",
            "message": "unknown field 'bogus': a contact has no such field at position 20 near 'bogus'",
            "resource": "contact",
            "field": "conditions",
        }
    ]
    assert connectwise_error_body(raised.value, "orderBy")["errors"][0]["field"] == "orderBy"


def test_hub_error_body_names_the_problem() -> None:
    with pytest.raises(QueryError) as raised:
        parse_ceql("lastUpdated >")
    assert hub_error_body(raised.value, "req-1") == {
        "requestId": "req-1",
        "message": "Invalid where: expected a value but found the end at position 13 (end of input)",
    }
