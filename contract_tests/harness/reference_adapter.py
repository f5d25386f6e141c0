"""The reference poller behind the harness's `PollerTarget` protocol (one `poll_once` = one window)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field, replace

import httpx

from cwmock.contract_tests.harness.targets import PollOutcome, WindowContext, crash_outcome
from cwmock.core.clock import ManualClock
from cwmock.core.instance.config import parse_instance
from cwmock.poller.delivery import CrashHook, no_crash
from cwmock.poller.engine import EngineSettings, PollerEngine, WindowReport
from cwmock.poller.state import PollerState


class InjectedCrash(RuntimeError):
    """Raised by a crash hook the suite armed: the window dies at a known crash point, on purpose."""


class CrashOnce:
    """An in-process crash hook: raises at `point` the first time it is reached."""

    def __init__(self, point: str) -> None:
        self.point = point
        self.fired = False

    def __call__(self, reached: str) -> None:
        if reached == self.point and not self.fired:
            self.fired = True
            raise InjectedCrash(f"simulated crash at {reached}")


@dataclass
class ReferencePoller:
    """cwmock's own poller, in-process: the window runs on a clock frozen at the window's start."""

    settings: EngineSettings = field(default_factory=EngineSettings)
    crash: CrashHook = no_crash
    transport: httpx.AsyncBaseTransport | None = None
    name: str = "cwmock reference poller (in-process)"
    reports: list[WindowReport] = field(default_factory=list)
    ssl_context: ssl.SSLContext | None = None

    async def poll_once(self, context: WindowContext) -> PollOutcome:
        """Run one window; an exception is reported as a crash (the state directory keeps what committed), injected
        when a crash hook the suite armed raised it."""
        try:
            report = await self.run(context)
        except Exception as error:  # a crash of the target, reported to the harness rather than raised
            return crash_outcome(error, injected=isinstance(error, InjectedCrash))
        return PollOutcome(next_due=report.next_due, detail=report.summary())

    async def run(self, context: WindowContext) -> WindowReport:
        """One window of the engine for `context`."""
        instance = parse_instance(dict(context.instance))
        settings = replace(self.settings, http_timeout=context.http_timeout)
        state = PollerState.open(context.state_dir)
        try:
            engine = PollerEngine(
                instance,
                hub_url=context.hub_url,
                hub_auth=context.hub_auth,
                state=state,
                clock=ManualClock(context.now),
                start=context.start,
                settings=settings,
                crash=self.crash,
                transport=self.transport,
                ssl_context=self.ssl_context,
            )
            if self.transport is None:
                self.ssl_context = engine.ssl_context  # built once, reused by every later window
            report = await engine.run_window()
        finally:
            state.close()
        self.reports.append(report)
        return report
