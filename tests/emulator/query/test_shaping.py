"""`orderBy` and `fields`: parsing, SQL Server-like sorting, partial responses."""

from __future__ import annotations

from typing import Any

import pytest

from cwmock.emulator.query.errors import QueryError
from cwmock.emulator.query.field_catalog import STAMP_PATH, Kind
from cwmock.emulator.query.ordering import OrderKey, parse_order_by, sort_records
from cwmock.emulator.query.selection import parse_fields, select_fields

RECORDS: list[dict[str, Any]] = [
    {"id": 1, "firstName": "bob", "lastName": "Smith", "company": {"id": 2, "name": "B"},
     "_info": {"lastUpdated": "2024-01-01T00:00:05Z", "updatedBy": "x"}},
    {"id": 2, "firstName": "Alice", "company": {"id": 1, "name": "a"},
     "_info": {"lastUpdated": "2024-01-01T00:00:01Z", "updatedBy": "x"}},
    {"id": 3, "firstName": "alice", "lastName": "jones", "company": {"id": 2, "name": "b"},
     "_info": {"lastUpdated": "2024-01-01T00:00:09Z", "updatedBy": "x"}},
    {"id": 4, "firstName": "Carl", "lastName": "smith",
     "_info": {"lastUpdated": "2024-01-01T00:00:01Z", "updatedBy": "x"}},
]  # fmt: skip


def order(text: str) -> list[int]:
    return [r["id"] for r in sort_records(RECORDS, parse_order_by(text))]


def test_parse_order_by_keys_and_directions() -> None:
    assert parse_order_by("lastName asc, id DESC") == [
        OrderKey(("lastName",), Kind.STRING, False),
        OrderKey(("id",), Kind.NUMBER, True),
    ]
    assert parse_order_by("company/name") == [OrderKey(("company", "name"), Kind.STRING, False)]
    assert parse_order_by("_info.lastUpdated desc") == [OrderKey(STAMP_PATH, Kind.INSTANT, True)]
    assert parse_order_by("  ") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("firstName", [2, 3, 1, 4]),  # case-insensitive, stable on ties (Alice before alice by input order)
        ("firstName desc", [4, 1, 2, 3]),  # stable under desc too
        ("lastName", [2, 3, 1, 4]),  # null first ascending
        ("lastName desc", [1, 4, 3, 2]),  # null last descending
        ("lastName asc, id desc", [2, 3, 4, 1]),
        ("company/name desc, firstName", [3, 1, 2, 4]),
        ("lastUpdated, id desc", [4, 2, 1, 3]),
    ],
)
def test_sort_records(text: str, expected: list[int]) -> None:
    assert order(text) == expected


@pytest.mark.parametrize(
    ("text", "token", "position"),
    [
        ("lastNam asc", "lastNam", 0),
        ("lastName up", "up", 9),
        ("id, , lastName", "", 3),
        ("id asc extra", "extra", 7),
        ("company", "company", 0),
        ("communicationItems/value", "communicationItems/value", 0),
        ("id, first-name", "first-name", 4),
    ],
)
def test_order_by_errors_name_the_token(text: str, token: str, position: int) -> None:
    with pytest.raises(QueryError) as raised:
        parse_order_by(text)
    assert (raised.value.token, raised.value.position) == (token, position)


FULL: dict[str, Any] = {
    "id": 179,
    "firstName": "Mike",
    "lastName": "Evans",
    "company": {"id": 132, "identifier": "Earth", "name": "Earth-Trisolaris"},
    "site": {"id": 136, "name": "Earth"},
    "communicationItems": [
        {"id": 1, "type": {"id": 1, "name": "Email"}, "value": "m@x.com", "communicationType": "Email"},
        {"id": 2, "type": {"id": 2, "name": "Direct"}, "value": "555", "communicationType": "Phone"},
    ],
    "_info": {"lastUpdated": "2024-05-31T18:18:16Z", "updatedBy": "Admin1", "contact_href": "https://h/x"},
}


def test_fields_keep_the_record_key_order_and_nest() -> None:
    selected = select_fields(FULL, parse_fields("_info/lastUpdated, company/id,id,firstName"))
    assert selected == {
        "id": 179,
        "firstName": "Mike",
        "company": {"id": 132},
        "_info": {"lastUpdated": FULL["_info"]["lastUpdated"]},
    }
    assert list(selected) == ["id", "firstName", "company", "_info"]


def test_fields_whole_objects_lists_and_aliases() -> None:
    assert select_fields(FULL, parse_fields("site,company/id,company")) == {
        "company": FULL["company"],
        "site": FULL["site"],
    }
    assert select_fields(FULL, parse_fields("communicationItems/value,communicationItems/type/name")) == {
        "communicationItems": [
            {"type": {"name": "Email"}, "value": "m@x.com"},
            {"type": {"name": "Direct"}, "value": "555"},
        ]
    }
    assert select_fields(FULL, parse_fields("LASTUPDATED,_info.contact_href")) == {
        "_info": {"lastUpdated": "2024-05-31T18:18:16Z", "contact_href": "https://h/x"}
    }
    # A selected object the record lacks is simply absent.
    assert select_fields(FULL, parse_fields("id,country/id")) == {"id": 179}
    assert select_fields(FULL, parse_fields("")) == FULL
    assert parse_fields(" ") is None


@pytest.mark.parametrize(
    ("text", "token", "position"),
    [
        ("id,firstNme", "firstNme", 3),
        ("id,,firstName", "", 3),
        ("id, company/bogus", "company/bogus", 4),
        ("id,first name", "first name", 3),
        ("id/", "id/", 0),
    ],
)
def test_fields_errors_name_the_token(text: str, token: str, position: int) -> None:
    with pytest.raises(QueryError) as raised:
        parse_fields(text)
    assert (raised.value.token, raised.value.position) == (token, position)
