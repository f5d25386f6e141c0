"""The harness: register an instance, run a poller window by window on the emulated clock, settle, judge.

Works against any `PollerTarget` (in-process, or an external command) and an emulator reached over HTTP,
so the same scenarios judge our reference poller or anyone else's.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.targets import (
    DEFAULT_HTTP_TIMEOUT,
    PollerTarget,
    PollOutcome,
    WindowContext,
    crash_outcome,
)
from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import Crash, History, JournalLog, ServedLog, SettleFacts, Window
from cwmock.contract_tests.oracle.verdict import Verdict
from cwmock.contract_tests.timeline.case import Case
from cwmock.contract_tests.timeline.page import write_page
from cwmock.core.timestamps import parse_iso
from cwmock.core.validation import read_json_document
from cwmock.emulator.config import EmulatorConfig
from cwmock.receiver.inbox import Receiver

SETTLE_CAP = timedelta(hours=48)
# A target that keeps reporting work already due would otherwise never let the settle end.
MAX_SETTLE_WINDOWS = 1000
DEFAULT_TENANT = "cwmock"


@dataclass(frozen=True)
class WindowRecord:
    """One invocation of the target: its start (server time) and the sequence numbers around it."""

    index: int
    start: datetime
    begin_seq: int
    end_seq: int
    outcome: PollOutcome


@dataclass
class HarnessSettings:
    """Where things are and how long to wait."""

    emulator_url: str
    receiver_url: str
    work_dir: Path
    user_secret: str = EmulatorConfig.user_secret
    organization_secret: str = EmulatorConfig.organization_secret
    http_timeout: float = DEFAULT_HTTP_TIMEOUT
    instance_name: str = "cwmock-contract"
    judge_policy: bool = True
    """Whether findings that rest only on cwmock policy fail the target (docs/contract-suite/oracle.md#rules)."""


def _poller_configuration(configuration: Mapping[str, Any]) -> dict[str, Any]:
    raw = configuration.get("event.poller.configuration", {})
    parsed = read_json_document(raw, key="event.poller.configuration") if isinstance(raw, str) else raw
    return dict(parsed) if isinstance(parsed, Mapping) else {}


def _crash(outcome: PollOutcome) -> Crash:
    return Crash(outcome.detail or "the window did not finish", outcome.output, outcome.injected)


def _seconds(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


@dataclass
class Harness:
    """Drive one instance of one poller through windows; collect what the oracle needs."""

    control: EmulatorControl
    receiver: Receiver
    target: PollerTarget
    instance_body: Mapping[str, Any]
    settings: HarnessSettings
    windows: list[WindowRecord] = field(default_factory=list)
    instance: dict[str, Any] = field(default_factory=dict)
    settle_facts: SettleFacts | None = None
    case: Case | None = None
    # cwmock policy, for a poller that claims drift safety: docs/contract-suite/oracle.md#strict-drift
    strict_drift: bool = False

    @property
    def tenant(self) -> str:
        """The tenant the instance's `company` names (the seed's `cloudelements`), else `cwmock`."""
        company = self.instance_body.get("configuration", {}).get("company")
        return company if isinstance(company, str) and company else DEFAULT_TENANT

    @property
    def state_dir(self) -> Path:
        """The poller's own directory, kept between windows."""
        return self.settings.work_dir / "state"

    @property
    def instance_path(self) -> Path:
        """Where the instance JSON given to the poller lives."""
        return self.settings.work_dir / "instance.json"

    @property
    def start_instant(self) -> datetime:
        """s₀: the instance's createdDate."""
        return parse_iso(self.instance["createdDate"])

    def poller_setting(self, key: str, default: float) -> float:
        """A numeric per-resource setting of the contacts resource (pollDelay, createdCheckTolerance...)."""
        configuration = self.instance.get("configuration", self.instance_body.get("configuration", {}))
        resource = _poller_configuration(configuration).get("contacts", {})
        return _seconds(resource.get(key), default) if isinstance(resource, Mapping) else default

    @property
    def refresh_interval(self) -> timedelta:
        """`event.poller.refresh_interval` (minutes; number or string)."""
        configuration = self.instance_body.get("configuration", {})
        return timedelta(minutes=_seconds(configuration.get("event.poller.refresh_interval"), 15.0))

    async def start(self) -> dict[str, Any]:
        """Register the instance (createdDate = now, server time) and write the JSON the poller reads."""
        body = copy.deepcopy(dict(self.instance_body))
        configuration = dict(body.get("configuration", {}))
        configuration["event.notification.callback.url"] = self.settings.receiver_url
        body["configuration"] = configuration
        created = await self.control.create_instance(
            self.tenant, str(body.get("name") or self.settings.instance_name), list(body.get("tags", [])), configuration
        )
        self.instance = {**body, "id": created["id"], "token": created["token"], "createdDate": created["createdDate"]}
        self.settings.work_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir(exist_ok=True)
        self.instance_path.write_text(json.dumps(self.instance, indent=2), encoding="utf-8")
        return self.instance

    def context(self, now: datetime) -> WindowContext:
        """What the target gets for a window starting at `now`."""
        auth = (
            f"User {self.settings.user_secret}, Organization {self.settings.organization_secret}, "
            f"Element {self.instance['token']}"
        )
        return WindowContext(
            instance=self.instance,
            instance_path=self.instance_path,
            hub_url=f"{self.control.base_url}/elements/api-v2",
            hub_auth=auth,
            state_dir=self.state_dir,
            now=now,
            start=self.start_instant,
            http_timeout=self.settings.http_timeout,
        )

    async def run_window(self) -> WindowRecord:
        """One invocation of the target at the clock's current instant (an in-process target's exception is
        recorded as its crash in this window, as a non-zero exit would be)."""
        assert self.instance, "call start() before running windows"
        begin = await self.control.sequence()
        now = await self.control.server_now()
        try:
            outcome = await self.target.poll_once(self.context(now))
        except Exception as error:  # the target's failure is evidence for the oracle, not the harness's own error
            outcome = crash_outcome(error)
        end = await self.control.sequence()
        record = WindowRecord(len(self.windows) + 1, now, begin, end, outcome)
        self.windows.append(record)
        return record

    async def advance(self, seconds: float) -> datetime:
        """Move the emulated clock forward (a jump: the target runs only when the harness says so)."""
        target = await self.control.now() + timedelta(seconds=seconds)
        await self.control.set_clock(target)
        return target

    async def run_windows(self, count: int) -> list[WindowRecord]:
        """`count` windows, one refresh interval apart, the first one interval from now."""
        records = []
        for _ in range(count):
            await self.advance(self.refresh_interval.total_seconds())
            records.append(await self.run_window())
        return records

    async def settle(self, *, extra_wait: float = 0.0) -> list[WindowRecord]:
        """The settle (docs/design.md#the-settle): clear faults and receiver scripts; wait out delays (60 s more under
        minute precision) plus one interval and run a window; then a window at each `next_due` the target reports,
        until none remain (capped at 48 h emulated)."""
        minute_precision = any(f.get("precision") == "minutes" for f in await self.control.faults())
        await self.control.clear_faults()
        self.receiver.clear_scripts()
        arrivals = self.receiver.arrivals()
        self.settle_facts = SettleFacts(arrivals[-1].seq if arrivals else 0, first_window=len(self.windows) + 1)
        history = await self.control.history(self.tenant)
        longest_delay = max(
            ((parse_iso(v["visibleFrom"]) - parse_iso(v["stamp"])).total_seconds() for v in history["versions"]),
            default=0.0,
        )
        wait = max(self.poller_setting("pollDelay", 0.0), longest_delay, 60.0 if minute_precision else 0.0, extra_wait)
        # Clearing a positive skew fault moves server time back: start the settle after the last window anyway.
        behind = 0.0
        if self.windows:
            behind = max(0.0, (self.windows[-1].start - await self.control.server_now()).total_seconds())
        await self.advance(behind + wait + self.refresh_interval.total_seconds())
        settled = [await self.run_window()]
        cap = settled[0].start + SETTLE_CAP
        while (due := settled[-1].outcome.next_due) is not None:
            now = await self.control.now()
            if due > cap or len(settled) > MAX_SETTLE_WINDOWS:
                break
            if due > now:
                await self.control.set_clock(due)
            settled.append(await self.run_window())
        return settled

    def oracle_windows(self) -> list[Window]:
        """The windows run so far as the oracle reads them, each with its crash (if the target did not finish it)."""
        return [
            Window(w.index, w.start, w.begin_seq, w.end_seq, _crash(w.outcome) if w.outcome.crashed else None)
            for w in self.windows
        ]

    async def judge(self) -> Verdict:
        """The oracle's verdict on everything delivered so far (call `settle()` first); its inputs stay in `case`."""
        assert self.settle_facts is not None, "settle() before judge(): the verdict is taken after the settle"
        self.case = Case(
            instance=InstanceFacts.from_instance_json({**self.instance, "tenant": self.tenant}),
            history=History.from_json(await self.control.history(self.tenant)),
            served=ServedLog.from_json(await self.control.served(self.instance["id"])),
            journal=JournalLog.from_json(await self.control.journal()),
            windows=self.oracle_windows(),
            arrivals=self.receiver.arrivals(),
            settle=self.settle_facts,
            strict_drift=self.strict_drift,
            policy=self.settings.judge_policy,
        )
        return self.case.judge()

    def write_timeline(self, path: Path) -> Path | None:
        """Draw the last verdict as a self-contained HTML timeline at `path` (None when nothing was judged yet)."""
        if self.case is None:
            return None
        return write_page(
            path, self.case, self.case.judge(), f"cwmock verdict timeline, instance {self.instance['id']}"
        )

    async def settle_and_judge(self, *, extra_wait: float = 0.0) -> Verdict:
        """Settle, then judge: what a scenario ends with."""
        await self.settle(extra_wait=extra_wait)
        return await self.judge()
