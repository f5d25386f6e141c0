"""Benchmark: 100,000 contacts touched inside one second, then one poller window — every version delivered once.

    python bench/poller_burst.py [--contacts 100000] [--poller both|in-process|process]
                                 [--serve both|loop|threads] [--json bench-poller-burst.json]

The emulator is seeded in-process before it is served (the contacts exist a day before the instance), then served
on a real socket with the webhook receiver: on this process's event loop (`--serve loop`, `LoopServer`), or each in
a thread of its own (`--serve threads`, `BackgroundServer`, as the contract suite's session fixtures serve them);
`both` (the default) measures each poller both ways, one after the other. Five minutes after the
instance's start every contact is touched with one stamp (`POST /__admin/tenants/T/contacts/touch`); the harness
then runs the window at the refresh interval, settles and asks the oracle, which must pass: each of the versions
delivered exactly once.

The poller runs `in-process` (the `ReferencePoller` target, on this process's event loop, with the emulator and
the receiver on that loop too or on their threads) and/or as a `process` (`cwmock poller once`, the external-poller
protocol, so its peak resident memory is its own: VmHWM read from /proc while it runs). Reported: the burst window's
wall time and events per second, the poller's peak RSS (process mode), and its state directory's size after the
window and after the settle. Wall-clock timing is the point of a benchmark, so this script (not part of the package)
reads it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings
from cwmock.contract_tests.harness.targets import PollOutcome, WindowContext, parse_next_due
from cwmock.core.clock import ManualClock
from cwmock.emulator.admin.contacts import MAX_BULK_CONTACTS
from cwmock.emulator.app import DEFAULT_START, Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.http.server import BackgroundServer, LoopServer
from cwmock.emulator.journal.ring import DEFAULT_JOURNAL_CAPACITY
from cwmock.emulator.model.generated import generate_contacts
from cwmock.fixtures import read_fixture
from cwmock.poller.engine import EngineSettings
from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver

from common import directory_bytes, fresh_directory, machine, memory_mb, profiled, verdict_line

TENANT = "cloudelements"  # the seed instance's `company`
TOUCH_AFTER = timedelta(minutes=5)
# Issue 18's targets: in-process, and as `cwmock poller once` (its own process, 8 deliveries in flight).
TARGET_EVENTS_PER_SECOND = {"in-process": 6_000, "process": 5_000}
TARGET_PEAK_RSS_MB = 300
# How the emulator and the receiver are served: on the poller's (this process's) event loop, or a thread each.
SERVINGS = ("loop", "threads")
SERVED_ON = {"loop": "on the poller's event loop", "threads": "a thread each"}


@dataclass
class BurstResult:
    """What one burst measured."""

    poller: str
    serving: str
    contacts: int
    seed_seconds: float
    touch_seconds: float
    window_seconds: float
    window_served: int
    window_notifications: int
    settle_seconds: float
    judge_seconds: float
    verdict_passed: bool
    required: int
    delivered_events: int
    deliveries: int
    arrivals: int
    poller_peak_rss_mb: float | None
    bench_process_peak_rss_mb: float
    state_dir_bytes_after_window: int
    state_dir_bytes_after_settle: int

    @property
    def events_per_second(self) -> float:
        """Versions delivered by the burst window per second of its wall time."""
        return self.contacts / self.window_seconds


@dataclass
class SampledCommand:
    """`cwmock poller once` as a child process, its peak resident memory (VmHWM) read from /proc while it runs.

    Not `ru_maxrss` of the children: Linux carries the parent's high-water mark into a child across a vfork+exec,
    so a poller started from this (large) process would be charged with this process's size.
    """

    command: Sequence[str]
    timeout: float = 1800.0
    name: str = "cwmock poller once (memory sampled)"
    peak_mb: float = 0.0

    async def poll_once(self, context: WindowContext) -> PollOutcome:
        """Run one window as the external-poller protocol says; a non-zero exit is a crash."""
        env = {**os.environ, **context.environment()}
        process = await asyncio.create_subprocess_exec(*self.command, env=env, stdout=PIPE, stderr=PIPE)
        finished = asyncio.ensure_future(process.communicate())
        deadline = time.monotonic() + self.timeout
        while not finished.done():
            with suppress(OSError, KeyError, ValueError):  # gone, or a zombie without memory figures
                self.peak_mb = max(self.peak_mb, memory_mb(process.pid)[1])
            if time.monotonic() > deadline:
                process.kill()
            await asyncio.wait({finished}, timeout=0.01)
        out, err = finished.result()
        if process.returncode != 0:
            return PollOutcome(crashed=True, detail=f"exit {process.returncode}: {err.decode()[-2000:]}")
        return PollOutcome(next_due=parse_next_due(out.decode()))


@asynccontextmanager
async def serve_both(serving: str, emulator: Emulator, receiver: Receiver) -> AsyncIterator[tuple[str, str]]:
    """The emulator's and the receiver's base URLs, served as `serving` says for the block."""
    apps = (emulator.app, create_receiver_app(receiver))
    if serving == "loop":
        async with LoopServer(apps[0]) as api, LoopServer(apps[1]) as hooks:
            yield api.url, hooks.url
    else:
        with BackgroundServer(apps[0]) as api, BackgroundServer(apps[1]) as hooks:
            yield api.url, hooks.url


def make_target(kind: str) -> ReferencePoller | SampledCommand:
    """The reference poller in this process, or `cwmock poller once` as a child process."""
    if kind == "in-process":
        # Here the poller shares one interpreter with the emulator and the receiver it delivers to: attempts in
        # flight together gain nothing on one loop, and with server threads only trade idle hand-overs for forced
        # thread switches (2,887 events/s one at a time against 1,983 with 8 in flight,
        # docs/benchmarks.md#poller-burst), so the in-process poller sends one at a time. `cwmock poller once` runs
        # in its own process and keeps the default.
        # It delivers over the lean keep-alive transport, as `cwmock poller once` does by default (the in-process
        # default stays httpx's own, which respx can route).
        return ReferencePoller(EngineSettings(max_in_flight=1, http_transport="keepalive"))
    return SampledCommand([sys.executable, "-m", "cwmock", "poller", "once"])


async def run_burst(
    kind: str, serving: str, contacts: int, work_dir: Path, *, quiet: bool, profile: bool
) -> BurstResult:
    """Seed, serve, register the instance, touch every contact in one second, run the window, settle, judge."""
    label = f"{kind}, {serving}"

    def say(text: str) -> None:
        if not quiet:
            print(f"[{label}] {text}", file=sys.stderr, flush=True)

    # The judge reads every hub request from the journal: a window of pages of 10 asks for contacts / 10 of them.
    journal = max(DEFAULT_JOURNAL_CAPACITY, contacts // 5 + 10_000)
    emulator = create_emulator(EmulatorConfig(journal_capacity=journal), clock=ManualClock(DEFAULT_START))
    began = time.perf_counter()
    seeded_at = DEFAULT_START - timedelta(days=1)
    ids = [
        emulator.store.create_contact(TENANT, body, stamp=seeded_at)["id"]
        for body in generate_contacts(contacts, emulator.store.reference)
    ]
    seed_seconds = time.perf_counter() - began
    say(f"seeded {contacts:,} contacts in {seed_seconds:.1f} s")
    body: dict[str, Any] = json.loads(read_fixture("instances/seed_example_polling.json"))
    receiver = Receiver(emulator.clock)
    async with serve_both(serving, emulator, receiver) as (api_url, hooks_url):
        control = EmulatorControl(api_url, timeout=600)
        try:
            settings = HarnessSettings(
                api_url, f"{hooks_url}/hooks", fresh_directory(work_dir / f"{kind}-{serving}"), http_timeout=10
            )
            target = make_target(kind)
            harness = Harness(control, receiver, target, body, settings)
            await harness.start()
            await harness.advance(TOUCH_AFTER.total_seconds())
            began = time.perf_counter()
            # One stamp for all: the clock's instant, in calls of at most MAX_BULK_CONTACTS ids (the admin API's cap).
            instant = emulator.store.server_now()
            touched = []
            for start in range(0, len(ids), MAX_BULK_CONTACTS):
                touched += await control.touch(TENANT, ids[start : start + MAX_BULK_CONTACTS], stamp=instant)
            touch_seconds = time.perf_counter() - began
            say(f"touched {len(touched):,} contacts at one instant in {touch_seconds:.1f} s; running the window")
            await harness.advance(harness.refresh_interval.total_seconds() - TOUCH_AFTER.total_seconds())
            began = time.perf_counter()
            report = work_dir / f"profile-{kind}-{serving}.txt" if profile else None
            window = await profiled(harness.run_window(), report)
            window_seconds = time.perf_counter() - began
            if window.outcome.crashed:
                raise RuntimeError(f"the poller crashed in the burst window: {window.outcome.detail}")
            state_after_window = directory_bytes(harness.state_dir)
            served, notifications = _window_counts(harness, kind)
            say(f"window: {window_seconds:.1f} s ({contacts / window_seconds:,.0f} events/s); settling and judging")
            began = time.perf_counter()
            await harness.settle()
            settle_seconds = time.perf_counter() - began
            began = time.perf_counter()
            verdict = await harness.judge()
            judge_seconds = time.perf_counter() - began
            if not verdict.passed:
                print(verdict.report(), file=sys.stderr)
            deliveries = receiver.deliveries()
            events = sum(len(json.loads(d.arrivals[0].body)["message"]["events"]) for d in deliveries)
            return BurstResult(
                poller=kind,
                serving=serving,
                contacts=contacts,
                seed_seconds=seed_seconds,
                touch_seconds=touch_seconds,
                window_seconds=window_seconds,
                window_served=served,
                window_notifications=notifications,
                settle_seconds=settle_seconds,
                judge_seconds=judge_seconds,
                verdict_passed=verdict.passed,
                required=verdict.required,
                delivered_events=events,
                deliveries=len(deliveries),
                arrivals=len(receiver.arrivals()),
                poller_peak_rss_mb=target.peak_mb if isinstance(target, SampledCommand) else None,
                bench_process_peak_rss_mb=memory_mb(os.getpid())[1],
                state_dir_bytes_after_window=state_after_window,
                state_dir_bytes_after_settle=directory_bytes(harness.state_dir),
            )
        finally:
            await control.aclose()


def _window_counts(harness: Harness, kind: str) -> tuple[int, int]:
    """(records served, notifications made) in the burst window, from the in-process poller's report."""
    target = harness.target
    if isinstance(target, ReferencePoller) and target.reports:
        contacts = target.reports[-1].resources[0]
        return contacts.served, contacts.notifications
    return -1, -1  # the external poller reports only its next due time


def table(results: Sequence[BurstResult]) -> str:
    """The figures as a markdown table."""
    rows = [
        "| poller | emulator and receiver | contacts | window s | events/s | poller peak RSS MB "
        "| state dir MB (after window / settle) | oracle | delivered events | deliveries | judge s |",
        "|---|---|" + "---:|" * 9,
    ]
    for r in results:
        rss = "n/a (shares this process)" if r.poller_peak_rss_mb is None else f"{r.poller_peak_rss_mb:,.0f}"
        rows.append(
            f"| {r.poller} | {SERVED_ON[r.serving]} | {r.contacts:,} | {r.window_seconds:.1f} "
            f"| {r.events_per_second:,.0f} | {rss} "
            f"| {r.state_dir_bytes_after_window / 2**20:,.1f} / {r.state_dir_bytes_after_settle / 2**20:,.1f} "
            f"| {'pass' if r.verdict_passed else 'FAIL'} | {r.delivered_events:,} | {r.deliveries:,} "
            f"| {r.judge_seconds:.1f} |"
        )
    return "\n".join(rows)


def verdicts(results: Sequence[BurstResult]) -> list[dict[str, Any]]:
    """Each target the issue sets, with the measured figure."""
    found: list[dict[str, Any]] = []
    for r in results:
        found.append({"target": f"[{r.poller}, {r.serving}] oracle verdict passes", "value": r.verdict_passed,
                      "met": r.verdict_passed})  # fmt: skip
    for r in results:
        rate, target = round(r.events_per_second), TARGET_EVENTS_PER_SECOND[r.poller]
        found.append({"target": f"[{r.poller}, {r.serving}] events/s >= {target:,}", "value": rate,
                      "met": rate >= target})  # fmt: skip
        if r.poller_peak_rss_mb is not None:
            peak = round(r.poller_peak_rss_mb)
            found.append({"target": f"[process, {r.serving}] poller peak RSS < {TARGET_PEAK_RSS_MB} MB", "value": peak,
                          "met": peak < TARGET_PEAK_RSS_MB})  # fmt: skip
    return found


def run_alone(kind: str, serving: str, args: argparse.Namespace, work_dir: Path, temp: Path) -> BurstResult:
    """One run in a fresh interpreter (this script with one poller and one serving), so no run inherits another's
    heap: the fourth of four runs in one process gave 3,187 events/s where the same run alone gave 5,060."""
    out = temp / f"{kind}-{serving}.json"
    argv = [sys.executable, __file__, "--contacts", str(args.contacts), "--poller", kind, "--serve", serving,
            "--json", str(out), "--work-dir", str(work_dir)]  # fmt: skip
    argv += ["--quiet"] * args.quiet + ["--profile"] * args.profile
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=False)  # its progress lines go to our stderr
    if not out.exists():
        raise RuntimeError(f"the {kind} run with {serving} serving ended without figures (see its output above)")
    (figures,) = json.loads(out.read_text())["results"]
    return BurstResult(**{name: figures[name] for name in BurstResult.__dataclass_fields__})


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run each burst, print the table, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000, help="contacts touched at once (default 100000)")
    parser.add_argument("--poller", choices=("both", "in-process", "process"), default="both",
                        help="where the poller runs (default both: process first, then in-process)")  # fmt: skip
    parser.add_argument("--serve", choices=("both", *SERVINGS), default="both",
                        help="how the emulator and receiver are served: on the bench's event loop, a thread each, "
                        "or (default) both; with more than one run, each runs in a fresh process")  # fmt: skip
    parser.add_argument("--json", type=Path, default=Path("bench-poller-burst.json"), help="where to write JSON")
    parser.add_argument("--work-dir", type=Path, help="keep the state directories here (default: a temp dir)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the burst window with pyinstrument (pip install pyinstrument): the in-process poller's "
        "work, or the wait on the process; profile-KIND.txt in the work dir (give --work-dir to keep it)",
    )
    args = parser.parse_args(argv)
    kinds = ["process", "in-process"] if args.poller == "both" else [args.poller]
    servings = list(SERVINGS) if args.serve == "both" else [args.serve]
    runs = [(kind, serving) for kind in kinds for serving in servings]
    with tempfile.TemporaryDirectory(prefix="cwmock-burst-") as temp:
        work_dir = args.work_dir or Path(temp)
        if len(runs) == 1:
            (kind, serving), *_ = runs
            results = [
                asyncio.run(run_burst(kind, serving, args.contacts, work_dir, quiet=args.quiet, profile=args.profile))
            ]
        else:
            results = [run_alone(kind, serving, args, work_dir, Path(temp)) for kind, serving in runs]
    report: dict[str, Any] = {
        "benchmark": "poller burst",
        "machine": machine(),
        "results": [{**asdict(r), "events_per_second": r.events_per_second} for r in results],
        "targets": verdicts(results),
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))
    for verdict in report["targets"]:
        print(verdict_line(verdict))
    print(f"machine: {report['machine']}; JSON: {args.json}")
    return 0 if all(r.verdict_passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
