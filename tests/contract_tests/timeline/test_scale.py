"""The time axis: positions, and ticks at round steps."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from cwmock.contract_tests.timeline.scale import TimeScale, tick_label

from support.oracle import at


def test_positions_are_linear() -> None:
    scale = TimeScale(at(0), at(10), 100, 200)
    assert (scale.x(at(0)), scale.x(at(5)), scale.x(at(10))) == (100, 150, 200)


def test_ticks_fall_on_round_instants_and_are_few() -> None:
    scale = TimeScale(at(0, seconds=-40), at(47), 0, 1000)
    ticks = scale.ticks(most=10)
    assert 3 <= len(ticks) <= 10
    assert ticks[0] == at(0)
    assert all(b - a == timedelta(minutes=5) for a, b in itertools.pairwise(ticks))


def test_a_long_span_gets_longer_steps() -> None:
    ticks = TimeScale(at(0), at(60 * 24 * 30), 0, 1000).ticks(most=10)
    assert 1 <= len(ticks) <= 10


def test_an_empty_axis_is_refused() -> None:
    with pytest.raises(ValueError, match="end > begin"):
        TimeScale(at(1), at(1), 0, 10)


def test_labels_show_the_date_when_the_day_changes() -> None:
    assert tick_label(at(30), None) == "00:30:00"
    assert tick_label(at(60 * 24), at(60 * 23)) == "2026-01-02 00:00:00"
