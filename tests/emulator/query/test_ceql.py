"""CEQL `where`: grammar, literals, and that it lands in the same predicate model as `conditions`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from cwmock.emulator.query.ceql import parse_ceql
from cwmock.emulator.query.conditions import parse_child_conditions, parse_conditions
from cwmock.emulator.query.field_catalog import Kind
from cwmock.emulator.query.predicates import AnyItem, Compare, IsNull, Like, Not, compile_predicate, conjoin

UTC = timezone.utc

RECORDS: list[dict[str, Any]] = [
    {
        "id": 1,
        "firstName": "Mike",
        "lastName": "Evans",
        "company": {"id": 132, "identifier": "EarthTrisolaris", "name": "Earth-Trisolaris Organization"},
        "inactiveFlag": False,
        "communicationItems": [
            {
                "id": 7,
                "type": {"id": 1, "name": "Email"},
                "value": "mike@acme.com",
                "communicationType": "Email",
            }
        ],
        "_info": {"lastUpdated": "2019-01-01T00:00:00Z", "updatedBy": "Admin1"},
    },
    {
        "id": 2,
        "firstName": "Ann",
        "lastName": "O'Neil",
        "company": {"id": 250, "identifier": "AcmeCorp", "name": "Acme Corporation"},
        "inactiveFlag": True,
        "communicationItems": [
            {
                "id": 8,
                "type": {"id": 2, "name": "Direct"},
                "value": "ann@acme.com",
                "communicationType": "Phone",
            }
        ],
        "_info": {"lastUpdated": "2019-01-01T00:00:01Z", "updatedBy": "Admin1"},
    },
    {
        "id": 3,
        "firstName": "Zed",
        "inactiveFlag": False,
        "_info": {"lastUpdated": "2020-06-15T12:30:00Z", "updatedBy": "APIMember"},
    },
]


def ids(where: str) -> list[int]:
    matches = compile_predicate(parse_ceql(where))
    return [r["id"] for r in RECORDS if matches(r)]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("lastUpdated>'2019-01-01T00:00:00Z'", [2, 3]),
        ("lastUpdated >= '2019-01-01T00:00:00.000Z'", [1, 2, 3]),
        ("_info.lastUpdated < '2019-01-01T00:00:01Z'", [1]),
        ("`_info`.`lastUpdated` <= '2019-01-01T00:00:01Z'", [1, 2]),
        ("`_info.lastUpdated` = '2019-01-01T01:00:01+01:00'", [2]),
        ("lastUpdated != '2019-01-01T00:00:00Z'", [2, 3]),
        ("firstName = 'mike'", [1]),
        ("company.id = 250", [2]),
        ("company.id IN (132, 250)", [1, 2]),
        ("company.id NOT IN (132)", [2]),
        ("company.name LIKE '%corp%'", [2]),
        ("company.name NOT LIKE 'earth%'", [2]),
        ("lastName IS NULL", [3]),
        ("lastName is not null", [1, 2]),
        ("company.id IS NULL", [3]),
        ("inactiveFlag = true", [2]),
        ("inactiveFlag = FALSE AND lastName IS NOT NULL", [1]),
        ("lastName = 'O''Neil'", [2]),
        ("firstName = 'Zed' OR company.id = 132 AND inactiveFlag = true", [3]),
        ("(firstName = 'Zed' OR company.id = 132) AND inactiveFlag = false", [1, 3]),
        ("NOT (company.id = 132)", [2]),
        ("communicationItems.value LIKE '%@acme.com'", [1, 2]),
        (
            "communicationItems.value LIKE '%@acme.com' AND communicationItems.communicationType = 'Email'",
            [1],
        ),
        ("`communicationItems`.`type`.`name` = 'direct'", [2]),
        ("", [1, 2, 3]),
    ],
)
def test_ceql_selects_the_expected_records(where: str, expected: list[int]) -> None:
    assert ids(where) == expected


def test_a_quoted_literal_against_the_update_stamp_is_an_instant() -> None:
    assert parse_ceql("lastUpdated > '2019-01-01T00:00:00.000Z'") == Compare(
        ("_info", "lastUpdated"), Kind.INSTANT, ">", datetime(2019, 1, 1, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("ceql", "conditions"),
    [
        ("lastUpdated>'2019-01-01T00:00:00Z'", "lastUpdated>[2019-01-01T00:00:00Z]"),
        ("_info.lastUpdated > '2019-01-01T00:00:00Z'", "_info/lastUpdated > [2019-01-01T00:00:00Z]"),
        ("company.id IN (1, 2) and firstName LIKE 'M%'", "company/id in (1, 2) and firstName like 'M%'"),
        ("lastName IS NULL OR lastName IS NOT NULL", "lastName = null or lastName != null"),
        ("NOT lastName LIKE 'x%'", "lastName not like 'x%'"),
        ("inactiveFlag = true AND (id = 1 OR id > 2)", "inactiveFlag = true and (id = 1 or id > 2)"),
    ],
)
def test_ceql_and_conditions_spellings_parse_to_the_same_predicate(ceql: str, conditions: str) -> None:
    assert parse_ceql(ceql) == parse_conditions(conditions)


def test_ceql_list_fields_mean_the_same_as_child_conditions() -> None:
    ceql = parse_ceql("company.id = 132 AND communicationItems.value LIKE '%@acme.com'")
    native = conjoin(
        parse_conditions("company/id = 132"),
        parse_child_conditions("communicationItems/value like '%@acme.com'"),
    )
    assert ceql == native
    assert native == conjoin(
        Compare(("company", "id"), Kind.NUMBER, "=", 132),
        AnyItem(("communicationItems",), Like(("value",), "%@acme.com")),
    )


def test_is_not_null_is_the_negated_null_test() -> None:
    assert parse_ceql("lastName IS NOT NULL") == Not(IsNull(("lastName",)))
