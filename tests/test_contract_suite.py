"""The contract suite as QA runs it: `cwmock contract --poller-cmd ...` judges an external poller."""

from __future__ import annotations

import subprocess
import sys


def test_the_suite_fails_the_naive_poller_on_the_same_second_update_and_only_there() -> None:
    naive = f"{sys.executable} -m cwmock.contract_tests.naive_poller"
    done = subprocess.run(
        # The stateful property test fails it too; tests/test_stateful_meta.py holds that to its own account.
        [sys.executable, "-m", "cwmock", "contract", "--poller-cmd", naive, "-q", "-k", "not stateful"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    failed = [line for line in output.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1, output
    assert "test_an_update_inside_the_second_a_window_starts_is_delivered" in failed[0]
    assert "MISSING contact" in output, "the verdict names the lost version"
    assert "3 passed" in output
