"""JSON documents: content type, depth, numbers and strings, checked without recursion."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.validation import (
    MAX_JSON_DEPTH,
    InputError,
    MediaTypeError,
    check_json_content_type,
    check_json_value,
    read_json_document,
    read_json_elements,
)
from cwmock.core.validation.documents import _strict_document, _suspicious


@pytest.mark.parametrize(
    "header", [None, "", "application/json", "application/json; charset=utf-8", "application/merge-patch+json",
               "application/x-www-form-urlencoded"],
)  # fmt: skip
def test_json_content_types_pass(header: str | None) -> None:
    check_json_content_type(header)


@pytest.mark.parametrize("header", ["text/plain", "text/plain; charset=utf-8", "multipart/form-data; boundary=x"])
def test_other_content_types_are_refused(header: str) -> None:
    with pytest.raises(MediaTypeError, match="Content-Type: application/json"):
        check_json_content_type(header)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"[" * 100_000, "nested more than 64 levels"),
        (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "nested more than 64 levels"),
        (b"[" + b"9" * 5000 + b"]", "out of range"),
        (b"9223372036854775808", "out of range"),
        (b"[NaN]", "NaN is not JSON"),
        (b'{"a": -Infinity}', "Infinity is not JSON"),
        (b"1e400", "too large"),
        (b'{"firstName": "\\ud800"}', "body/firstName: the value contains a lone surrogate"),
        (b'{"\\u0000": 1}', "the key contains a NUL"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b'["\xed\xa0\x80"]', "not valid JSON"),  # a surrogate encoded as UTF-8 bytes (CESU-8)
        ('["\ud800"]', "lone surrogate"),  # a Python str may hold one as itself
        (b"{", "not valid JSON"),
    ],
)
def test_hostile_documents_are_refused_with_what_is_wrong(raw: bytes, problem: str) -> None:
    with pytest.raises(InputError) as refused:
        read_json_document(raw)
    assert problem in str(refused.value)


def test_documents_within_the_rules_read_as_json() -> None:
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert read_json_document(nested) is not None
    assert read_json_document('{"s": "é"}'.encode("utf-16")) == {"s": "é"}
    assert read_json_document(b'{"n": -9223372036854775807, "f": 1.5e300, "s": "\xc3\xa9"}') == {
        "n": -(2**63) + 1,
        "f": 1.5e300,
        "s": "é",
    }


def test_python_values_are_checked_by_the_same_rules() -> None:
    with pytest.raises(InputError, match="contact/customFields/0/note"):
        check_json_value({"customFields": [{"note": "\x00"}]}, key="contact")
    with pytest.raises(InputError, match="a set, which JSON cannot carry"):
        check_json_value({"tags": {1}})
    with pytest.raises(InputError, match="nested more than 3 levels"):
        check_json_value([[[[1]]]], max_depth=3)


# The single alternation the fast check replaced: the reference it must agree with.
_ONE_REGEX = re.compile("\\\\u(?:0000|[dD][89a-fA-F])|[\x00\ud800-\udfff]")
_PIECES = st.sampled_from(["\\u0000", "\\ud83d", "\\uDBFF", "\\u00e9", "\\u", "\\\\u", "\x00", "\ud800", "\udfff",
                           "é", "€", "😀", "a", '"', "\\"])  # fmt: skip


@settings(max_examples=500)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=12).map("".join))
def test_the_fast_suspicion_check_agrees_with_one_regex(text: str) -> None:
    assert _suspicious(text) == (_ONE_REGEX.search(text) is not None)


# Documents near every edge of the rules: numbers at and past the bounds, NaN, escapes (NUL, surrogates), deep
# nesting, whitespace, and texts cut or spliced so that some are not JSON at all.
_NUMBERS = st.sampled_from(
    ["0", "-0", "9223372036854775807", "-9223372036854775807", "9223372036854775808", "1" * 25, "1.5", "-2.5e10",
     "1e308", "1e309", "1E-400", "1.0e999", "NaN", "-Infinity", "Infinity", "123456789012345678.5", "01", "1."]
)  # fmt: skip
_STRINGS = st.sampled_from(
    ['"a"', '"\\u0000"', '"\\ud800"', '"\\ud83d\\ude00"', '"caf\u00e9"', '"\\n"', '"1234567890123456789"', '"\x01"']
)
_SCALARS = st.one_of(_NUMBERS, _STRINGS, st.sampled_from(["true", "false", "null"]))
_SPACE = st.sampled_from(["", " ", "\n", "\t ", "\r\n"])


def _container(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(_SPACE, st.lists(children, max_size=4)).map(lambda p: "[" + p[0] + ("," + p[0]).join(p[1]) + "]"),
        st.lists(st.tuples(_STRINGS, children), max_size=4).map(
            lambda pairs: "{" + ",".join(f"{name}:{value}" for name, value in pairs) + "}"
        ),
    )


_DOCUMENTS = st.recursive(_SCALARS, _container, max_leaves=20)
_NESTED = st.integers(60, 70).map(lambda n: "[" * n + "1" + "]" * n)
_TEXTS = st.one_of(
    st.tuples(_SPACE, _DOCUMENTS, _SPACE).map("".join),
    _NESTED,
    st.tuples(_DOCUMENTS, st.integers(0, 40), st.sampled_from(["", ",", "]", "x", " 1", "\ufeff"])).map(
        lambda p: p[0][: p[1]] + p[2] + p[0][p[1] :]
    ),
)


def _outcome(read: Any) -> tuple[str, str]:
    try:
        return "value", json.dumps(read())  # json.dumps tells 1 from 1.0 and True
    except InputError as error:
        return "error", f"{error.key}: {error.message}"


@settings(max_examples=1500, deadline=None)
@given(_TEXTS, st.booleans())
def test_the_fast_reader_accepts_and_refuses_exactly_what_the_strict_one_does(text: str, as_bytes: bool) -> None:
    raw: bytes | str = text.encode("utf-8", "surrogatepass") if as_bytes else text
    strict = _outcome(lambda: _strict_document(raw, "the page", MAX_JSON_DEPTH))
    assert _outcome(lambda: read_json_document(raw, key="the page")) == strict
    assert _outcome(lambda: read_json_elements(raw, key="the page")[0]) == strict


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_element_texts_are_the_elements_as_written(text: str) -> None:
    try:
        document, texts = read_json_elements(text)
    except InputError:
        return
    if texts is None:
        return
    assert isinstance(document, list)
    assert [json.dumps(json.loads(t)) for t in texts] == [json.dumps(value) for value in document]
    assert all(t in text and t == t.strip() for t in texts)


def test_a_compact_page_is_split_into_its_own_record_texts() -> None:
    records = [{"id": 1, "name": "Zoë", "_info": {"lastUpdated": "2026-01-01T00:00:00Z"}}, [1, 2.5], "x", None]
    text = json.dumps(records, separators=(",", ":"), ensure_ascii=False)
    document, texts = read_json_elements(text.encode())
    assert document == records
    assert texts == [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in records]
    assert read_json_elements(" [ ] ") == ([], [])
    assert read_json_elements('{"a": [1]}') == ({"a": [1]}, None)


@pytest.mark.parametrize(
    "raw", ['["\\u0000"]', "[9223372036854775808]", "[1e999]", '["\\ud800"]', "[NaN]", "[1,]", "[1] 2"]
)
def test_doubtful_pages_are_refused_by_the_strict_reader_with_its_message(raw: str) -> None:
    with pytest.raises(InputError) as fast:
        read_json_elements(raw, key="the page")
    with pytest.raises(InputError) as strict:
        _strict_document(raw, "the page", MAX_JSON_DEPTH)
    assert fast.value.message == strict.value.message
