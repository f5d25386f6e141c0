"""Benchmark: a month of emulated time — emulator, reference poller and receiver over HTTP, judged by the oracle.

    python bench/simulated_time.py [--days 30] [--mutations 10000] [--baseline 1000]
                                   [--json bench-simulated-time.json]

The emulator and the webhook receiver are served on real sockets from this process, as the contract suite's
fixtures serve them (`BackgroundServer`, `serve_receiver`). The poller is `cwmock poller run --follow-emulator` in
its own process, so its memory is its own: it runs a window at each refresh interval of the emulator's clock, and
`POST /__admin/clock/advance` returns only once it has finished the window and waits on the clock again. That makes
every window's place in the sequence exact, so the harness's oracle judges the month as it judges a scenario.

`--mutations` writes (creates, PATCHes, touches, deletes of `--baseline` pre-existing and newly created contacts)
fall at random seconds over `--days` days; each is made at its instant (the clock advanced to it, the write through
the admin API). After the month a settle window runs and the oracle's verdict must pass. Reported: wall time of the
month, emulated seconds per wall second, and the poller's resident memory at the end of each day (VmRSS from
/proc; the peak is VmHWM). Wall-clock timing is the point of a benchmark, so this script (not part of the package)
reads it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings, WindowRecord
from cwmock.contract_tests.harness.targets import PollOutcome, WindowContext
from cwmock.contract_tests.oracle.inputs import SettleFacts
from cwmock.core.clock import ManualClock
from cwmock.core.timestamps import iso_z
from cwmock.emulator.app import DEFAULT_START, create_emulator
from cwmock.emulator.http.server import BackgroundServer
from cwmock.fixtures import read_fixture
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import serve_receiver

from common import directory_bytes, fresh_directory, machine, memory_mb, profiled, verdict_line

TENANT = "cloudelements"  # the seed instance's `company`
FOLLOWER = "bench-poller"
DAY = 86_400
TARGET_SPEEDUP = 10_000
# "Flat": the poller's resident memory at the end of the month is within this factor of the end of day 1.
TARGET_RSS_GROWTH = 1.10
KINDS = (("create", 0.25), ("patch", 0.35), ("touch", 0.35), ("delete", 0.05))


@dataclass(frozen=True)
class Mutation:
    """One write: its second offset from the instance's start and what it does."""

    offset: int
    kind: str


def plan_mutations(days: int, count: int, interval: int, seed: int = 0) -> list[Mutation]:
    """`count` writes at distinct random seconds over `days` days, none on a window's own second."""
    rng = random.Random(seed)
    span = days * DAY
    if count > span - span // interval:
        raise ValueError(f"{count} mutations do not fit in {days} day(s) at one a second; ask for fewer")
    offsets: set[int] = set()
    while len(offsets) < count:
        offset = rng.randrange(1, span)
        if offset % interval:
            offsets.add(offset)
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    return [Mutation(offset, rng.choices(kinds, weights)[0]) for offset in sorted(offsets)]


@dataclass
class FollowingPoller:
    """The poller under judgement: a `cwmock poller run` process that runs its windows on the emulator's clock.

    It is a `PollerTarget` only by name: its windows run when the clock reaches them, never through `poll_once`.
    """

    name: str = "cwmock poller run --follow-emulator"

    async def poll_once(self, context: WindowContext) -> PollOutcome:
        """Never called: the month's driver advances the clock and the process polls on its own."""
        raise RuntimeError("this poller runs its windows on the emulator's clock; advance the clock instead")


@dataclass
class Writer:
    """Makes each planned mutation through the admin API, choosing its contact with a seeded generator."""

    control: EmulatorControl
    admin: httpx.AsyncClient
    ids: list[int]
    rng: random.Random = field(default_factory=lambda: random.Random(1))
    counts: dict[str, int] = field(default_factory=dict)

    async def apply(self, mutation: Mutation, number: int) -> None:
        """Create, PATCH, touch or delete (a create when no contact is left to change)."""
        kind = mutation.kind if self.ids else "create"
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if kind == "create":
            self.ids += await self.control.bulk_create(TENANT, 1, seed=number + 1)
            return
        slot = self.rng.randrange(len(self.ids))
        contact_id = self.ids[slot]
        if kind == "patch":
            operations = [{"op": "replace", "path": "firstName", "value": f"Renamed {number}"}]
            response = await self.admin.patch(
                f"/tenants/{TENANT}/contacts/{contact_id}", json={"operations": operations}
            )
            response.raise_for_status()
        elif kind == "touch":
            await self.control.touch(TENANT, [contact_id])
        else:
            await self.control.delete_contact(TENANT, contact_id)
            self.ids[slot] = self.ids[-1]
            self.ids.pop()


@dataclass
class MonthResult:
    """What the month measured."""

    days: int
    windows: int
    mutations: int
    mutation_kinds: dict[str, int]
    baseline_contacts: int
    month_wall_seconds: float
    emulated_seconds: float
    setup_seconds: float
    judge_seconds: float
    verdict_passed: bool
    required: int
    delivered_notifications: int
    rss_by_day_mb: dict[int, float]
    poller_peak_rss_mb: float
    state_dir_bytes: int

    @property
    def speedup(self) -> float:
        """Emulated seconds per wall second over the month's windows and writes."""
        return self.emulated_seconds / self.month_wall_seconds


async def _wait_for_follower(admin: httpx.AsyncClient, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Real-time wait until the poller's first long-poll has attached it to the clock (its first window done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the poller exited with {process.returncode} before following the clock")
        if FOLLOWER in (await admin.get("/clock")).json()["followers"]:
            return
        await asyncio.sleep(0.02)
    raise RuntimeError(f"the poller did not attach to the emulator's clock within {timeout} s")


async def run_month(
    days: int, mutations: int, baseline: int, work_dir: Path, *, quiet: bool = False, profile: bool = False
) -> MonthResult:
    """Serve, seed, start the poller, run the month window by window, settle, judge."""
    began = time.perf_counter()
    emulator = create_emulator(clock=ManualClock(DEFAULT_START))
    body: dict[str, Any] = json.loads(read_fixture("instances/seed_example_polling.json"))
    interval = int(float(body["configuration"]["event.poller.refresh_interval"]) * 60)
    plan = plan_mutations(days, mutations, interval)
    windows = days * DAY // interval
    with BackgroundServer(emulator.app) as server, serve_receiver(Receiver(emulator.clock)) as receiver_server:
        control = EmulatorControl(server.url)
        admin = httpx.AsyncClient(base_url=f"{server.url}/__admin", timeout=120)
        try:
            start = await control.now()
            ids: list[int] = []
            for chunk in range(0, baseline, 10_000):
                ids += await control.bulk_create(
                    TENANT, min(10_000, baseline - chunk), stamp=start - timedelta(days=1), seed=7
                )
            settings = HarnessSettings(server.url, f"{receiver_server.url}/hooks", work_dir)
            harness = Harness(control, receiver_server.receiver, FollowingPoller(), body, settings)
            await harness.start()
            s0 = harness.start_instant
            context = harness.context(s0)
            command = [
                sys.executable, "-m", "cwmock", "poller", "run", "--instance", str(harness.instance_path),
                "--hub-url", context.hub_url, "--hub-auth", context.hub_auth, "--state-dir", str(harness.state_dir),
                "--follow-emulator", server.url, "--follower-name", FOLLOWER,
                "--http-timeout", f"{settings.http_timeout:g}",
                # The first window runs at once (at s₀), then one per interval, then the settle window.
                "--max-windows", str(windows + 2),
            ]  # fmt: skip
            log = (work_dir / "poller.log").open("wb")
            begin = await control.sequence()
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            try:
                await _wait_for_follower(admin, process, 60)
                harness.windows.append(WindowRecord(1, s0, begin, await control.sequence(), PollOutcome()))
                setup_seconds = time.perf_counter() - began
                writer = Writer(control, admin, ids)
                rss_by_day: dict[int, float] = {}
                month_began = time.perf_counter()
                pending = iter(enumerate(plan))
                upcoming = next(pending, None)

                async def window_at(instant: datetime) -> None:
                    before = await control.sequence()
                    response = await admin.post("/clock/advance", json={"to": iso_z(instant)})
                    response.raise_for_status()
                    after = await control.sequence()
                    harness.windows.append(
                        WindowRecord(len(harness.windows) + 1, instant, before, after, PollOutcome())
                    )

                for k in range(1, windows + 1):
                    window_start = s0 + timedelta(seconds=k * interval)
                    while upcoming is not None and s0 + timedelta(seconds=upcoming[1].offset) < window_start:
                        number, mutation = upcoming
                        response = await admin.post(
                            "/clock/advance", json={"to": iso_z(s0 + timedelta(seconds=mutation.offset))}
                        )
                        response.raise_for_status()
                        await writer.apply(mutation, number)
                        upcoming = next(pending, None)
                    await window_at(window_start)
                    if (k * interval) % DAY == 0:
                        day = k * interval // DAY
                        rss_by_day[day] = memory_mb(process.pid)[0]
                        if not quiet:
                            elapsed = time.perf_counter() - month_began
                            print(f"day {day}: {elapsed:.1f} s wall, poller RSS {rss_by_day[day]:.1f} MB",
                                  file=sys.stderr, flush=True)  # fmt: skip
                month_seconds = time.perf_counter() - month_began
                _, peak = memory_mb(process.pid)
                # Settle as the harness does: no faults or scripts to clear, no delays to wait out, so one interval
                # more and a window; the poller exits after it (--max-windows) and detaches from the clock.
                arrivals = receiver_server.receiver.arrivals()
                harness.settle_facts = SettleFacts(arrivals[-1].seq if arrivals else 0, len(harness.windows) + 1)
                await window_at(s0 + timedelta(seconds=(windows + 1) * interval))
                process.wait(60)
                if process.returncode != 0:
                    raise RuntimeError(f"the poller exited with {process.returncode}; see {work_dir / 'poller.log'}")
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
                log.close()
            judge_began = time.perf_counter()
            verdict = await profiled(harness.judge(), work_dir / "profile-judge.txt" if profile else None)
            judge_seconds = time.perf_counter() - judge_began
            if not verdict.passed:
                print(verdict.report(), file=sys.stderr)
            return MonthResult(
                days=days,
                windows=len(harness.windows),
                mutations=len(plan),
                mutation_kinds=writer.counts,
                baseline_contacts=baseline,
                month_wall_seconds=month_seconds,
                emulated_seconds=float(windows * interval),
                setup_seconds=setup_seconds,
                judge_seconds=judge_seconds,
                verdict_passed=verdict.passed,
                required=verdict.required,
                delivered_notifications=len(receiver_server.receiver.deliveries()),
                rss_by_day_mb=rss_by_day,
                poller_peak_rss_mb=peak,
                state_dir_bytes=directory_bytes(harness.state_dir),
            )
        finally:
            await admin.aclose()
            await control.aclose()


def reported_days(days: int) -> list[int]:
    """Day 1, 10, 20, 30 (those that exist), and the last day."""
    return sorted({d for d in (1, 10, 20, 30) if d <= days} | {days})


def table(result: MonthResult) -> str:
    """The figures as markdown tables."""
    days = reported_days(result.days)
    rows = [
        "| days | windows | mutations | wall s (month) | emulated s / wall s | oracle | required versions | judge s |",
        "|" + "---:|" * 8,
        f"| {result.days} | {result.windows:,} | {result.mutations:,} | {result.month_wall_seconds:.1f} "
        f"| {result.speedup:,.0f}× | {'pass' if result.verdict_passed else 'FAIL'} | {result.required:,} "
        f"| {result.judge_seconds:.1f} |",
        "",
        "| poller RSS MB | " + " | ".join(f"day {d}" for d in days) + " | peak | state dir KB |",
        "|---|" + "---:|" * (len(days) + 2),
        "| | "
        + " | ".join(f"{result.rss_by_day_mb[d]:.1f}" for d in days)
        + f" | {result.poller_peak_rss_mb:.1f} | {result.state_dir_bytes / 1024:,.0f} |",
    ]
    return "\n".join(rows)


def verdicts(result: MonthResult) -> list[dict[str, Any]]:
    """Each target the issue sets, with the measured figure."""
    first, last = result.rss_by_day_mb[min(result.rss_by_day_mb)], result.rss_by_day_mb[max(result.rss_by_day_mb)]
    growth = last / first
    return [
        {"target": "oracle verdict passes", "value": result.verdict_passed, "met": result.verdict_passed},
        {"target": f"emulated s per wall s >= {TARGET_SPEEDUP:,}", "value": round(result.speedup),
         "met": result.speedup >= TARGET_SPEEDUP},
        {"target": f"poller RSS last day / day 1 <= {TARGET_RSS_GROWTH}", "value": round(growth, 3),
         "met": growth <= TARGET_RSS_GROWTH},
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the month, print the tables, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30, help="emulated days (default 30)")
    parser.add_argument("--mutations", type=int, default=10_000, help="writes spread over the days (default 10000)")
    parser.add_argument("--baseline", type=int, default=1_000, help="contacts that exist before the instance")
    parser.add_argument("--json", type=Path, default=Path("bench-simulated-time.json"), help="where to write JSON")
    parser.add_argument("--work-dir", type=Path, help="keep the poller's state and log here (default: a temp dir)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the oracle's judging with pyinstrument (pip install pyinstrument); the text report goes to "
        "profile-judge.txt in the work dir (give --work-dir to keep it)",
    )
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    with tempfile.TemporaryDirectory(prefix="cwmock-bench-") as temp:
        work_dir = fresh_directory(args.work_dir or Path(temp))
        result = asyncio.run(
            run_month(args.days, args.mutations, args.baseline, work_dir, quiet=args.quiet, profile=args.profile)
        )
    report: dict[str, Any] = {
        "benchmark": "simulated time",
        "machine": machine(),
        "result": {**asdict(result), "speedup": result.speedup},
        "targets": verdicts(result),
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(table(result))
    for verdict in report["targets"]:
        print(verdict_line(verdict))
    print(f"machine: {report['machine']}; JSON: {args.json}")
    return 0 if result.verdict_passed else 1


if __name__ == "__main__":
    sys.exit(main())
