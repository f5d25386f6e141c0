"""Our poller for every instance the platform API creates: one follower task per instance, in the stack's loop.

Each instance polls on its refresh interval as a follower of the emulator's `ManualClock`, so advancing the
clock runs each window at its exact instant. PATCH takes effect at the next window; DELETE stops polling.
Given where the emulator is (`progress`: server time and its last sequence number), it also records each window as
the contract suite's harness does, so the oracle can judge a running stack (the dashboard's timeline).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from cwmock.core.clock import ManualClock
from cwmock.core.instance.config import Instance
from cwmock.emulator.model.instances import Instance as Registered
from cwmock.poller.delivery import DeliveryReport
from cwmock.poller.engine import EngineSettings, PollerEngine, WindowReport
from cwmock.poller.event_log import EventLog
from cwmock.poller.scheduler import run_schedule
from cwmock.poller.state import PollerState, StateBusyError, StateError

LOG = logging.getLogger("cwmock.poller.supervisor")
DEFAULT_REFRESH_MINUTES = 15
# Where the emulator is: server time and the last sequence number it handed out, after applying due writes.
Progress = Callable[[], tuple[datetime, int]]


@dataclass(frozen=True)
class WindowRun:
    """One window run for an instance: its start (server time) and the sequence numbers around it."""

    index: int
    start: datetime
    begin_seq: int
    end_seq: int
    crashed: bool


class _ObservedEngine(PollerEngine):
    """The engine, telling the event log about the outbox before and after every delivery pass, and recording
    each window's start and sequence span when it knows the emulator's progress."""

    event_log: EventLog
    window_runs: list[WindowRun]
    progress: Progress | None
    # One delivery pass at a time: the schedule's and a redelivery asked for from outside never overlap.
    delivery_lock: asyncio.Lock

    async def run_window(self) -> WindowReport:
        if self.progress is None:
            return await super().run_window()
        start, begin = self.progress()
        crashed = True
        try:
            report = await super().run_window()
            crashed = False
            return report
        finally:
            # A window cut short (an error, or the task cancelled by PATCH or DELETE) counts as a crash.
            index = len(self.window_runs) + 1
            self.window_runs.append(WindowRun(index, start, begin, self.progress()[1], crashed))

    async def deliver_due(self, client: httpx.AsyncClient) -> DeliveryReport:
        async with self.delivery_lock:
            self.event_log.observe(self.state)
            report = await super().deliver_due(client)
            self.event_log.observe(self.state)
            return report


class PollerSupervisor:
    """An `InstanceListener`: starts, restarts and stops a polling task per instance."""

    def __init__(
        self,
        clock: ManualClock,
        hub_url: str,
        user_secret: str,
        organization_secret: str,
        state_root: Path,
        settings: EngineSettings | None = None,
        progress: Progress | None = None,
        *,
        reset_damaged_state: bool = False,
    ) -> None:
        self.clock = clock
        self.reset_damaged_state = reset_damaged_state
        self.hub_url = hub_url
        self.user_secret = user_secret
        self.organization_secret = organization_secret
        self.state_root = state_root
        self.settings = settings or EngineSettings()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._next_window: dict[int, datetime] = {}
        self._logs: dict[int, EventLog] = {}
        self._engines: dict[int, _ObservedEngine] = {}
        self._windows: dict[int, list[WindowRun]] = {}
        self.progress = progress
        self._generation = 0

    @staticmethod
    def interval(instance: Instance) -> timedelta:
        """The instance's refresh interval (15 minutes when not set)."""
        return timedelta(minutes=instance.configuration.refresh_interval_minutes or DEFAULT_REFRESH_MINUTES)

    def instance_created(self, registered: Registered, instance: Instance) -> None:
        """Poll from createdDate on: the first window one refresh interval later."""
        self._start(registered, instance, registered.created + self.interval(instance))

    def instance_updated(self, registered: Registered, instance: Instance) -> None:
        """Restart with the new configuration; the next window keeps its instant."""
        first = self._next_window.get(registered.id, self.clock.now() + self.interval(instance))
        self._stop(registered.id)
        self._start(registered, instance, first)

    def instance_deleted(self, instance_id: int) -> None:
        """Stop polling the instance."""
        self._stop(instance_id)

    def events(self, instance_id: int) -> list[dict[str, Any]]:
        """The instance's event records."""
        log = self._logs.get(instance_id)
        return log.records() if log is not None else []

    def state(self, instance_id: int) -> PollerState | None:
        """The open state of an instance being polled (None when it is not)."""
        engine = self._engines.get(instance_id)
        return None if engine is None else engine.state

    def next_window(self, instance_id: int) -> datetime | None:
        """When the instance's next window is due (None when it is not polled)."""
        return self._next_window.get(instance_id) if instance_id in self._engines else None

    def windows(self, instance_id: int) -> list[WindowRun]:
        """The windows run for the instance so far, in order (empty without `progress`)."""
        return list(self._windows.get(instance_id, ()))

    async def redeliver(self, instance_id: int, numbers: list[int] | None = None) -> tuple[int, DeliveryReport]:
        """Put parked notifications (all, or those numbered) back in the queue and deliver them now; returns how many
        were queued and what the delivery pass did."""
        engine = self._engines.get(instance_id)
        if engine is None:
            return 0, DeliveryReport()
        queued = await engine.requeue(numbers)
        return queued, (await engine.deliver_only() if queued else DeliveryReport())

    def _start(self, registered: Registered, instance: Instance, first_window: datetime) -> None:
        try:
            state = PollerState.open(
                self.state_root / f"instance-{registered.id}", reset_damaged=self.reset_damaged_state
            )
        except StateError as error:
            # Never a silent fresh start (it would deliver every version again): this instance is not polled.
            way_out = "" if isinstance(error, StateBusyError) else " (cwmock up --reset-state)"
            LOG.error("instance %s is not polled: %s%s", registered.id, error, way_out)
            return
        hub_auth = f"User {self.user_secret}, Organization {self.organization_secret}, Element {registered.token}"
        engine = _ObservedEngine(
            instance,
            hub_url=self.hub_url,
            hub_auth=hub_auth,
            state=state,
            clock=self.clock,
            start=registered.created,
            settings=self.settings,
        )
        engine.event_log = self._logs.setdefault(registered.id, EventLog())
        engine.window_runs = self._windows.setdefault(registered.id, [])
        engine.progress = self.progress
        engine.delivery_lock = asyncio.Lock()
        self._engines[registered.id] = engine
        interval = self.interval(instance)
        self._next_window[registered.id] = first_window
        # A restarted instance gets a new follower name: the cancelled task may not have detached yet.
        self._generation += 1
        generation = self._generation

        def window_done(_: object) -> None:
            self._next_window[registered.id] = self.clock.now() + interval

        async def poll_forever() -> None:
            try:
                async with self.clock.follower(f"instance-{registered.id}-{generation}") as follower:
                    await run_schedule(engine, follower, interval, first_window_at=first_window, on_window=window_done)
            except asyncio.CancelledError:
                raise
            except Exception:
                LOG.exception("polling instance %s stopped", registered.id)
            finally:
                if self._engines.get(registered.id) is engine:
                    del self._engines[registered.id]
                state.close()

        self._tasks[registered.id] = asyncio.get_running_loop().create_task(
            poll_forever(), name=f"poller-{registered.id}"
        )

    def _stop(self, instance_id: int) -> None:
        task = self._tasks.pop(instance_id, None)
        if task is not None:
            task.cancel()

    async def aclose(self) -> None:
        """Stop every polling task and wait for them."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
