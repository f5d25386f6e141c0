"""Benchmark: how long our own checks take — `tox`'s default envs, and the stateful test under its `ci` profile.

    python bench/suite_runtime.py [--envs py,lint,type] [--no-tox] [--no-stateful]
                                  [--json bench-suite-runtime.json]

Each tox env runs as `tox -e ENV` from the repository root (`tox` from PATH, else `python -m tox`; install it with
`pip install tox`), one after the other, timed from start to exit: a first run includes creating the env, later
runs reuse it (`--recreate` times a cold start). The stateful property test
(`contract_tests/stateful/test_runs.py`) then runs under its `ci` profile with this interpreter, against the
installed `cwmock` — the reference poller in-process, then `cwmock poller once` as an external command (which gets a
quarter of the examples) — exactly as tox's `py` env runs it among the rest of the contract suite. A checkout without
the stateful test says so and skips it. Wall-clock timing is the point of a benchmark, so this script (not part of
the package) reads it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from common import machine

ROOT = Path(__file__).resolve().parent.parent
STATEFUL_MODULE = "cwmock.contract_tests.stateful.test_runs"
STATEFUL_RUNS = {
    "in-process": [],
    "external": ["--poller-cmd", "python -m cwmock poller once"],
}


@dataclass
class Timed:
    """One command, how long it took and how it ended."""

    name: str
    command: list[str]
    seconds: float
    exit_code: int
    summary: str

    @property
    def passed(self) -> bool:
        """Exit code 0."""
        return self.exit_code == 0


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def timed(name: str, command: list[str], log: Path) -> Timed:
    """Run `command` from the repository root, its output to `log`; time it."""
    print(f"[{name}] {' '.join(command)}", file=sys.stderr, flush=True)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    log.write_text(done.stdout + done.stderr)
    result = Timed(name, command, seconds, done.returncode, _last_line(done.stdout) or _last_line(done.stderr))
    print(f"[{name}] {seconds:.1f} s, exit {done.returncode}: {result.summary}", file=sys.stderr, flush=True)
    return result


def tox_command() -> list[str]:
    """`tox` from PATH, else this interpreter's `-m tox`; SystemExit with the fix when neither exists."""
    found = shutil.which("tox")
    if found:
        return [found]
    if importlib.util.find_spec("tox") is not None:
        return [sys.executable, "-m", "tox"]
    raise SystemExit("tox is not installed: `pip install tox` (or pass --no-tox to time only the stateful test)")


def stateful_available() -> bool:
    """Whether the installed cwmock has the stateful property test."""
    try:
        return importlib.util.find_spec(STATEFUL_MODULE) is not None
    except ModuleNotFoundError:
        return False


def table(results: Sequence[Timed]) -> str:
    """The figures as a markdown table."""
    rows = ["| what | wall s | result |", "|---|---:|---|"]
    for r in results:
        rows.append(f"| {r.name} | {r.seconds:.1f} | {'ok' if r.passed else f'exit {r.exit_code}'}: {r.summary} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, time each check, print the table, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--envs", default="py,lint,type", help="tox envs to time, in order (default: tox's envlist)")
    parser.add_argument("--recreate", action="store_true", help="recreate each tox env (time a cold start)")
    parser.add_argument("--no-tox", action="store_true", help="skip the tox envs")
    parser.add_argument("--no-stateful", action="store_true", help="skip the stateful test")
    parser.add_argument("--json", type=Path, default=Path("bench-suite-runtime.json"), help="where to write JSON")
    args = parser.parse_args(argv)
    logs = args.json.resolve().parent
    results: list[Timed] = []
    notes: list[str] = []
    if not args.no_tox:
        tox = tox_command()
        for env in [e.strip() for e in args.envs.split(",") if e.strip()]:
            command = [*tox, "-e", env, *(["--recreate"] if args.recreate else [])]
            results.append(timed(f"tox -e {env}", command, logs / f"suite-runtime-tox-{env}.log"))
    if args.no_stateful:
        pass
    elif not stateful_available():
        notes.append(
            f"the stateful test ({STATEFUL_MODULE}) is not in the installed cwmock: this checkout predates it "
            "(contract_tests/stateful/test_runs.py), or cwmock is not installed here; its ci profile was not timed"
        )
    else:
        for kind, extra in STATEFUL_RUNS.items():
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs", STATEFUL_MODULE,
                       "--cwmock-profile", "ci", *extra]  # fmt: skip
            results.append(timed(f"stateful, ci profile, {kind}", command, logs / f"suite-runtime-stateful-{kind}.log"))
    report: dict[str, Any] = {
        "benchmark": "suite runtime",
        "machine": machine(),
        "results": [{**asdict(r), "passed": r.passed} for r in results],
        "notes": notes,
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))
    for note in notes:
        print(f"NOTE {note}")
    print(f"machine: {report['machine']}; JSON: {args.json}; logs: {logs}/suite-runtime-*.log")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
