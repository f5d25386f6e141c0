"""Fixtures shared across cwmock's own tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import ReceiverServer, serve_receiver
from cwmock.testing.plugin import LiveEmulator

# The modules whose tests each run for seconds to minutes (whole contract suites in a subprocess, live judgements in
# real time), slowest first, as `--durations` measured them (docs/benchmarks.md#suite-runtime). Their tests start
# before every other test, so that `-n auto` ends on the many short ones and no worker idles for a minute while the
# other finishes a long run (longest first, then each free worker takes the next test: `--maxschedchunk 1`).
SLOWEST_FIRST = (
    "contract_tests/test_as_qa_runs_it.py",
    "contract_tests/zoo/test_variants.py",
    "contract_tests/zoo/test_broken_poller.py",
    "e2e/test_node_poller.py",
    "e2e/test_live_judge.py",
    "contract_tests/live/test_long_run.py",
    "contract_tests/stateful/test_meta.py",
    "contract_tests/zoo/test_bugs.py",
    "contract_tests/live/test_clock_modes.py",
    "e2e/test_dashboard_browser.py",
    "mutation/test_run.py",
    "emulator/test_hostile.py",
    "core/clock/test_faketime.py",
    "contract_tests/zoo/test_naive_poller.py",
    "emulator/query/test_planner.py",
    "e2e/test_log_secrets.py",
)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the stack's one event loop)."""
    return "asyncio"


@pytest.fixture
def receiver_server(cwmock_live: LiveEmulator) -> Iterator[ReceiverServer]:
    """A receiver served on a real socket for this test, on the served emulator's clock."""
    with serve_receiver(Receiver(cwmock_live.emulator.clock)) as server:
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests of the `SLOWEST_FIRST` modules first, in that order; every other test keeps its place after."""
    tests = Path(__file__).parent
    rank = {tests / module: number for number, module in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, hand out tests one at a time unless told otherwise, so `SLOWEST_FIRST` runs longest first."""
    # xdist's default hands each worker a quarter of its share at once: the slow modules, first in the order, would
    # all go to the first worker. Absent with `-p no:xdist` (the mutation runs): nothing to set then.
    if config.pluginmanager.hasplugin("xdist") and getattr(config.option, "maxschedchunk", 0) is None:
        config.option.maxschedchunk = 1


# More workers than this cannot end sooner: the longest test (the contract suite through `--poller-cmd`, about a
# minute) is then the run's length, and each worker costs a collection and 200-350 MB.
MAX_WORKERS = 8
WORKERS_PER_CPU = 3


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: three workers for each CPU this process may use, at most `MAX_WORKERS`; xdist's own
    `PYTEST_XDIST_AUTO_NUM_WORKERS` when set."""
    # About two fifths of the suite's time is spent waiting on the wall clock and on other processes (live
    # judgements, node pollers, hanging zoo pollers): on 2 cores, 4 workers ran it in 160 s against 227 s with 2
    # (docs/benchmarks.md#suite-runtime-session-7). With 4, the tests that wait still met (four at once for half a
    # minute) and left the cores idle; with 6 the cores stay busy to the end: 152.6 s against 167.7 s
    # (docs/benchmarks.md#suite-runtime-session-8).
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's default hook reads it
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(WORKERS_PER_CPU * usable, MAX_WORKERS)
