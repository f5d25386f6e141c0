"""`cwmock poller ...`: `once` (the external-poller protocol), `run` (continuous), `parked`, `redeliver`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from cwmock.core.clock import ManualClock, SystemClock
from cwmock.core.instance.config import Instance, parse_instance
from cwmock.core.instance.errors import InstanceConfigError
from cwmock.core.timestamps import iso_z, parse_iso
from cwmock.poller.delivery import DEFAULT_MAX_IN_FLIGHT, MAX_IN_FLIGHT_LIMIT, CrashHook, RetryPolicy, no_crash
from cwmock.poller.engine import (
    CRASH_POINTS,
    HTTP_TRANSPORTS,
    RAW_MODES,
    EngineSettings,
    PollerEngine,
    PollerSetupError,
)
from cwmock.poller.notifications import DEFAULT_ACCOUNT_ID, DEFAULT_COMPANY_ID, DEFAULT_USER_ID
from cwmock.poller.scheduler import EmulatorClock, FollowableClock, run_schedule
from cwmock.poller.state import STATE_FILE, PollerState, StateError, unusable

CRASH_ENV = "CWMOCK_POLLER_CRASH_AT"
ALLOW_HOSTS_ENV = "CWMOCK_ALLOW_HOSTS"
DEFAULT_REFRESH_MINUTES = 15
MAX_INTERVAL_SECONDS = 86_400.0


class UsageError(ValueError):
    """A missing or malformed option or environment variable; the message names it."""


def add_poller_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `poller` and its subcommands to the `cwmock` parser."""
    poller = commands.add_parser("poller", help="the reference Open Connectors poller")
    verbs = poller.add_subparsers(dest="poller_command", required=True, metavar="VERB")
    once = verbs.add_parser("once", help="one window under the external-poller protocol (CWMOCK_* environment)")
    _engine_options(once)
    run = verbs.add_parser("run", help="poll continuously on the instance's refresh interval")
    _engine_options(run)
    run.add_argument("--instance", type=Path, required=True, help="instance JSON (as GET /instances/{id} returns)")
    run.add_argument("--hub-url", required=True, help="prefix of the resource urls, e.g. http://host/elements/api-v2")
    run.add_argument(
        "--hub-auth",
        help="Authorization header for the hub; default: $CWMOCK_HUB_AUTH (preferred: an argument shows in the "
        "process list, and the header carries the user and organization secrets)",
    )
    run.add_argument("--state-dir", type=Path, required=True, help="directory the poller owns")
    run.add_argument("--follow-emulator", metavar="URL", help="follow this emulator's clock instead of wall time")
    run.add_argument("--follower-name", default="cwmock-poller", help="follower name on the emulator's clock")
    run.add_argument("--http-timeout", type=float, default=2.0, help="seconds before a delivery attempt fails")
    run.add_argument("--max-windows", type=int, help="stop after this many windows (default: run until killed)")
    run.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help="poll every SECONDS instead of the instance's refresh interval (whole minutes), e.g. for a live judge",
    )
    parked = verbs.add_parser("parked", help="list parked notifications as JSON")
    parked.add_argument("--state-dir", type=Path, required=True)
    redeliver = verbs.add_parser("redeliver", help="queue parked notifications again (all, or --id ones)")
    redeliver.add_argument("--state-dir", type=Path, required=True)
    redeliver.add_argument("--id", type=int, action="append", dest="ids", help="a notification id (repeatable)")


def _engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strict", action="store_true", help="the documented algorithm, literally (LOSSY)")
    parser.add_argument("--overlap", type=float, default=1.0, help="seconds of safety overlap (at least 1)")
    parser.add_argument("--retry-base", type=float, default=8.0, help="retry k is due BASE**k s after a failure")
    parser.add_argument("--retries", type=int, default=5, help="retries before a notification is parked")
    parser.add_argument("--allow-host", action="append", default=[], help="a non-loopback callback host to allow")
    parser.add_argument(
        "--max-in-flight",
        type=int,
        default=DEFAULT_MAX_IN_FLIGHT,
        help=f"delivery attempts at once, {MAX_IN_FLIGHT_LIMIT} at most (default {DEFAULT_MAX_IN_FLIGHT})",
    )
    parser.add_argument(
        "--raw",
        choices=RAW_MODES,
        default="page",
        help="page: raw is the hub page the events came from, in every notification of a split, as the platform "
        "sends it; chunk: exactly the events' records, in their order (default: %(default)s)",
    )
    parser.add_argument(
        "--http-transport",
        choices=HTTP_TRANSPORTS,
        default="keepalive",
        help="keepalive: a lean pooled HTTP/1.1 transport; httpx: httpx's own (httpcore), slower "
        "(default: %(default)s)",
    )
    for name, default, owner in (
        ("--account-id", DEFAULT_ACCOUNT_ID, "account"),
        ("--company-id", DEFAULT_COMPANY_ID, "organization (company)"),
        ("--user-id", DEFAULT_USER_ID, "user"),
    ):
        parser.add_argument(
            name,
            type=int,
            default=default,
            help=f"message.{_camel(name)} of every notification: the platform's id of the {owner} that owns the "
            "instance (default: %(default)s)",
        )
    parser.add_argument(
        "--reset-state",
        action="store_true",
        help="if the state file is damaged, move it aside (<file>.damaged-N) and start a new state; "
        "without it a damaged state is refused",
    )


def _camel(option: str) -> str:
    """`--account-id` → `accountId`."""
    first, *rest = option.lstrip("-").split("-")
    return first + "".join(word.capitalize() for word in rest)


def kill_at(point: str | None) -> CrashHook:
    """A crash hook that SIGKILLs this process at `point` (tests of the crash matrix only)."""
    if not point:
        return no_crash
    if point not in CRASH_POINTS:
        raise UsageError(f"{CRASH_ENV}={point!r} is not a crash point; use one of {', '.join(CRASH_POINTS)}")

    def hook(reached: str) -> None:
        if reached == point:
            sys.stdout.flush()
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


def _settings(args: argparse.Namespace, env: Mapping[str, str], http_timeout: float) -> EngineSettings:
    if args.overlap < 1:
        raise UsageError(f"--overlap {args.overlap:g}: the overlap must be at least 1 second")
    if not 1 <= args.max_in_flight <= MAX_IN_FLIGHT_LIMIT:
        wanted = args.max_in_flight
        raise UsageError(f"--max-in-flight {wanted}: give 1 to {MAX_IN_FLIGHT_LIMIT} delivery attempts at once")
    for option in ("--account-id", "--company-id", "--user-id"):
        value = getattr(args, option.lstrip("-").replace("-", "_"))
        if value < 1:
            raise UsageError(f"{option} {value}: the platform's ids are positive integers")
    hosts = [h.strip() for h in env.get(ALLOW_HOSTS_ENV, "").split(",") if h.strip()]
    return EngineSettings(
        strict=args.strict,
        overlap=timedelta(seconds=args.overlap),
        retry=RetryPolicy(args.retry_base, args.retries),
        http_timeout=http_timeout,
        allowed_hosts=(*hosts, *args.allow_host),
        max_in_flight=args.max_in_flight,
        raw=args.raw,
        account_id=args.account_id,
        company_id=args.company_id,
        user_id=args.user_id,
        http_transport=args.http_transport,
    )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if not value:
        raise UsageError(f"{name} is not set; `cwmock poller once` reads the external-poller protocol's environment")
    return value


def _instant(env: Mapping[str, str], name: str) -> datetime:
    try:
        return parse_iso(_required(env, name))
    except ValueError as error:
        raise UsageError(f"{name}: {error}") from None


def _load_instance(path: Path) -> Instance:
    try:
        return parse_instance(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read the instance JSON {path}: {error}") from None


@dataclass(frozen=True)
class OnceEnvironment:
    """The external-poller protocol's variables, read and checked."""

    instance: Instance
    hub_url: str
    hub_auth: str
    state_dir: Path
    now: datetime
    start: datetime
    http_timeout: float

    @classmethod
    def read(cls, env: Mapping[str, str]) -> OnceEnvironment:
        """Read `CWMOCK_*`; UsageError names the first missing or malformed one."""
        try:
            timeout = float(env.get("CWMOCK_HTTP_TIMEOUT", "2"))
        except ValueError:
            raise UsageError(f"CWMOCK_HTTP_TIMEOUT={env['CWMOCK_HTTP_TIMEOUT']!r} is not a number of seconds") from None
        return cls(
            instance=_load_instance(Path(_required(env, "CWMOCK_INSTANCE"))),
            hub_url=_required(env, "CWMOCK_HUB_URL"),
            hub_auth=_required(env, "CWMOCK_HUB_AUTH"),
            state_dir=Path(_required(env, "CWMOCK_STATE_DIR")),
            now=_instant(env, "CWMOCK_NOW"),
            start=_instant(env, "CWMOCK_START"),
            http_timeout=timeout,
        )


def poller_once(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """One window; prints `{"next_due": ISO | null}` as the last line."""
    found = OnceEnvironment.read(env)
    state = PollerState.open(found.state_dir, reset_damaged=args.reset_state)
    try:
        engine = PollerEngine(
            found.instance,
            hub_url=found.hub_url,
            hub_auth=found.hub_auth,
            state=state,
            clock=ManualClock(found.now),
            start=found.start,
            settings=_settings(args, env, found.http_timeout),
            crash=kill_at(env.get(CRASH_ENV)),
        )
        report = asyncio.run(engine.run_window())
    finally:
        state.close()
    print(json.dumps({"next_due": None if report.next_due is None else iso_z(report.next_due)}), flush=True)
    return 0


async def _run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    if args.interval is not None and not 0 < args.interval <= MAX_INTERVAL_SECONDS:
        raise UsageError(f"--interval {args.interval:g}: give a number of seconds above 0, at most a day")
    hub_auth = args.hub_auth if args.hub_auth is not None else env.get("CWMOCK_HUB_AUTH")
    if not hub_auth:
        raise UsageError("give the hub's Authorization header in CWMOCK_HUB_AUTH (or --hub-auth)")
    instance = _load_instance(args.instance)
    minutes = instance.configuration.refresh_interval_minutes or DEFAULT_REFRESH_MINUTES
    interval = timedelta(minutes=minutes) if args.interval is None else timedelta(seconds=args.interval)
    state = PollerState.open(args.state_dir, reset_damaged=args.reset_state)
    async with httpx.AsyncClient(timeout=60.0) as admin:
        clock: FollowableClock
        emulator_clock = None
        if args.follow_emulator:
            emulator_clock = EmulatorClock(args.follow_emulator, args.follower_name, admin)
            await emulator_clock.refresh()
            clock = emulator_clock
        else:
            clock = SystemClock()
        try:
            start = instance.created_date or _stored_start(state, clock.now())
            engine = PollerEngine(
                instance,
                hub_url=args.hub_url,
                hub_auth=hub_auth,
                state=state,
                clock=clock,
                start=start,
                settings=_settings(args, env, args.http_timeout),
                crash=kill_at(env.get(CRASH_ENV)),
            )
            await run_schedule(
                engine,
                clock,
                interval,
                max_windows=args.max_windows,
                on_window=lambda report: print(report.summary(), flush=True),
            )
            return 0
        finally:
            if emulator_clock is not None:
                await emulator_clock.detach()
            state.close()


def _stored_start(state: PollerState, now: datetime) -> datetime:
    """An instance without createdDate starts when the poller first ran on this state directory."""
    stored = state.meta("start")
    if stored is not None:
        return parse_iso(stored)
    with state.transaction() as tx:
        tx.set_meta("start", iso_z(now))
    return now


def _parked(args: argparse.Namespace) -> int:
    state = PollerState.open(args.state_dir)
    try:
        print(json.dumps([entry.to_json() for entry in state.parked()], indent=2))
    finally:
        state.close()
    return 0


def _redeliver(args: argparse.Namespace) -> int:
    state = PollerState.open(args.state_dir)
    try:
        count = state.redeliver(args.ids)
    finally:
        state.close()
    print(json.dumps({"requeued": count}))
    return 0


def run_poller(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    """Dispatch `cwmock poller VERB`; a usage or configuration problem exits 2 with the reason on stderr."""
    env = os.environ if env is None else env
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="cwmock poller: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        if args.poller_command == "once":
            return poller_once(args, env)
        if args.poller_command == "run":
            return asyncio.run(_run(args, env))
        if args.poller_command == "parked":
            return _parked(args)
        if args.poller_command == "redeliver":
            return _redeliver(args)
    except (UsageError, InstanceConfigError, PollerSetupError, StateError) as error:
        print(f"cwmock poller {args.poller_command}: {error}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as error:  # damage found only while reading: the same advice as at opening
        path = Path(getattr(args, "state_dir", None) or env.get("CWMOCK_STATE_DIR", "")) / STATE_FILE
        print(f"cwmock poller {args.poller_command}: {unusable(path, error, 'failed')}", file=sys.stderr)
        return 2
    raise AssertionError(f"unhandled poller command {args.poller_command!r}")
