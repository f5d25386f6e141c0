"""The `cwmock` subcommands (the emulator, the stack, the contract suite); `cwmock.cli.main` dispatches here."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import os
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from cwmock.cli.contract import add_contract_parser, run_contract
from cwmock.cli.judge import add_judge_parser, run_judge
from cwmock.cli.stack import StackOptions, run_stack, self_host, start_fault_proxy
from cwmock.core.clock import ManualClock, SystemClock
from cwmock.core.validation import (
    CLOCK_EARLIEST,
    CLOCK_LATEST,
    InputError,
    check_speed,
    id_from_text,
    instant_from_text,
)
from cwmock.dashboard.app import mount_dashboard
from cwmock.emulator.app import DEFAULT_START, Emulator, create_emulator
from cwmock.emulator.config import DEFAULT_CODEBASE, HUB_PAGING_MODES, EmulatorConfig
from cwmock.emulator.faults.tcp_proxy import TcpFaultProxy
from cwmock.emulator.http.paths import UI_PREFIX
from cwmock.emulator.http.server import LOOPBACK, is_loopback, make_server, serve
from cwmock.emulator.http.tls import TlsMaterial, default_ca_file, generate_tls
from cwmock.emulator.model.contact_sets import SAMPLE_CONTACTS, load_contact_bodies
from cwmock.emulator.model.contacts import REFERENCE_PATHS
from cwmock.emulator.model.store import seed_contacts
from cwmock.emulator.native.auth import basic_authorization
from cwmock.poller.cli import add_poller_parser, run_poller
from cwmock.receiver.inbox import DEFAULT_MAX_BODY_BYTES

DEFAULT_SPEED = 60.0  # --clock accelerated: an hour of polling in a minute
ADMIN_EXPOSED = (
    "cwmock: refusing to listen on {host} without --admin-token: anyone who can reach that address could reset, "
    "rewrite or fault this emulator through /__admin. Listen on 127.0.0.1 (the default), or pass --admin-token TOKEN "
    "(or set CWMOCK_ADMIN_TOKEN) and send 'Authorization: Bearer TOKEN' on admin calls."
)


def _add_emulator_options(parser: argparse.ArgumentParser, default_port: int) -> None:
    parser.add_argument("--host", type=_host, default=LOOPBACK, help="interface to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=default_port, help="port to listen on (default: %(default)s)")
    parser.add_argument("--codebase", default=DEFAULT_CODEBASE, help="API codebase segment (default: %(default)s)")
    parser.add_argument(
        "--clock",
        choices=("system", "manual", "accelerated"),
        default="system",
        help="system: follow wall time; manual: frozen at --start until moved; accelerated: wall time x --speed from "
        "--start (run a poller under libfaketime at the same start and speed) (default: %(default)s)",
    )
    parser.add_argument(
        "--start",
        type=_start_instant,
        default=DEFAULT_START,
        metavar="INSTANT",
        help="start instant of a manual or accelerated clock (default: 2026-01-01T00:00:00Z)",
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        metavar="FACTOR",
        help="with --clock accelerated: how many emulated seconds pass per wall second (default: 60)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate from a freshly generated local CA (default: plain HTTP)",
    )
    parser.add_argument(
        "--tls-ca-file",
        type=Path,
        metavar="PATH",
        help=f"with --tls: where to write the CA bundle clients must trust (default: {default_ca_file()})",
    )
    parser.add_argument(
        "--contact-date-entered",
        action="store_true",
        help="NOT faithful: stamp _info.dateEntered on new contacts (for a createdDateField that differs)",
    )
    parser.add_argument(
        "--patch-reference-paths",
        choices=REFERENCE_PATHS,
        default="ignored",
        help="a PATCH path inside a reference (company/identifier): answered but not applied, as the Developer Guide "
        "warns (ignored), applied, or refused with a 400 (default: %(default)s)",
    )
    parser.add_argument(
        "--bad-credentials-status",
        type=int,
        choices=(401, 404),
        default=401,
        help="what bad credentials get: 401, or 404 as a cloud site may answer (default: %(default)s)",
    )
    parser.add_argument(
        "--rate-limit-per-minute",
        type=int,
        metavar="N",
        help="answer 429 with Retry-After past N native requests per member per emulated minute (the Developer "
        "Guide cites about 1,000; default: no limit)",
    )
    parser.add_argument(
        "--subsecond-stamps",
        action="store_true",
        help="compare lastUpdated with its fraction while showing whole seconds (a guess; default: whole seconds)",
    )
    parser.add_argument(
        "--hub-paging",
        choices=HUB_PAGING_MODES,
        default="offset",
        help="what the hub's elements-next-page-token wraps: page numbers, which shift when data changes between "
        "fetches (offset, the platform's documented way; unconfirmed for ConnectWise), or the last record served "
        "(keyset, drift-safe) (default: %(default)s)",
    )
    parser.add_argument(
        "--fixtures-dir",
        type=_directory,
        metavar="DIR",
        help="a directory of your own contact sets, which /__admin/tenants/T/seed may name besides the package's",
    )
    parser.add_argument(
        "--fault-proxy-port",
        type=int,
        metavar="PORT",
        help="also serve the TCP fault proxy on PORT, forwarding to the emulator's plain-HTTP port: connections "
        "through it meet the socket faults of /__admin/socket-faults (reset, body cut short); default: none",
    )
    parser.add_argument(
        "--admin-token",
        default=os.environ.get("CWMOCK_ADMIN_TOKEN") or None,
        help="require 'Authorization: Bearer TOKEN' on /__admin calls; needed off loopback (env CWMOCK_ADMIN_TOKEN)",
    )


_HOST_NAME = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)


def _host(text: str) -> str:
    """An interface to bind: an IP address (IPv6 with or without brackets) or a host name, exactly as written."""
    if text != text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} has spaces around it; write --host {text.strip() or '127.0.0.1'}")
    literal = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(literal)
        return text
    except ValueError:
        pass
    if len(text) > 253 or _HOST_NAME.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address or a host name; e.g. --host 127.0.0.1")
    return text


def _directory(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a directory")
    return path


def _start_instant(text: str) -> datetime:
    try:
        return instant_from_text("start", text, earliest=CLOCK_EARLIEST, latest=CLOCK_LATEST)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; e.g. --speed 60") from None
    try:
        return check_speed("--speed", value)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _positive_whole(text: str) -> int:
    try:
        return id_from_text("the value", text, minimum=1)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="cwmock",
        description="Test doubles for Open Connectors polling events over ConnectWise contacts.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    emulator = commands.add_parser("emulator", help="serve the ConnectWise emulator")
    _add_emulator_options(emulator, 8000)
    emulator.add_argument("--seed-sample", action="store_true", help="seed the sample contacts into every tenant")
    up = commands.add_parser(
        "up",
        help="run the whole stack on embedded defaults: emulator, platform API, poller, receiver, sample data",
    )
    _add_emulator_options(up, 8000)
    up.add_argument("--receiver-port", type=int, default=8001, help="webhook receiver port (default: %(default)s)")
    up.add_argument(
        "--receiver-max-body-bytes",
        type=_positive_whole,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="BYTES",
        help="the receiver answers a larger notification 413 and keeps no body (default: %(default)s)",
    )
    up.add_argument("--tls-port", type=int, default=8443, help="with --tls: the HTTPS port (default: %(default)s)")
    up.add_argument(
        "--allow-callback-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also deliver notifications to this non-loopback host (repeatable; default: loopback only)",
    )
    up.add_argument("--state-dir", type=Path, help="keep the poller's state here (default: a temporary directory)")
    up.add_argument(
        "--reset-state",
        action="store_true",
        help="move a damaged poller state in --state-dir aside (<file>.damaged-N) and start a new one",
    )
    add_contract_parser(commands)
    add_poller_parser(commands)
    add_judge_parser(commands)
    return parser


def emulator_config(args: argparse.Namespace) -> EmulatorConfig:
    """The emulator settings the `emulator` and `up` options choose."""
    return EmulatorConfig(
        codebase=args.codebase,
        admin_token=args.admin_token,
        contact_date_entered=args.contact_date_entered,
        patch_reference_paths=args.patch_reference_paths,
        bad_credentials_status=args.bad_credentials_status,
        rate_limit_per_minute=args.rate_limit_per_minute,
        subsecond_stamps=args.subsecond_stamps,
        hub_paging=args.hub_paging,
        fixtures_dir=args.fixtures_dir,
    )


def _clock(args: argparse.Namespace) -> ManualClock:
    """A ManualClock either way, so /__admin/clock can freeze or advance it; `system` starts it following the wall.

    `accelerated` starts at `--start`, following the wall x `--speed`.
    """
    if args.clock == "manual":
        return ManualClock(args.start)
    if args.clock == "accelerated":
        clock = ManualClock(args.start)
        clock.follow_wall(speed=args.speed if args.speed is not None else DEFAULT_SPEED)
        return clock
    clock = ManualClock(SystemClock().now())
    clock.follow_wall()
    return clock


def _seed_sample(emulator: Emulator) -> int:
    bodies = load_contact_bodies(SAMPLE_CONTACTS)
    for tenant in emulator.store.tenants:
        seed_contacts(emulator.store, tenant.company, bodies)
    return len(bodies)


def _summary(
    emulator: Emulator,
    host: str,
    port: int,
    seeded: int,
    ca_file: Path | None = None,
    proxy: TcpFaultProxy | None = None,
) -> str:
    base = f"{'https' if ca_file is not None else 'http'}://{host}:{port}"
    lines = [
        f"cwmock emulator listening on {base}",
        f"  ConnectWise API: {base}/{emulator.config.codebase}apis/3.0",
        f"  company info:    {base}/login/companyinfo/cwmock",
        f"  dashboard:       {base}{UI_PREFIX}/  (clock, contacts, faults; admin API at {base}/__admin)",
        f"  clock:           {type(emulator.clock).__name__}, now {emulator.clock.now().isoformat()}",
    ]
    if proxy is not None:
        lines.append(f"  fault proxy:     {proxy.url}  (socket faults: {base}/__admin/socket-faults)")
    if ca_file is not None:
        lines.append(f"  TLS CA bundle:   {ca_file} (trust it, e.g. REQUESTS_CA_BUNDLE={ca_file})")
    for tenant in emulator.store.tenants:
        header = basic_authorization(tenant.company, tenant.public_key, tenant.private_key)
        lines.append(
            f"  tenant {tenant.company}: public {tenant.public_key}, private {tenant.private_key} "
            f"(Authorization: {header}, plus any clientId header)"
        )
    if seeded:
        lines.append(f"  seeded {seeded} sample contacts per tenant")
    first = emulator.store.tenants[0]
    header = basic_authorization(first.company, first.public_key, first.private_key)
    cacert = f"--cacert {ca_file} " if ca_file is not None else ""
    lines.append(
        f"  try: curl {cacert}-H 'Authorization: {header}' -H 'clientId: demo' "
        f"'{base}/{emulator.config.codebase}apis/3.0/company/contacts?pageSize=5'"
    )
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def run_emulator(args: argparse.Namespace, *, seed: bool) -> int:
    """Build an emulator from the options and serve it until interrupted."""
    if not is_loopback(args.host) and not args.admin_token:
        print(ADMIN_EXPOSED.format(host=args.host), file=sys.stderr)
        return 2
    emulator = create_emulator(emulator_config(args), _clock(args))
    mount_dashboard(emulator)
    seeded = _seed_sample(emulator) if seed else 0
    tls: TlsMaterial | None = None
    ca_file: Path | None = None
    if args.tls:
        tls = generate_tls([args.host])
        ca_file = tls.write_ca(args.tls_ca_file if args.tls_ca_file is not None else default_ca_file())
    if args.fault_proxy_port is None:
        summary = _summary(emulator, args.host, args.port, seeded, ca_file)
        serve(emulator.app, args.host, args.port, tls, on_started=lambda: print(summary, flush=True))
        return 0
    proxy = TcpFaultProxy(
        self_host(args.host), args.port, host=args.host, port=args.fault_proxy_port, faults=emulator.socket_faults
    )

    async def serve_both() -> int:
        try:
            await start_fault_proxy(proxy)
        except RuntimeError as exc:
            print(f"cwmock: {exc}", file=sys.stderr)
            return 1
        summary = _summary(emulator, args.host, args.port, seeded, ca_file, proxy)
        server = make_server(emulator.app, args.host, args.port, tls)
        server.on_started = lambda: print(summary, flush=True)
        try:
            await server.serve()
        finally:
            await proxy.stop()
        return 0

    # uvicorn re-raises the signal it captured once it has shut down; that is a clean stop for us.
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve_both())
    return 0


def run_up(args: argparse.Namespace) -> int:
    """The whole stack in one process (see `cwmock.cli.stack`)."""
    if not is_loopback(args.host) and not args.admin_token:
        print(ADMIN_EXPOSED.format(host=args.host), file=sys.stderr)
        return 2
    clock = _clock(args)
    tls = generate_tls([args.host]) if args.tls else None
    ca_file = None
    if tls is not None:
        ca_file = tls.write_ca(args.tls_ca_file if args.tls_ca_file is not None else default_ca_file())
    options = StackOptions(
        host=args.host,
        port=args.port,
        receiver_port=args.receiver_port,
        clock=clock,
        follow_wall=args.clock != "manual",
        config=emulator_config(args),
        tls=tls,
        tls_port=args.tls_port if tls is not None else None,
        ca_file=ca_file,
        allowed_hosts=tuple(args.allow_callback_host),
        state_dir=args.state_dir,
        reset_state=args.reset_state,
        receiver_max_body_bytes=args.receiver_max_body_bytes,
        fault_proxy_port=args.fault_proxy_port,
        print_line=lambda text: print(text, flush=True),
    )
    return asyncio.run(run_stack(options))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the subcommand."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "contract":
        return run_contract(args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "poller":
        return run_poller(args)
    if args.command == "judge":
        return run_judge(args)
    if args.tls_ca_file is not None and not args.tls:
        parser.error("--tls-ca-file only applies to HTTPS: add --tls (or drop --tls-ca-file)")
    if args.speed is not None and args.clock != "accelerated":
        parser.error("--speed sets the pace of --clock accelerated; add --clock accelerated (or drop --speed)")
    if args.command == "emulator" and args.tls and args.fault_proxy_port is not None:
        parser.error(
            "--fault-proxy-port forwards plain HTTP, and `cwmock emulator --tls` serves HTTPS only: drop one, or use "
            "`cwmock up --tls --fault-proxy-port PORT` (its --port stays plain HTTP)"
        )
    try:
        emulator_config(args)
    except ValueError as exc:
        parser.error(str(exc))
    if args.command == "emulator":
        return run_emulator(args, seed=args.seed_sample)
    if args.command == "up":
        return run_up(args)
    raise AssertionError(f"unhandled command {args.command!r}")
