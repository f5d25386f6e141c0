"""`cwmock contract` run as a user runs it, in a subprocess, against the zoo's external pollers."""

from __future__ import annotations

import subprocess
import sys

ZOO = f"{sys.executable} -m cwmock.contract_tests.zoo.poller"


def run_suite(poller_cmd: str, scenario: str | None, *, policy: bool = False) -> tuple[int, str]:
    """`cwmock contract --poller-cmd CMD [--judge-policy] -q -rfEs [-k SCENARIO]`: exit code and output."""
    options = (["--judge-policy"] if policy else []) + (["-k", scenario] if scenario is not None else [])
    done = subprocess.run(
        [sys.executable, "-m", "cwmock", "contract", "--poller-cmd", poller_cmd, "-q", "-rfEs", *options],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr
