"""Freezegun hygiene: a whole scenario gives the same outcome, byte for byte, with the wall clock frozen in 1999.

Harness, reference poller, emulator and receiver all run in this process (respx routes the harness's and the
poller's httpx calls into the emulator and receiver apps), once on the real wall clock and once under
`freeze_time("1999-12-31", tz_offset=5, real_asyncio=True)`. Only `SystemClock` may read the wall clock, so
nothing may differ and no 1999 (or 1998, or 946...-epoch) stamp may appear anywhere: verdict, notifications,
hub responses, history, journal, served log, instance JSON, the poller's SQLite state.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import freezegun
import pytest

import cwmock.poller
from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings
from cwmock.core.clock import Clock, ManualClock, SystemClock
from cwmock.emulator.app import DEFAULT_START, create_emulator
from cwmock.fixtures import read_fixture
from cwmock.poller.engine import EngineSettings
from cwmock.receiver.app import arrival_json, create_receiver_app
from cwmock.receiver.inbox import Receiver
from cwmock.testing.host_routing import HostRouter
from cwmock.testing.wall_clock import real_time_event_loops

pytestmark = pytest.mark.anyio

TENANT = "cloudelements"
EMULATOR = "http://cwmock.test"
HOOKS_HOST = "hooks.test"
SIGNATURE_KEY = "hygiene-signature-key"
# 1999-12-31 (and 1999-12-31T05:00 local under tz_offset=5) as text, epoch seconds or epoch milliseconds.
FROZEN_TRACES = re.compile(r"199[89]|\b94[56]\d{7}(\d{3})?\b")
POLLER_SOURCES = Path(cwmock.poller.__file__).parent


@dataclass
class Outcome:
    """Everything a scenario left behind, as comparable text."""

    texts: dict[str, str]

    def traces(self) -> dict[str, list[str]]:
        """Where a frozen-wall stamp shows, with a little context."""
        found: dict[str, list[str]] = {}
        for name, text in self.texts.items():
            hits = [text[max(0, m.start() - 60) : m.end() + 20] for m in FROZEN_TRACES.finditer(text)]
            if hits:
                found[name] = hits[:3]
        return found


def seed_body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(read_fixture("instances/seed_example_polling.json"))
    body["configuration"]["event.notification.signature.key"] = SIGNATURE_KEY
    return body


def dump_state(state_dir: Path) -> str:
    lines: list[str] = []
    for database in sorted(state_dir.glob("*.sqlite3")):
        connection = sqlite3.connect(database)
        try:
            lines += list(connection.iterdump())
        finally:
            connection.close()
    return "\n".join(lines)


async def drive(harness: Harness) -> None:
    """Creates, updates, a burst of 23, a delete, a visibility delay, a hub 503, receiver 500s and a 429."""
    control, receiver, start = harness.control, harness.receiver, harness.start_instant
    ada = await control.create_contact(TENANT, {"firstName": "Ada"}, stamp=start + timedelta(minutes=1))
    grace = await control.create_contact(TENANT, {"firstName": "Grace"}, stamp=start + timedelta(minutes=2))
    receiver.script(500, times=2)
    await harness.run_windows(1)
    for minute, name in ((16, "Ada v2"), (17, "Ada v3")):
        await control.replace_contact(TENANT, ada["id"], {"firstName": name}, stamp=start + timedelta(minutes=minute))
    await control.bulk_create(TENANT, 23, stamp=start + timedelta(minutes=20))
    await control.add_fault({"kind": "status", "status": 503, "path": "/elements/api-v2/hubs/*", "times": 1})
    await harness.run_windows(1)
    receiver.script(429, retry_after=30)
    await control.delete_contact(TENANT, grace["id"])
    await control.set_visibility_delay(TENANT, 30)
    await control.create_contact(TENANT, {"firstName": "Late"})
    await harness.run_windows(2)


async def run_scenario(work_dir: Path, receiver_clock: Clock | None = None) -> Outcome:
    """The scenario in one process: every HTTP call goes through respx into the emulator or receiver app."""
    emulator = create_emulator(clock=ManualClock(DEFAULT_START))
    receiver = Receiver(receiver_clock or emulator.clock, signature_keys=[SIGNATURE_KEY])
    router = HostRouter(emulator.app, ["cwmock.test"], pass_loopback=False)
    router.add(create_receiver_app(receiver), [HOOKS_HOST])
    poller = ReferencePoller(settings=EngineSettings(allowed_hosts=(HOOKS_HOST,)))
    settings = HarnessSettings(EMULATOR, f"http://{HOOKS_HOST}/hooks", work_dir)
    control = EmulatorControl(EMULATOR)
    harness = Harness(control, receiver, poller, seed_body(), settings)
    with router.mocking() as calls:
        try:
            await harness.start()
            await drive(harness)
            verdict = await harness.settle_and_judge()
            texts = {
                "verdict": verdict.report(),
                "windows": "\n".join(
                    f"{w.index} {w.start.isoformat()} {w.begin_seq}-{w.end_seq} {w.outcome}" for w in harness.windows
                ),
                "arrivals": json.dumps([arrival_json(a) for a in receiver.arrivals()], indent=1),
                "history": json.dumps(await control.history(TENANT), indent=1),
                "served": json.dumps(await control.served(harness.instance["id"]), indent=1),
                "journal": json.dumps(await control.journal(), indent=1),
                "instance": harness.instance_path.read_text(),
                "poller reports": "\n".join(report.summary() for report in poller.reports),
                "exchanges": "\n".join(
                    f"{c.request.method} {c.request.url}\n{c.request.content.decode()}\n"
                    f"{c.response.status_code} {c.response.headers}\n{c.response.text}"
                    for c in calls.calls
                    if c.response is not None
                ),
            }
        finally:
            await control.aclose()
    receiver.check()
    assert verdict.passed, verdict.report()
    texts["state"] = dump_state(harness.state_dir)
    return Outcome(texts)


async def test_a_whole_scenario_is_identical_under_a_frozen_1999_wall_clock(tmp_path: Path) -> None:
    plain = await run_scenario(tmp_path / "plain")
    assert plain.traces() == {}, "the real run cannot show 1999 either"
    assert len(plain.texts["arrivals"]) > 1000, "the scenario delivered notifications"
    # Threads' event loops (a session server on this xdist worker) must survive freezegun's start and stop.
    with real_time_event_loops(), freezegun.freeze_time("1999-12-31", tz_offset=5, real_asyncio=True):
        assert SystemClock().now().date().isoformat() == "1999-12-31", "the wall clock is frozen"
        frozen = await run_scenario(tmp_path / "frozen")
    assert frozen.traces() == {}, "something read the wall clock instead of the injected clock"
    for name, text in plain.texts.items():
        assert frozen.texts[name] == text, f"{name} differs under a frozen wall clock"


async def test_the_check_sees_a_stamp_taken_from_the_wall(tmp_path: Path) -> None:
    with real_time_event_loops(), freezegun.freeze_time("1999-12-31", tz_offset=5, real_asyncio=True):
        leaky = await run_scenario(tmp_path, receiver_clock=SystemClock())  # arrivals stamped by the wall
    assert list(leaky.traces()) == ["arrivals"]


def test_the_poller_state_never_asks_sqlite_for_the_time() -> None:
    # SQLite reads the wall clock in C, where freezegun cannot reach; so look for it in the SQL itself.
    wall_sql = re.compile(r"\bCURRENT_(TIMESTAMP|DATE|TIME)\b|'now'", re.IGNORECASE)
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(POLLER_SOURCES.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if wall_sql.search(line)
    ]
    assert len(list(POLLER_SOURCES.glob("*.py"))) > 10, f"the poller's sources are not at {POLLER_SOURCES}"
    assert offenders == []
