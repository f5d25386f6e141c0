"""`cwmock contract` run as a user runs it, in a subprocess, against the zoo's external pollers."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ZOO = f"{sys.executable} -m cwmock.contract_tests.zoo.poller"
# This environment has schemathesis for the emulator's conformance test only. pytest loads its plugin in every
# session, 0.4 s of CPU each (1.8 against 1.4 s for a one-scenario run), and the contract suite never uses it: an
# inner session is the suite as a user without schemathesis runs it.
WITHOUT_UNUSED_PLUGINS = ("-p", "no:schemathesis")


def pytest_in_subprocess(argv: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ARGV, a command that starts a pytest session, with a pytest temporary root of its own."""
    # Concurrent pytest sessions that share /tmp/pytest-of-<user> race while they create and clean its numbered
    # directories (pytest-dev/pytest#4246, open). Under this project's `filterwarnings = error` one such race
    # failed CI after every scenario of the inner session had passed. `--basetemp` gives each inner session a
    # directory that no other session lists or deletes.
    with tempfile.TemporaryDirectory(prefix="cwmock-inner-pytest-") as temporary:
        basetemp = Path(temporary) / "basetemp"
        return subprocess.run(
            [*argv, "--basetemp", str(basetemp), *WITHOUT_UNUSED_PLUGINS],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def run_contract(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`python -m cwmock contract ARGS` as a user runs it, in its own pytest temporary root."""
    return pytest_in_subprocess([sys.executable, "-m", "cwmock", "contract", *args], timeout=timeout)


def summary_counts(output: str) -> dict[str, int]:
    """The counts on a pytest session's last line: `40 passed, 2 skipped in 3.2s` -> {"passed": 40, "skipped": 2}."""
    summary = output.strip().splitlines()[-1]
    return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", summary)}


def run_suite(poller_cmd: str, scenario: str | None, *, policy: bool = False) -> tuple[int, str]:
    """`cwmock contract --poller-cmd CMD [--judge-policy] -q -rfEs [-k SCENARIO]`: exit code and output."""
    options = (["--judge-policy"] if policy else []) + (["-k", scenario] if scenario is not None else [])
    done = run_contract("--poller-cmd", poller_cmd, "-q", "-rfEs", *options, timeout=900)
    return done.returncode, done.stdout + done.stderr
