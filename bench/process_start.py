"""Benchmark: what starting a process costs — a poller window as the contract suite runs it, and `cwmock contract`.

    python bench/process_start.py [--checkout DIR ...] [--runs 20] [--suite] [--suite-runs 1]
                                  [--json bench-process-start.json]

Each command runs from each `--checkout` (default: this one) with this interpreter, so `python -m cwmock` imports that
checkout's code; give two checkouts (a branch and main) to compare them in one run. Runs are interleaved (round by
round, checkout after checkout) so both meet the same machine load. Every command is one whole process:

- the reference poller's window, `python -m cwmock poller once`, and the zoo's pollers, each under the external-poller
  protocol with the seed instance and a hub that refuses the connection (127.0.0.1:9): the process starts, imports
  what a window imports, reads the instance, fails its one fetch at once, keeps its state and exits, so what is timed
  is the start-up the suite pays per window;
- `python -m cwmock contract --collect-only -q`: the suite up to its first test (pytest, Hypothesis, the emulator);
- `python -c pass`: the interpreter alone, the floor.

`--suite` also times whole contract suites as the zoo's tests and tox run them: the zoo poller's `retry-410` variant
and the reference poller through `--poller-cmd` (tox's external pass). It prints medians of wall and CPU time (the
process and its children), each checkout's ratio to the first, and the load average before and after. Wall-clock
timing is the point of a benchmark, so this script (not part of the package) reads it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from common import machine

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WINDOWS: dict[str, list[str]] = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "cwmock poller once": [PYTHON, "-m", "cwmock", "poller", "once"],
    "zoo poller": [PYTHON, "-m", "cwmock.contract_tests.zoo.poller"],
    "zoo naive_poller": [PYTHON, "-m", "cwmock.contract_tests.zoo.naive_poller"],
    "zoo broken_poller fetch-only": [PYTHON, "-m", "cwmock.contract_tests.zoo.broken_poller", "--mode", "fetch-only"],
    "cwmock contract --collect-only": [PYTHON, "-m", "cwmock", "contract", "--collect-only", "-q"],
}
SUITES: dict[str, list[str]] = {
    "suite: zoo poller --variant retry-410": [
        PYTHON, "-m", "cwmock", "contract", "--poller-cmd",
        "python -m cwmock.contract_tests.zoo.poller --variant retry-410", "-q",
    ],
    "suite: --poller-cmd 'python -m cwmock poller once' (tox)": [
        PYTHON, "-m", "cwmock", "contract", "--poller-cmd", "python -m cwmock poller once", "--judge-policy",
        "--poller-claims-drift-safe", "-q",
    ],
}  # fmt: skip
INSTANCE = "instances/seed_example_polling.json"
UNREACHABLE = "http://127.0.0.1:9"


@dataclass
class Sample:
    """The runs of one command from one checkout."""

    command: str
    checkout: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)

    def median_wall(self) -> float:
        """Median wall seconds."""
        return statistics.median(self.wall)

    def median_cpu(self) -> float:
        """Median CPU seconds (user + system, the process and its children)."""
        return statistics.median(self.cpu)


def window_environment(work: Path) -> dict[str, str]:
    """The external-poller protocol's variables for the seed instance, its hub and callback unreachable."""
    body = json.loads((ROOT / "fixtures" / INSTANCE).read_text(encoding="utf-8"))
    body["configuration"]["event.notification.callback.url"] = f"{UNREACHABLE}/callback"
    instance = work / "instance.json"
    instance.write_text(json.dumps({**body, "id": 1, "token": "t", "createdDate": "2026-01-01T00:00:00Z"}))
    return {
        **quiet_environment(),
        "CWMOCK_INSTANCE": str(instance),
        "CWMOCK_HUB_URL": f"{UNREACHABLE}/elements/api-v2",
        "CWMOCK_HUB_AUTH": "User u, Organization o, Element e",
        "CWMOCK_NOW": "2026-01-01T00:15:00Z",
        "CWMOCK_START": "2026-01-01T00:00:00Z",
        "CWMOCK_HTTP_TIMEOUT": "2",
    }


def quiet_environment() -> dict[str, str]:
    """This environment, with bytecode caching on: an installed package (and tox) reads each module's cached
    bytecode, where PYTHONDONTWRITEBYTECODE in a checkout would make every process compile every module again."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def children_cpu() -> float:
    """CPU seconds used so far by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(sample: Sample, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run `argv` once from `cwd` (a fresh state directory each time), adding its wall and CPU time to `sample`."""
    with tempfile.TemporaryDirectory(prefix="cwmock-start-") as state:
        cpu_before = children_cpu()
        began = time.perf_counter()
        done = subprocess.run(
            argv, cwd=cwd, env={**env, "CWMOCK_STATE_DIR": state}, capture_output=True, text=True, check=False
        )
        sample.wall.append(time.perf_counter() - began)
        sample.cpu.append(children_cpu() - cpu_before)
        sample.exit_codes.append(done.returncode)
        if done.returncode != 0 and sample.command.startswith("suite"):
            print(done.stdout[-2000:] + done.stderr[-2000:], file=sys.stderr)


def measure(commands: dict[str, list[str]], checkouts: Sequence[Path], runs: int, env: dict[str, str]) -> list[Sample]:
    """Every command from every checkout, `runs` rounds, interleaved."""
    samples = {(name, c): Sample(name, str(c)) for name in commands for c in checkouts}
    for round_number in range(runs):
        for name, argv in commands.items():
            for checkout in checkouts:
                run_once(samples[(name, checkout)], argv, checkout, env)
        print(f"round {round_number + 1}/{runs} done, load {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
    return list(samples.values())


def table(samples: Sequence[Sample], checkouts: Sequence[Path]) -> str:
    """Medians per command and checkout, with each checkout's ratio to the first."""
    rows = ["| command | checkout | runs | wall ms (median) | CPU ms (median) | wall / first | exits |",
            "|---|---|---:|---:|---:|---:|---|"]  # fmt: skip
    first = {s.command: s.median_wall() for s in samples if s.checkout == str(checkouts[0])}
    for s in samples:
        exits = ",".join(str(code) for code in sorted(set(s.exit_codes)))
        ratio = s.median_wall() / first[s.command]
        rows.append(
            f"| {s.command} | {s.checkout} | {len(s.wall)} | {s.median_wall() * 1000:.0f} | "
            f"{s.median_cpu() * 1000:.0f} | {ratio:.2f} | {exits} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, time every command from every checkout, print the table, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, action="append", help="a checkout to run from (repeatable)")
    parser.add_argument("--runs", type=int, default=20, help="rounds of the per-process commands (default: 20)")
    parser.add_argument("--suite", action="store_true", help="also time whole contract suites")
    parser.add_argument("--suite-runs", type=int, default=1, help="rounds of the whole suites (default: 1)")
    parser.add_argument("--json", type=Path, default=Path("bench-process-start.json"), help="where to write JSON")
    args = parser.parse_args(argv)
    checkouts = [c.resolve() for c in (args.checkout or [ROOT])]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cwmock-start-") as work:
        env = window_environment(Path(work))
        measure(WINDOWS, checkouts, 1, env)  # a first round, not counted, writes each checkout's bytecode cache
        samples = measure(WINDOWS, checkouts, args.runs, env)
        if args.suite:
            samples += measure(SUITES, checkouts, args.suite_runs, quiet_environment())
    load_after = os.getloadavg()
    report: dict[str, Any] = {
        "benchmark": "process start",
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "samples": [{**asdict(s), "median_wall": s.median_wall(), "median_cpu": s.median_cpu()} for s in samples],
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(table(samples, checkouts))
    print(f"load average before {load_before}, after {load_after}")
    print(f"machine: {report['machine']}; JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
