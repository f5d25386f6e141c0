"""A pytest plugin for the mutation runs only (tests/mutation/run.py stages it and passes `-p pytest_profile`).

Each mutant reruns the tests that reach it: Hypothesis must try the same examples every time (derandomized, no
example database), and no health check may fail a test because a loaded machine generated data slowly.

mutmut runs a mutant's tests with `-x`, in the order it lists them (a set's order): one slow scenario first costs
its whole duration even when a test of a millisecond would have killed the mutant. So the tests run fastest first,
by the durations mutmut recorded in its stats run (tests it has no duration for come last).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "cwmock-mutation", derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile("cwmock-mutation")

# mutmut runs every pytest session from its `mutants/` directory, where it keeps this file.
STATS = Path("mutmut-stats.json")


def recorded_durations(path: Path = STATS) -> dict[str, float]:
    """Test node id -> seconds its call took in mutmut's stats run; empty before that run (or when unreadable)."""
    try:
        durations = json.loads(path.read_text(encoding="utf-8"))["duration_by_test"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {str(name): float(seconds) for name, seconds in durations.items()} if isinstance(durations, dict) else {}


def fastest_first(items: list[pytest.Item], durations: dict[str, float]) -> list[pytest.Item]:
    """The items ordered by recorded duration, ties (and unknown tests, last) in collection order."""
    return sorted(items, key=lambda item: durations.get(item.nodeid, math.inf))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the fastest tests first, so that `-x` stops a killed mutant's run as early as it can."""
    del config
    durations = recorded_durations()
    if durations:
        items[:] = fastest_first(items, durations)
