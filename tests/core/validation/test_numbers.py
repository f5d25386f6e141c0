"""Numbers, durations, speeds: finite, bounded, refused with the key and the bound."""

from __future__ import annotations

import math

import pytest

from cwmock.core.validation import (
    MAX_DURATION_SECONDS,
    InputError,
    check_duration,
    check_number,
    check_speed,
    check_whole_number,
    number_from_text,
)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True, "5", None, [1]])
def test_what_is_not_a_finite_number_is_refused(value: object) -> None:
    with pytest.raises(InputError, match="seconds"):
        check_number("seconds", value)


def test_bounds_are_named_in_the_message() -> None:
    assert check_duration("seconds", 900) == 900.0
    with pytest.raises(InputError, match="seconds must be at most 3,153,600,000, got 1e"):
        check_duration("seconds", 1e308)
    with pytest.raises(InputError, match="seconds must be at least 0"):
        check_duration("seconds", -1)
    assert check_duration("offsetSeconds", -MAX_DURATION_SECONDS, minimum=-math.inf) == -MAX_DURATION_SECONDS
    with pytest.raises(InputError, match="offsetSeconds must be at least -3,153,600,000"):
        check_duration("offsetSeconds", -3e11, minimum=-math.inf)
    with pytest.raises(InputError, match="count must be at most 10"):
        check_whole_number("count", 11, maximum=10)
    with pytest.raises(InputError, match="whole number"):
        check_whole_number("count", 1.5)


@pytest.mark.parametrize("speed", [0, -1, 1e12, math.nan, math.inf, 1e-9])
def test_a_follow_speed_is_bounded(speed: float) -> None:
    with pytest.raises(InputError, match="speed"):
        check_speed("speed", speed)
    assert check_speed("speed", 2) == 2.0


@pytest.mark.parametrize("raw", ["nan", "inf", "1e999", "", "1" * 41, "0x10", "1_0"])
def test_numbers_from_text_are_finite_decimals(raw: str) -> None:
    with pytest.raises(InputError, match="visibleAfter"):
        number_from_text("visibleAfter", raw)
    assert number_from_text("visibleAfter", " 1.5 ") == 1.5
