"""Pollers that follow documented behaviour differently from cwmock's reference poller pass the whole suite.

Each variant of the zoo's bug-free base (`--variant`) is judged through `--poller-cmd` on every scenario, as a user
would run `cwmock contract`: raw = the whole hub page, pollDate = the hub's `Date` of the first response, a 410
retried like any failure (5 retries at 8^k s, Open Connectors' Event Retry and Queueing). Policy scenarios are
skipped for them; asked for with `--judge-policy`, the one the variant departs from fails.
"""

from __future__ import annotations

import re

import pytest

from cwmock.contract_tests.zoo.poller import VARIANTS

from support.contract_runs import ZOO, run_suite


def test_there_are_the_documented_variants() -> None:
    assert set(VARIANTS) == {"whole-page-raw", "date-header-poll-date", "retry-410"}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_variant_passes_the_whole_suite(variant: str) -> None:
    code, output = run_suite(f"{ZOO} --variant {variant}", None)
    assert code == 0, output
    assert " passed" in output
    assert "failed" not in output
    # Exactly the policy scenarios are skipped: 410 parked at once, 429 after Retry-After, the 4 crash points of
    # cwmock's reference poller, no backfill before createdDate, and the 4 drift scenarios (a claim it does not make).
    assert "11 skipped" in output, output
    skipped = [int(n) for n in re.findall(r"^SKIPPED \[(\d+)\] .*: cwmock policy \(", output, re.MULTILINE)]
    assert sum(skipped) == 11, output


def test_a_410_retried_fails_the_410_policy_scenario_when_asked() -> None:
    scenario = "test_a_410_is_not_retried"
    code, output = run_suite(f"{ZOO} --variant retry-410", scenario)
    assert code == 0, output
    assert "1 skipped" in output
    code, output = run_suite(f"{ZOO} --variant retry-410", scenario, policy=True)
    assert code == 1, output
    assert "FAILED" in output
