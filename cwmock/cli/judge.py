"""`cwmock judge [options] -- <command>`: judge a poller running as a service on its own schedule.

Starts an emulator and a receiver (or attaches to running ones by URL), registers an instance, starts the command
with the variables that say where everything is, drives a seeded workload over an emulated duration, settles,
stops the command and prints the verdict with its evidence (docs/contract-suite/live-judge.md). Exit status: 0 PASS,
1 FAIL, 3 INCONCLUSIVE, 2 usage or setup errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from cwmock.contract_tests.harness.emulator_control import AdminCallError
from cwmock.contract_tests.live.clock_modes import CLOCK_MODES, DEFAULT_SPEED
from cwmock.contract_tests.live.reports import exit_status, text_report, write_reports
from cwmock.contract_tests.live.session import JudgeSettings, LiveJudge, LiveResult
from cwmock.contract_tests.live.workload import HUB_CONTACTS, WorkloadSpec
from cwmock.contract_tests.oracle.inference import InferenceSettings
from cwmock.core.clock import ManualClock, SystemClock
from cwmock.core.validation import check_speed
from cwmock.emulator.app import create_emulator
from cwmock.emulator.config import DEFAULT_CODEBASE, EmulatorConfig
from cwmock.emulator.faults.tcp_proxy import BackgroundFaultProxy, TcpFaultProxy
from cwmock.emulator.http.server import LOOPBACK, BackgroundServer
from cwmock.fixtures import SEED_INSTANCE, read_fixture
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import ReceiverServer

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smh]?)")
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
MAX_DURATION = timedelta(days=7)


def duration(text: str) -> timedelta:
    """`90`, `90s`, `5m`, `2h`: a positive duration of at most a week."""
    found = _DURATION.fullmatch(text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration; write seconds (90, 90s), minutes (5m) or hours (2h)"
        )
    value = timedelta(seconds=float(found.group(1)) * _UNITS[found.group(2)])
    if not timedelta(0) < value <= MAX_DURATION:
        raise argparse.ArgumentTypeError(f"{text!r}: give a duration above 0 and at most 7 days")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 to 3600 seconds")
    return value


def _speed(text: str) -> float:
    try:
        return check_speed("--speed", float(text))
    except ValueError:  # float() or check_speed (an InputError is a ValueError)
        raise argparse.ArgumentTypeError(f"{text!r}: give a speed factor from 0.001 to 1,000,000, e.g. 60") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def add_judge_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `judge` to the `cwmock` parser."""
    judge = commands.add_parser(
        "judge",
        help="judge a poller running as a service on its own schedule (live mode)",
        description="cwmock judge [options] -- COMMAND...: start COMMAND as a service, drive a seeded workload, "
        "settle, stop it and judge it; or judge a poller already running (--instance-id, no command). "
        "Exit status: 0 PASS, 1 FAIL, 3 INCONCLUSIVE, 2 usage or setup error.",
    )
    stack = judge.add_argument_group("the stack")
    stack.add_argument("--emulator-url", help="attach to this running emulator (default: start one)")
    stack.add_argument("--receiver-url", help="attach to this running receiver (default: start one)")
    stack.add_argument("--admin-token", help="the emulator's admin token, when it has one")
    stack.add_argument("--port", type=int, default=0, help="port of the emulator started (default: a free one)")
    stack.add_argument("--receiver-port", type=int, default=0, help="port of the receiver started (default: free)")
    subject = judge.add_argument_group("the subject")
    subject.add_argument("--instance", type=Path, help="the instance JSON to register (default: the seed's example)")
    subject.add_argument("--instance-id", type=int, help="judge a poller already polling this instance (no command)")
    subject.add_argument(
        "--client-id", help="judge a poller of the native API that sends this clientId (a subject, not a hub instance)"
    )
    subject.add_argument("--work-dir", type=Path, help="where the instance JSON, state and logs go (default: temp)")
    drive = judge.add_argument_group("the workload")
    drive.add_argument("--duration", type=duration, default=timedelta(minutes=1), help="emulated time (default 1m)")
    drive.add_argument("--seed", type=int, default=0, help="the workload's seed (default 0)")
    drive.add_argument("--steps-per-minute", type=float, default=30.0, help="workload steps per minute (default 30)")
    drive.add_argument("--burst-size", type=_positive, default=20, help="contacts one burst creates (default 20)")
    drive.add_argument("--no-faults", action="store_true", help="inject no faults on the polled path")
    drive.add_argument(
        "--socket-faults",
        action="store_true",
        help="also inject socket faults (a reset, a cut body): the service polls through the TCP fault proxy (an "
        "attached emulator needs --fault-proxy-port)",
    )
    drive.add_argument(
        "--clock",
        choices=sorted(CLOCK_MODES),
        default="real",
        help="how time passes: real (the emulator's clock follows the wall), or accelerated (wall x --speed, the "
        "poller under libfaketime at the same pace) (default real)",
    )
    drive.add_argument(
        "--speed",
        type=_speed,
        metavar="FACTOR",
        help="with --clock accelerated: emulated seconds per wall second (default 60)",
    )
    infer = judge.add_argument_group("inference and settle")
    infer.add_argument(
        "--window-gap",
        type=_seconds,
        help="idle emulated seconds that end a run (default 0.5; accelerated: 0.2 x speed, at least 0.5)",
    )
    infer.add_argument(
        "--start-tolerance",
        type=_seconds,
        help="pollDate slack, emulated seconds (default 1; accelerated: 0.2 x speed, at least 1)",
    )
    infer.add_argument("--settle-runs", type=_positive, default=2, help="clean complete runs after the workload")
    infer.add_argument("--settle-timeout", type=duration, default=timedelta(minutes=2), help="(default 2m)")
    out = judge.add_argument_group("reports")
    out.add_argument("--json", type=Path, metavar="PATH", help="write the verdict as JSON")
    out.add_argument("--junit", type=Path, metavar="PATH", help="write the verdict as JUnit XML")
    judge.add_argument("service", nargs=argparse.REMAINDER, help="-- then the command to start as the service")


# A request's real round trip, in emulated time, grows with the speed: at 60x, 20 ms of latency are 1.2 emulated
# seconds between a window's first request and the `Date` its poller may take as pollDate (docs/contract-suite/
# live-judge.md#accelerated-time).
REAL_GAP_SECONDS = 0.5
REAL_START_TOLERANCE_SECONDS = 1.0
ACCELERATED_GAP_PER_SPEED = 0.2
ACCELERATED_TOLERANCE_PER_SPEED = 0.2


def _inference(args: argparse.Namespace) -> InferenceSettings:
    """The window gap and pollDate slack asked for, or the defaults of the clock mode (scaled with its speed)."""
    speed = (args.speed if args.speed is not None else DEFAULT_SPEED) if args.clock == "accelerated" else 0.0
    gap = max(REAL_GAP_SECONDS, ACCELERATED_GAP_PER_SPEED * speed)
    tolerance = max(REAL_START_TOLERANCE_SECONDS, ACCELERATED_TOLERANCE_PER_SPEED * speed)
    return InferenceSettings(
        timedelta(seconds=gap if args.window_gap is None else args.window_gap),
        timedelta(seconds=tolerance if args.start_tolerance is None else args.start_tolerance),
    )


@dataclass
class _Stack:
    emulator_url: str
    receiver_url: str
    fault_proxy_url: str | None = None


@contextlib.contextmanager
def _stack(args: argparse.Namespace) -> Iterator[_Stack]:
    """The emulator and receiver: the ones given by URL, or started here (the clock following the wall)."""
    with contextlib.ExitStack() as cleanup:
        emulator_url = args.emulator_url
        fault_proxy_url: str | None = None  # an attached emulator's is asked for by the judge
        clock = ManualClock(SystemClock().now())
        clock.follow_wall()
        cleanup.callback(clock.close)
        if emulator_url is None:
            emulator = create_emulator(EmulatorConfig(), clock)
            server = BackgroundServer(emulator.app, LOOPBACK, args.port).start()
            cleanup.callback(server.stop)
            emulator_url = server.url
            if args.socket_faults:
                proxy = BackgroundFaultProxy(TcpFaultProxy(LOOPBACK, server.port, faults=emulator.socket_faults))
                cleanup.callback(proxy.start().stop)
                fault_proxy_url = proxy.url
        receiver_url = args.receiver_url
        if receiver_url is None:
            receiver = ReceiverServer(Receiver(clock), LOOPBACK, args.receiver_port).start()
            cleanup.callback(receiver.stop)
            receiver_url = receiver.url
        yield _Stack(emulator_url.rstrip("/"), receiver_url.rstrip("/"), fault_proxy_url)


def _instance_body(path: Path | None) -> dict[str, Any]:
    text = read_fixture(SEED_INSTANCE) if path is None else path.read_text(encoding="utf-8")
    body = json.loads(text)
    if not isinstance(body, dict):
        raise ValueError(f"{path}: the instance JSON must be an object")
    return body


def run_judge(args: argparse.Namespace) -> int:
    """Run one live judgement from the parsed options; print the report; the exit status of the verdict."""
    command: Sequence[str] = args.service[1:] if args.service[:1] == ["--"] else args.service
    if not command and args.instance_id is None:
        print("cwmock judge: give the poller's command after `--`, or --instance-id N for one already running",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.speed is not None and args.clock != "accelerated":
        print("cwmock judge: --speed sets the pace of --clock accelerated; add it (or drop --speed)", file=sys.stderr)
        return 2
    if args.clock == "accelerated" and not command:
        print("cwmock judge: --clock accelerated starts the poller under libfaketime; give its command after `--`",
              file=sys.stderr)  # fmt: skip
        return 2
    if command and args.instance_id is not None:
        print("cwmock judge: --instance-id judges a poller already running; do not give a command too", file=sys.stderr)
        return 2
    try:
        body = _instance_body(args.instance)
        fault_path = HUB_CONTACTS if args.client_id is None else f"/{DEFAULT_CODEBASE}apis/3.0/company/contacts"
        workload = WorkloadSpec(
            args.seed,
            args.duration,
            args.steps_per_minute,
            args.burst_size,
            not args.no_faults,
            fault_path,
            args.socket_faults,
        )
    except (OSError, ValueError) as error:
        print(f"cwmock judge: {error}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as cleanup:
        work_dir = args.work_dir
        if work_dir is None:
            work_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="cwmock-judge-")))
        stack = cleanup.enter_context(_stack(args))
        settings = JudgeSettings(
            emulator_url=stack.emulator_url,
            receiver_url=stack.receiver_url,
            work_dir=work_dir,
            instance_body=body,
            command=list(command),
            instance_id=args.instance_id,
            workload=workload,
            clock=CLOCK_MODES[args.clock](**({} if args.speed is None else {"speed": args.speed})),
            inference=_inference(args),
            settle_runs=args.settle_runs,
            settle_timeout=args.settle_timeout,
            admin_token=args.admin_token,
            client_id=args.client_id,
            fault_proxy_url=stack.fault_proxy_url,
        )
        print(f"cwmock judge: emulator {stack.emulator_url}, receiver {stack.receiver_url}, work dir {work_dir}",
              flush=True)  # fmt: skip
        try:
            result = asyncio.run(_judge(settings))
        except (AdminCallError, RuntimeError, ValueError, OSError) as error:
            print(f"cwmock judge: {error}", file=sys.stderr)
            return 2
        print(text_report(result), flush=True)
        write_reports(result, args.json, args.junit)
        return exit_status(result.verdict)
    raise AssertionError("unreachable")


async def _judge(settings: JudgeSettings) -> LiveResult:
    judge = LiveJudge(settings)
    try:
        return await judge.run()
    finally:
        await judge.aclose()
