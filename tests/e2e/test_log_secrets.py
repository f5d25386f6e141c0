"""The secrets sweep, continued into the logs of the other processes: `cwmock poller once` run with every secret in
its instance and its hub credentials, through deliveries, failed deliveries, a parked notification, a failing hub
and a refused configuration, prints none of them; neither does the receiver, in its log or its control API
(docs/fidelity.md#secrets). The sweep of the emulator's own answers is tests/emulator/test_secrets.py."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings
from cwmock.contract_tests.harness.targets import ExternalCommandTarget
from cwmock.core.clock import ManualClock
from cwmock.emulator.app import create_emulator
from cwmock.emulator.http import BackgroundServer
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import ReceiverServer, serve_receiver

from support.secrets import (
    ADMIN_TOKEN,
    CONFIG,
    ORGANIZATION_SECRET,
    PRIVATE_KEY,
    SIGNATURE_KEY,
    TENANT,
    USER_SECRET,
    instance_body,
    leaked,
)

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
POLLER = [sys.executable, "-m", "cwmock", "poller", "once", "--retry-base", "2", "--retries", "2"]


@dataclass
class Stack:
    """An emulator that knows the secrets, a receiver that checks signatures with the key, and a harness."""

    harness: Harness
    receiver_server: ReceiverServer
    lines: list[str]

    async def window(self, *, hub_auth: str | None = None) -> str:
        """Run `cwmock poller once` for a window now (`hub_auth` replaces its hub credentials); keep (and return)
        everything it printed."""
        context = self.harness.context(await self.harness.control.server_now())
        env = {**os.environ, **context.environment()}
        if hub_auth is not None:
            env["CWMOCK_HUB_AUTH"] = hub_auth
        done = subprocess.run(POLLER, env=env, capture_output=True, text=True, timeout=120, check=False)
        printed = f"[exit {done.returncode}]\n{done.stdout}\n{done.stderr}"
        self.lines.append(printed)
        return printed


@pytest.fixture
def served() -> Iterator[tuple[str, ReceiverServer]]:
    """The emulator (its tenant, platform secrets and admin token the sweep's) and a receiver, each on a socket."""
    emulator = create_emulator(CONFIG, clock=ManualClock(START))
    with (
        BackgroundServer(emulator.app) as server,
        serve_receiver(Receiver(emulator.clock, signature_keys=[SIGNATURE_KEY])) as receiver_server,
    ):
        yield server.url, receiver_server


@pytest.fixture
async def sweep(served: tuple[str, ReceiverServer], tmp_path: Path) -> AsyncIterator[Stack]:
    url, receiver_server = served
    control = EmulatorControl(url, admin_token=ADMIN_TOKEN)
    settings = HarnessSettings(
        url,
        f"{receiver_server.url}/hooks",
        tmp_path,
        user_secret=USER_SECRET,
        organization_secret=ORGANIZATION_SECRET,
    )
    harness = Harness(control, receiver_server.receiver, ExternalCommandTarget(POLLER), instance_body(), settings)
    await harness.start()
    try:
        yield Stack(harness, receiver_server, [])
    finally:
        await control.aclose()


async def test_the_poller_and_the_receiver_never_print_a_secret(sweep: Stack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    harness, control = sweep.harness, sweep.harness.control
    assert PRIVATE_KEY in harness.instance_path.read_text(), "the poller reads every secret"

    # A delivery that succeeds.
    await harness.advance(60)
    await control.create_contact(TENANT.company, {"firstName": "Delivered"})
    await harness.advance(900)
    await sweep.window()
    # Deliveries that fail until the notification is parked.
    harness.receiver.script(500, times=3)
    await control.create_contact(TENANT.company, {"firstName": "Parked"})
    await harness.advance(900)
    printed = await sweep.window()
    for _ in range(3):
        await harness.advance(10)
        printed += await sweep.window()
    assert "parked" in printed.lower(), printed
    # A hub that fails, then one that answers malformed JSON.
    await control.add_fault({"kind": "status", "status": 503, "path": "/elements/api-v2/hubs/*", "times": 1})
    await harness.advance(900)
    await sweep.window()
    await control.add_fault({"kind": "malformed_json", "path": "/elements/api-v2/hubs/crm/contacts", "times": 1})
    await harness.advance(900)
    await sweep.window()
    # Credentials the hub refuses: the poller says so, without repeating them.
    refused_auth = await sweep.window(hub_auth=f"User {USER_SECRET}, Organization {ORGANIZATION_SECRET}x")
    assert "401" in refused_auth, refused_auth
    # A configuration the poller refuses: a misspelled key whose value is the signature key.
    broken = json.loads(harness.instance_path.read_text())
    broken["configuration"]["event.notification.signature.kye"] = SIGNATURE_KEY
    resources = broken["configuration"]["event.poller.configuration"]
    resources = json.loads(resources) if isinstance(resources, str) else resources
    resources["contacts"]["pageSise"] = PRIVATE_KEY
    broken["configuration"]["event.poller.configuration"] = resources
    harness.instance_path.write_text(json.dumps(broken))
    refused_config = await sweep.window()
    assert refused_config.startswith("[exit 2]"), refused_config
    # Secrets of the wrong type: the refusal names the key, not the value.
    broken["configuration"].update(
        {"private.key": [PRIVATE_KEY], "event.notification.signature.key": {"k": SIGNATURE_KEY}}
    )
    harness.instance_path.write_text(json.dumps(broken))
    refused_secrets = await sweep.window()
    assert "/configuration/private.key: a list" in refused_secrets, refused_secrets

    printed = "\n".join(sweep.lines)
    arrivals = harness.receiver.arrivals()
    assert [a.status for a in arrivals] == [200, 500, 500, 500], printed
    assert all(a.signature.status == "valid" for a in arrivals), "the poller signed with the key"
    assert "cwmock poller" in printed, "the poller's own log lines were captured"
    assert not leaked(printed), f"the poller printed a secret:\n{printed}"

    async with httpx.AsyncClient(base_url=sweep.receiver_server.url) as client:
        for path in ("health", "arrivals", "deliveries", "script", "errors", "config"):
            answer = await client.get(f"/__receiver/{path}")
            assert answer.status_code == 200, path
            assert not leaked(answer.text), f"/__receiver/{path} repeats a secret"
    logged = [record.getMessage() for record in caplog.records]
    assert logged, "the receiver's and the harness's log lines were captured"
    assert not [line for line in logged if leaked(line)]
