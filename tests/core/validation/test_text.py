"""Strings: Unicode scalar values without NUL, lengths named."""

from __future__ import annotations

import pytest

from cwmock.core.validation import InputError, check_text, text_problem


@pytest.mark.parametrize("text", ["", "Ada", "Zoë 🙂", "tab\tand\nnewline", "\ufffd", "\U0010ffff"])
def test_unicode_text_passes(text: str) -> None:
    assert text_problem(text) is None
    assert check_text("firstName", text) == text


@pytest.mark.parametrize(
    ("text", "problem"),
    [("\ud800", "lone surrogate (U+D800)"), ("a\udfffb", "U+DFFF) at position 1"), ("a\x00", "NUL")],
)
def test_lone_surrogates_and_nul_are_refused_naming_the_key(text: str, problem: str) -> None:
    with pytest.raises(InputError, match="firstName") as refused:
        check_text("firstName", text)
    assert problem in str(refused.value)
    assert refused.value.key == "firstName"


def test_lengths_and_types_are_named() -> None:
    with pytest.raises(InputError, match="31 characters long; the maximum is 30"):
        check_text("firstName", "x" * 31, max_length=30)
    with pytest.raises(InputError, match="must be a string, got int"):
        check_text("firstName", 5)
