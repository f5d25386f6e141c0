"""`dump_json` writes the standard library's bytes for any value, whether orjson or `json.dumps` writes them."""

from __future__ import annotations

import enum
import functools
import json
import uuid
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.clock import ManualClock
from cwmock.emulator.http.responses import dump_json
from cwmock.emulator.http.wire import render_contact
from cwmock.emulator.model.generated import generate_contacts
from cwmock.emulator.model.store import Store

BASE = "http://cwmock.test/v4_6_release/apis/3.0"


def reference_dump(data: Any) -> bytes:
    """`dump_json` as it was before orjson: the bytes every answer must keep."""
    try:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def outcome(dump: Any, data: Any) -> tuple[str, bytes | str]:
    try:
        return ("bytes", dump(data))
    except Exception as exc:  # the same kind of failure is part of the behaviour (a 500 names it)
        return ("raised", f"{type(exc).__name__}: {exc}")


# Every code point, surrogates and control characters included.
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([1e-05, 1e16, 1e-7, 123456789.123, 5e-324, 1.5e300, -0.0, 0.1])
    | ANY_TEXT
)
KEYS = ANY_TEXT | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(ANY_TEXT, inner, max_size=4)
        | st.dictionaries(KEYS, inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=600, deadline=None)
@given(VALUES)
def test_any_value_gives_the_standard_librarys_bytes(data: Any) -> None:
    assert outcome(dump_json, data) == outcome(reference_dump, data)


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Text(str):
    pass


class Number(int):
    pass


class Circle(dict):  # type: ignore[type-arg]
    pass


@pytest.mark.parametrize(
    "data",
    [
        {"id": uuid.UUID(int=7)},  # orjson writes UUIDs, enums and dates; the standard library refuses them
        {"c": Colour.RED},
        {"level": Level.HIGH},
        [datetime(2026, 1, 1, tzinfo=timezone.utc)],
        {"name": Text("Ann")},
        {"id": Number(5)},
        OrderedDict([("b", 1), ("a", [2.5, "\udc80"])]),
        {"deep": [[[[[[[[[[1]]]]]]]]]]},
        [2**64, -(2**63) - 1, 2**63],
        {1: "a", None: "c", 2.5: "d"},
        {True: "b", False: "e"},
    ],
    ids=repr,
)
def test_values_orjson_would_write_differently(data: Any) -> None:
    assert outcome(dump_json, data) == outcome(reference_dump, data)


def test_nesting_past_orjsons_limit_and_cycles() -> None:
    deep: list[Any] = []
    for _ in range(400):
        deep = [deep]
    assert dump_json(deep) == reference_dump(deep)
    cycle: dict[str, Any] = {}
    cycle["self"] = cycle
    assert outcome(dump_json, cycle) == outcome(reference_dump, cycle)


@functools.cache
def rendered_contacts() -> list[dict[str, Any]]:
    store = Store(ManualClock(datetime(2026, 1, 1, tzinfo=timezone.utc)))
    records = [store.create_contact("cwmock", body) for body in generate_contacts(20, store.reference)]
    return [render_contact(record, BASE, store.reference) for record in records]


@settings(max_examples=150, deadline=None)
@given(name=ANY_TEXT, extra=st.lists(SCALARS, max_size=4), index=st.integers(min_value=0, max_value=19))
def test_any_rendered_contact_gives_the_standard_librarys_bytes(name: str, extra: list[Any], index: int) -> None:
    wire = dict(rendered_contacts()[index])
    assert dump_json(wire) == reference_dump(wire)
    wire["firstName"] = name
    wire["customFields"] = [{"id": 1, "caption": name, "value": value} for value in extra]
    assert outcome(dump_json, wire) == outcome(reference_dump, wire)
