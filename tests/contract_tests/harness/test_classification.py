"""Every contract scenario (and the stateful test) is classified: documented, naming its public source, or policy."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import cwmock.contract_tests.scenarios as scenarios
from cwmock.contract_tests.harness.classification import (
    DOCUMENTED_MARK,
    POLICY_MARK,
    POLICY_OPTION,
    documented,
    policy,
)
from cwmock.contract_tests.harness.options import DRIFT_OPTION

PUBLIC_SOURCE = re.compile(r"\([a-z0-9.-]+\.(com|org|io|net)/[^)]+\)")
MODULES = [f"cwmock.contract_tests.scenarios.{m.name}" for m in pkgutil.iter_modules(scenarios.__path__)]
MODULES = [name for name in MODULES if name.rsplit(".", 1)[1].startswith("test_")]
MODULES.append("cwmock.contract_tests.stateful.test_runs")


def scenario_functions() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name in MODULES:
        module = importlib.import_module(name)
        found += [
            (f"{name}.{attribute}", value)
            for attribute, value in vars(module).items()
            if attribute.startswith("test_") and inspect.isfunction(value)
        ]
    return found


def test_there_are_scenarios_to_classify() -> None:
    assert len(MODULES) >= 7
    assert len(scenario_functions()) >= 25


@pytest.mark.parametrize(("name", "function"), scenario_functions(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_scenario_is_documented_or_policy_and_says_why(name: str, function: object) -> None:
    marks = [m for m in getattr(function, "pytestmark", []) if m.name in (DOCUMENTED_MARK, POLICY_MARK)]
    assert len(marks) == 1, f"{name}: exactly one of @documented(SOURCE) or @policy(WHY), got {marks}"
    (mark,) = marks
    (reason,) = mark.args
    if mark.name == DOCUMENTED_MARK:
        assert PUBLIC_SOURCE.search(reason), f"{name}: a documented scenario names its public source and address"
    else:
        assert len(reason) > 20, f"{name}: a policy scenario says what cwmock chose"


def test_policy_scenarios_are_the_ones_the_platform_leaves_open() -> None:
    chosen = sorted(
        name.rsplit(".", 1)[1]
        for name, function in scenario_functions()
        if any(m.name == POLICY_MARK for m in getattr(function, "pytestmark", []))
    )
    assert chosen == [
        "test_a_410_is_not_retried_and_is_reported_parked",
        "test_a_429_is_retried_no_sooner_than_retry_after",
        "test_a_change_between_pages_loses_and_repeats_nothing",
        "test_a_crash_inside_a_window_loses_nothing_and_resends_identically",
        "test_records_from_before_the_instance_are_not_backfilled",
    ]


def test_a_classification_without_its_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="names its public source"):
        documented(" ")
    with pytest.raises(ValueError, match="says what cwmock chose"):
        policy("")


def test_a_policy_scenario_names_the_option_that_asks_for_it() -> None:
    assert policy("cwmock parks a 410 at once: nothing documents it").kwargs == {"asked_by": POLICY_OPTION}
    drift = policy("beyond the platform: exactly-once across shifting pages", asked_by=DRIFT_OPTION)
    assert drift.kwargs == {"asked_by": DRIFT_OPTION}
