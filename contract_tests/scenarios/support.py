"""Helpers the contract scenarios share: instance bodies, what was delivered, due windows, crash-capable targets."""

from __future__ import annotations

import copy
import json
import shlex
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from cwmock.contract_tests.harness.options import DRIFT_OPTION
from cwmock.contract_tests.harness.reference_adapter import CrashOnce, ReferencePoller
from cwmock.contract_tests.harness.runner import Harness, WindowRecord
from cwmock.contract_tests.harness.targets import ExternalCommandTarget, PollerTarget
from cwmock.contract_tests.oracle.verdict import Verdict
from cwmock.core.timestamps import format_cw
from cwmock.fixtures import SEED_INSTANCE, read_fixture

TENANT = "cloudelements"  # the seed's instance logs in as company `cloudelements`
HUB_CONTACTS = "/elements/api-v2/hubs/crm/contacts"
SIGNATURE_KEY = "MySecretEventSignatureKey"
SEED_URL = "/hubs/crm/contacts?where=lastUpdated>'${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'"
CRASH_ENV = "CWMOCK_POLLER_CRASH_AT"


def seed_body(**contacts_settings: Any) -> dict[str, Any]:
    """The seed's "Example JSON with Polling" body, with extra settings for its contacts resource."""
    body: dict[str, Any] = json.loads(read_fixture(SEED_INSTANCE))
    body["configuration"]["event.poller.configuration"]["contacts"].update(contacts_settings)
    return body


def with_dates(body: dict[str, Any], **dates: str) -> dict[str, Any]:
    """A copy of `body` with some `datesConfiguration` keys replaced."""
    changed = copy.deepcopy(body)
    changed["configuration"]["event.poller.configuration"]["contacts"]["datesConfiguration"].update(dates)
    return changed


def signed_body(key: str = SIGNATURE_KEY) -> dict[str, Any]:
    """The seed's body with `event.notification.signature.key` set."""
    body = seed_body()
    body["configuration"]["event.notification.signature.key"] = key
    return body


def second(instant: datetime) -> str:
    """`yyyy-MM-dd'T'HH:mm:ss'Z'`, as events carry dates."""
    return format_cw(instant)


def delivered_events(harness: Harness) -> list[dict[str, Any]]:
    """Every event, once per delivery (arrivals sharing an id and bytes are one delivery)."""
    events: list[dict[str, Any]] = []
    for delivery in harness.receiver.deliveries():
        document = json.loads(delivery.arrivals[0].body)
        events += document["message"]["events"]
    return events


def delivered_versions(harness: Harness) -> list[tuple[str, str]]:
    """(objectId, date) of every event, once per delivery."""
    return [(e["objectId"], e["date"]) for e in delivered_events(harness)]


def assert_passed(verdict: Verdict, *, required: int, parked: bool = False) -> None:
    """The verdict passes, with exactly the `required` versions the scenario expects (at least one: a scenario that
    requires nothing passes a poller that does nothing); PARKED findings appear only when the scenario expects some."""
    assert required > 0, "a scenario states what it requires, and requires something (docs/design.md#liveness)"
    assert verdict.passed, verdict.report()
    assert verdict.required == required, f"expected {required} required version(s):\n{verdict.report()}"
    if not parked:
        assert not verdict.parked, "a transient receiver failure must be retried, not parked:\n" + verdict.report()


async def run_due_windows(harness: Harness, limit: int = 12) -> list[WindowRecord]:
    """Before the settle (which clears receiver scripts): a window at each `next_due` the target reports."""
    ran: list[WindowRecord] = []
    while harness.windows and (due := harness.windows[-1].outcome.next_due) is not None:
        assert len(ran) < limit, f"the target still reported work due after {limit} retry windows"
        if due > await harness.control.now():
            await harness.control.set_clock(due)
        ran.append(await harness.run_window())
    return ran


def is_reference_command(target: PollerTarget) -> bool:
    """True when an external target runs `cwmock poller once` (so its crash points are known)."""
    if not isinstance(target, ExternalCommandTarget):
        return False
    argv = shlex.split(target.command) if isinstance(target.command, str) else list(target.command)
    words = " ".join(argv)
    return "cwmock poller once" in words or ("cwmock" in words and words.endswith("poller once"))


def crashing(target: PollerTarget, point: str) -> PollerTarget:
    """The same poller, made to crash once at `point`; skips the test for pollers whose crash points are unknown."""
    if isinstance(target, ReferencePoller):
        return replace(target, crash=CrashOnce(point), reports=[])
    if is_reference_command(target):
        assert isinstance(target, ExternalCommandTarget)
        return replace(target, extra_env={**target.extra_env, CRASH_ENV: point}, injected_crash=point)
    pytest.skip(
        f"crash points ({point}) are known only for cwmock's reference poller; {target.name!r} is judged on "
        "restarts between windows (every external run is a fresh process)"
    )


def restarted(target: PollerTarget) -> PollerTarget:
    """The poller as a fresh process would be: in-process reference pollers lose their memory; commands already do."""
    if isinstance(target, ReferencePoller):
        return replace(target, reports=[])
    return target


def judge_drift_strictly(harness: Harness, config: pytest.Config) -> None:
    """Hold the harness's poller to exactly-once across pages that shift (cwmock policy, beyond the platform): always
    the reference poller (in-process or `cwmock poller once`), another only with `--poller-claims-drift-safe`; else
    skip the test."""
    external = isinstance(harness.target, ExternalCommandTarget) and not is_reference_command(harness.target)
    if external and not config.getoption(DRIFT_OPTION):
        pytest.skip(
            f"a drift scenario judges cwmock policy, beyond the platform: pass {DRIFT_OPTION} if "
            f"{harness.target.name!r} claims exactly-once when the hub's pages shift"
        )
    harness.strict_drift = True


def between_pages(mutation: dict[str, Any]) -> dict[str, Any]:
    """A `mutate_between_pages` fault applying `mutation` once, right after the first hub page is answered."""
    return {
        "kind": "mutate_between_pages",
        "path": HUB_CONTACTS,
        "method": "GET",
        "after": 0,
        "times": 1,
        "mutation": mutation,
    }
