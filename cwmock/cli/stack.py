"""`cwmock up`: the whole stack in one process and one event loop, on embedded defaults.

One port serves the ConnectWise emulator, the Open Connectors hub and platform API and the admin API; the webhook
receiver (standing for the user's app, "mycoolapp.com" in the seed) has its own port. Sample contacts are seeded,
an instance is created from the seed's JSON through the platform API with its callback pointed at the receiver,
and our poller polls it as a follower of the emulator's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from starlette.routing import BaseRoute

from cwmock.core.clock import Clock, ManualClock
from cwmock.dashboard.app import mount_dashboard
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.faults.tcp_proxy import TcpFaultProxy
from cwmock.emulator.http.paths import UI_PREFIX
from cwmock.emulator.http.server import make_server
from cwmock.emulator.http.tls import TlsMaterial
from cwmock.emulator.model.contact_sets import SAMPLE_CONTACTS, load_contact_bodies
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.store import Store, seed_contacts
from cwmock.emulator.native.auth import basic_authorization
from cwmock.emulator.platform.routes import PlatformApi
from cwmock.fixtures import SEED_INSTANCE, read_fixture
from cwmock.poller.engine import EngineSettings
from cwmock.poller.supervisor import PollerSupervisor
from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import DEFAULT_MAX_BODY_BYTES, Receiver

DEMO_SIGNATURE_KEY = "cwmock-demo-signature-key"
CALLBACK_PATH = "/mycoolapp"
CREATE_ADA = json.dumps({"contact": {"firstName": "Ada"}}, separators=(",", ":"))
ADVANCE_ONE_INTERVAL = json.dumps({"seconds": 900}, separators=(",", ":"))


@dataclass
class StackOptions:
    """What `cwmock up` was asked for."""

    host: str
    port: int
    receiver_port: int
    clock: ManualClock
    follow_wall: bool  # whether `clock` follows wall time (for the summary; the caller sets the clock up)
    config: EmulatorConfig
    tls: TlsMaterial | None = None
    tls_port: int | None = None
    ca_file: Path | None = None
    allowed_hosts: tuple[str, ...] = ()
    state_dir: Path | None = None
    reset_state: bool = False
    receiver_max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    fault_proxy_port: int | None = None  # serve the TCP fault proxy (socket faults) in front of `port`
    print_line: Callable[[str], None] = field(default=print)


def self_host(host: str) -> str:
    """The address to reach a server bound to `host` from this machine (loopback for a wildcard)."""
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


def seed_instance_body(callback_url: str) -> dict[str, Any]:
    """The seed's "Example JSON with Polling" body, its callback pointed at the local receiver, signed."""
    body: dict[str, Any] = json.loads(read_fixture(SEED_INSTANCE))
    body["configuration"]["event.notification.callback.url"] = callback_url
    body["configuration"]["event.notification.signature.key"] = DEMO_SIGNATURE_KEY
    return body


class Stack:
    """The running stack: emulator (with platform API and poller), receiver, their servers."""

    def __init__(self, options: StackOptions, state_root: Path) -> None:
        self.options = options
        host = self_host(options.host)
        self.emulator_url = f"http://{host}:{options.port}"
        self.receiver_url = f"http://{host}:{options.receiver_port}"
        config = options.config
        self.supervisor = PollerSupervisor(
            options.clock,
            f"{self.emulator_url}/elements/api-v2",
            config.user_secret,
            config.organization_secret,
            state_root,
            EngineSettings(allowed_hosts=options.allowed_hosts),
            progress=self._progress,
            reset_damaged_state=options.reset_state,
        )

        def platform(
            store: Store, registry: InstanceRegistry, clock: Clock, cfg: EmulatorConfig
        ) -> Sequence[BaseRoute]:
            return PlatformApi(store, registry, clock, cfg, self.supervisor).routes()

        self.emulator: Emulator = create_emulator(config, options.clock, extra_routes=platform)
        self.receiver = Receiver(
            options.clock, signature_keys=[DEMO_SIGNATURE_KEY], max_body_bytes=options.receiver_max_body_bytes
        )
        mount_dashboard(self.emulator, self.receiver, self.supervisor)
        self.servers = [
            make_server(self.emulator.app, options.host, options.port),
            make_server(create_receiver_app(self.receiver), options.host, options.receiver_port),
        ]
        if options.tls is not None and options.tls_port is not None:
            self.servers.append(make_server(self.emulator.app, options.host, options.tls_port, options.tls))
        self.fault_proxy: TcpFaultProxy | None = None
        if options.fault_proxy_port is not None:
            self.fault_proxy = TcpFaultProxy(
                host,
                options.port,
                host=options.host,
                port=options.fault_proxy_port,
                faults=self.emulator.socket_faults,
            )
        self.instance: dict[str, Any] = {}

    def _progress(self) -> tuple[datetime, int]:
        """Server time and the last sequence number, after due writes became visible (as `/__admin/sequence`)."""
        store = self.emulator.store
        store.settle()
        return store.server_now(), store.sequence

    def seed(self) -> int:
        """Seed the sample contacts into every tenant; returns how many per tenant."""
        bodies = load_contact_bodies(SAMPLE_CONTACTS)
        for tenant in self.emulator.store.tenants:
            seed_contacts(self.emulator.store, tenant.company, bodies)
        return len(bodies)

    async def create_seed_instance(self) -> dict[str, Any]:
        """POST the seed's JSON to the platform API, as a user would."""
        config = self.options.config
        auth = f"User {config.user_secret}, Organization {config.organization_secret}"
        body = seed_instance_body(f"{self.receiver_url}{CALLBACK_PATH}")
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"{self.emulator_url}/elements/api-v2/instances", json=body, headers={"Authorization": auth}
            )
        if response.status_code != 201:
            raise RuntimeError(f"creating the seed instance failed: {response.status_code} {response.text}")
        self.instance = response.json()
        return self.instance

    async def serve(self, ready: asyncio.Event, stop: asyncio.Event) -> None:
        """Run every server (and the fault proxy) until `stop` is set."""
        tasks = [asyncio.create_task(server.serve()) for server in self.servers]
        try:
            if self.fault_proxy is not None:
                await start_fault_proxy(self.fault_proxy)
            while not all(server.started for server in self.servers):
                if any(task.done() for task in tasks):
                    for task in tasks:
                        if task.done() and task.exception() is not None:
                            raise RuntimeError(f"a server failed to start: {task.exception()}")
                    raise RuntimeError("a server stopped while starting (is the port in use?)")
                await asyncio.sleep(0.01)
            ready.set()
            await stop.wait()
        finally:
            if self.fault_proxy is not None:
                await self.fault_proxy.stop()
            await self.supervisor.aclose()
            for server in self.servers:
                server.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)


def _pace(options: StackOptions) -> str:
    speed = options.clock.status().speed
    if not options.follow_wall or speed is None:
        return "frozen"
    return "following wall time" if speed == 1 else f"following wall time x {speed:g}"


async def start_fault_proxy(proxy: TcpFaultProxy) -> None:
    """Start listening, or say which port could not be bound."""
    try:
        await proxy.start()
    except OSError as exc:
        raise RuntimeError(f"the fault proxy cannot listen on {proxy.host}:{proxy.port}: {exc.strerror}") from None


def summary(stack: Stack, seeded: int) -> str:
    """What a newcomer needs: URLs, credentials, the signature key, and what to try next."""
    options = stack.options
    config = options.config
    emulator, receiver = stack.emulator_url, stack.receiver_url
    instance = stack.instance
    lines = [
        "cwmock is up:",
        f"  emulator (ConnectWise, Open Connectors hub + platform API, admin): {emulator}",
        f"    ConnectWise API: {emulator}/{config.codebase}apis/3.0",
        f"    admin API:       {emulator}/__admin   (OpenAPI: {emulator}/openapi.json)",
        f"  dashboard (clock, contacts, faults, arrivals, verdict timeline): {emulator}{UI_PREFIX}/",
        f"  webhook receiver: {receiver}  (notifications arrive at {receiver}{CALLBACK_PATH})",
        f"  clock: {options.clock.now().isoformat()} ({_pace(options)})",
    ]
    if stack.fault_proxy is not None:
        lines.append(
            f"  fault proxy (socket faults, /__admin/socket-faults): http://{self_host(options.host)}:"
            f"{stack.fault_proxy.port}  (forwards to {emulator})"
        )
    if options.ca_file is not None and options.tls_port is not None:
        https = f"https://{self_host(options.host)}:{options.tls_port}"
        lines.append(f"  HTTPS emulator: {https}  (CA bundle: {options.ca_file})")
    for tenant in stack.emulator.store.tenants:
        header = basic_authorization(tenant.company, tenant.public_key, tenant.private_key)
        lines.append(f"  tenant {tenant.company}: keys {tenant.public_key} / {tenant.private_key} ({header})")
    lines += [
        f"  seeded {seeded} sample contacts per tenant",
        f"  Open Connectors secrets: User {config.user_secret}, Organization {config.organization_secret}",
        f"  instance {instance.get('id')} (the seed's JSON, tenant cloudelements), token {instance.get('token')}",
        f"  signature key: {DEMO_SIGNATURE_KEY}  (Elements-Webhook-Signature: sha256=base64(HMAC-SHA256))",
        f"  try it in a browser: {emulator}{UI_PREFIX}/  (or with curl:)",
        f"    curl -s -XPOST {emulator}/__admin/tenants/cloudelements/contacts -d '{CREATE_ADA}'",
        f"    curl -s -XPOST {emulator}/__admin/clock/advance -d '{ADVANCE_ONE_INTERVAL}'",
        f"    curl -s {receiver}/__receiver/arrivals",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


async def run_stack(options: StackOptions, stop: asyncio.Event | None = None) -> int:
    """Run until Ctrl-C (SIGINT), SIGTERM or `stop` is set; returns the exit status."""
    with contextlib.ExitStack() as cleanup:
        state_root = options.state_dir
        if state_root is None:
            state_root = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="cwmock-up-")))
        stack = Stack(options, state_root)
        seeded = stack.seed()
        ready = asyncio.Event()
        stop = stop if stop is not None else asyncio.Event()
        serving = asyncio.create_task(stack.serve(ready, stop))
        await asyncio.wait([serving, asyncio.create_task(ready.wait())], return_when=asyncio.FIRST_COMPLETED)
        if serving.done():
            try:
                await serving
            except RuntimeError as exc:
                print(f"cwmock: {exc}", file=sys.stderr)
            return 1
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stack.create_seed_instance()
            options.print_line(summary(stack, seeded))
            await serving
        finally:
            stop.set()
            options.clock.close()
            with contextlib.suppress(Exception):
                await serving
    return 0
