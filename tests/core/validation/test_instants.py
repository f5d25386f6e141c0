"""Instants: parsed within 0001-9999, the clock's range inside it, arithmetic that saturates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cwmock.core.validation import (
    CLOCK_EARLIEST,
    CLOCK_LATEST,
    EARLIEST,
    LATEST,
    MAX_DURATION_SECONDS,
    InputError,
    check_clock_instant,
    instant_from_text,
    shift,
)


def test_the_clock_range_leaves_room_for_two_maximal_durations_at_each_end() -> None:
    room = timedelta(seconds=2 * MAX_DURATION_SECONDS)
    assert CLOCK_EARLIEST - room >= EARLIEST
    assert CLOCK_LATEST + room <= LATEST


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "nonsense", "2026-01-01T00:00:00", "x" * 65]
)
def test_unrepresentable_or_malformed_instants_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="stamp"):
        instant_from_text("stamp", text)


def test_the_clock_may_not_be_set_near_the_ends() -> None:
    with pytest.raises(InputError, match="instant must be from 0201-01-01T00:00:00Z to 9799-12-31T23:59:59Z"):
        check_clock_instant("instant", datetime(9999, 1, 1, tzinfo=timezone.utc))
    assert check_clock_instant("instant", CLOCK_LATEST) == CLOCK_LATEST


def test_shift_saturates_instead_of_overflowing() -> None:
    assert shift(LATEST - timedelta(seconds=5), 1e308) == LATEST
    assert shift(EARLIEST + timedelta(seconds=5), -1e308) == EARLIEST
    assert shift(CLOCK_LATEST, 60) == CLOCK_LATEST + timedelta(minutes=1)
