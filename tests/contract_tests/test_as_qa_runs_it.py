"""The contract suite as QA runs it, judging cwmock's reference poller: in-process, and as an external command.

`cwmock contract` in a subprocess, as a user types it. The external pass holds the reference poller to cwmock policy
and to drift safety too (it claims both), so no scenario is skipped for it in either pass. Both were commands of
their own in tox, run after pytest on one core; as tests they share pytest's workers with the rest of the suite.
"""

from __future__ import annotations

import sys

import pytest

from support.contract_runs import run_contract, summary_counts

PASSES = {
    "in-process": [],
    "external": [
        "--poller-cmd",
        f"{sys.executable} -m cwmock poller once",
        "--judge-policy",
        "--poller-claims-drift-safe",
    ],
}
SCENARIOS = 38  # the contract suite's scenarios; the stateful test and the suite's own checks come on top


@pytest.mark.parametrize("name", sorted(PASSES))
def test_the_reference_poller_passes_every_scenario(name: str) -> None:
    done = run_contract(*PASSES[name], "-q", "-rfEs", timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    counts = summary_counts(output)
    assert set(counts) == {"passed"}, output
    assert counts["passed"] > SCENARIOS, output
