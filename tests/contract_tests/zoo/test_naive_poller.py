"""The contract suite as QA runs it: `cwmock contract --poller-cmd ...` judges an external poller."""

from __future__ import annotations

import sys

from support.contract_runs import run_contract

SELECTED = "test_one_create_gives_one_event or test_an_update_inside_the_second_a_window_starts_is_delivered"


def test_the_suite_fails_the_naive_poller_on_the_same_second_update_and_passes_its_single_create() -> None:
    naive = f"{sys.executable} -m cwmock.contract_tests.zoo.naive_poller"
    done = run_contract("--poller-cmd", naive, "-q", "-k", SELECTED, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    failed = [line for line in output.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1, output
    assert "test_an_update_inside_the_second_a_window_starts_is_delivered" in failed[0]
    assert "MISSING contact" in output, "the verdict names the lost version"
    assert "1 passed" in output
