"""JSON documents: content type, depth, numbers and strings, checked without recursion."""

from __future__ import annotations

import re

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
)
from cwmock.core.validation.documents import _suspicious


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
