"""Fault path patterns: regular expressions matched in linear time, or refused."""

from __future__ import annotations

import pytest

from cwmock.core.validation import MAX_PATTERN_LENGTH, InputError, LinearRegex, check_glob


def test_a_catastrophic_pattern_matches_a_long_path_at_once() -> None:
    regex = LinearRegex("pathRegex", r"/(a|aa)+$")
    # Python's re takes exponential time here; RE2 answers in microseconds (a hang would time the test out).
    assert regex.fullmatch("/" + "a" * 100_000 + "b") is False
    assert regex.fullmatch("/aaaa") is True


@pytest.mark.parametrize("pattern", ["(", r"(a)\1", "(?=x)y", "a{1000}{1000}", "x" * (MAX_PATTERN_LENGTH + 1), "\x00"])
def test_patterns_re2_cannot_match_in_linear_time_are_refused(pattern: str) -> None:
    with pytest.raises(InputError, match="pathRegex"):
        LinearRegex("pathRegex", pattern)


def test_a_path_that_is_not_unicode_matches_nothing() -> None:
    assert LinearRegex("pathRegex", ".*").fullmatch("\ud800") is False


def test_globs_are_bounded() -> None:
    assert check_glob("path", "/v4_6_release/*") == "/v4_6_release/*"
    with pytest.raises(InputError, match="the maximum is 1000"):
        check_glob("path", "*" * 1001)
