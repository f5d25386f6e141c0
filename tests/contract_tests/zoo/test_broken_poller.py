"""No free passes (docs/design.md#liveness): a poller that never finishes a window properly fails every scenario it
runs, and the stateful test, with a verdict that shows the user what went wrong.

Each mode runs the whole suite as QA runs it (`cwmock contract --poller-cmd ...`), in its own process.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from cwmock.contract_tests.zoo.broken_poller import MODES, SAYS

from support.contract_runs import run_contract, summary_counts

BROKEN = f"{sys.executable} -m cwmock.contract_tests.zoo.broken_poller"
HANG_TIMEOUT = "0.25"  # seconds: each of the hanging poller's windows is killed this long after it starts
STATEFUL = "contract_tests/stateful/test_runs.py::test_any_run_of_changes_faults_and_crashes_is_delivered_exactly_once"
# The contract suite has 38 scenarios; a poller other than cwmock's skips the 4 with in-window crash points.
AT_LEAST = 30


@dataclass(frozen=True)
class Shows:
    """What the failure report must show for one mode."""

    findings: tuple[str, ...]
    stderr: bool  # the poller's own stderr line is in the report (crashes only: a clean exit's output is not asked)


SHOWS: dict[str, Shows] = {
    "crash": Shows(("CRASHED window", "exit status 1", "RuntimeError: cannot build the query"), stderr=True),
    "crash-after-fetch": Shows(("CRASHED window", "exit status 1", "then failed to open the outbox"), stderr=True),
    "hang": Shows(("CRASHED window", f"killed after --poller-timeout {HANG_TIMEOUT} s"), stderr=True),
    "silent": Shows(("UNSETTLED settle", "no hub response of its 0 request(s) ended a result"), stderr=False),
    "fetch-only": Shows(("MISSING contact",), stderr=False),
}


def test_every_mode_is_judged() -> None:
    assert set(SHOWS) == set(MODES)


@pytest.mark.parametrize("mode", sorted(SHOWS))
def test_a_poller_that_never_finishes_a_window_properly_fails_every_scenario(mode: str) -> None:
    args = ["--poller-cmd", f"{BROKEN} --mode {mode}", "-q", "-rfE"]
    if mode == "hang":
        args += ["--poller-timeout", HANG_TIMEOUT]
    done = run_contract(*args, timeout=600)
    output = done.stdout + done.stderr
    counts = summary_counts(output)
    summary = output.strip().splitlines()[-1]
    assert done.returncode == 1, output
    assert set(counts) <= {"failed", "skipped"}, f"nothing passes, nothing errors: {summary}"
    assert counts.get("failed", 0) >= AT_LEAST, summary
    assert f"FAILED {STATEFUL}" in output, "the stateful test fails it too"
    for text in SHOWS[mode].findings:
        assert text in output, f"expected {text!r} in the failure report:\n{output[-3000:]}"
    if SHOWS[mode].stderr:
        said = SAYS.format(mode=mode, what=MODES[mode])
        assert f"| {said}" in output, f"the report shows what the poller printed on stderr:\n{output[-3000:]}"
