"""A seeded workload for a live judgement: creates, updates, touches, deletes, bursts and faults over a duration.

`plan_workload` turns a seed and a duration into `Step`s at emulated offsets (the same seed, the same plan);
`WorkloadDriver` plays them against the emulator's admin API, waiting for each step's instant through the
`ClockMode`. Each action is a handler in `WorkloadDriver.handlers`: `register` adds one (a TCP fault, a receiver
script) without touching the planner or the driver (docs/contract-suite/live-judge.md#the-workload).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.live.clock_modes import ClockMode
from cwmock.core.timestamps import iso_z

HUB_CONTACTS = "/elements/api-v2/hubs/crm/contacts"
# Relative weights of the actions a plan draws (faults only when asked for).
WEIGHTS: dict[str, float] = {"create": 4, "update": 3, "touch": 1, "delete": 1, "burst": 0.3}
FAULT_WEIGHT = 0.6
# The faults a plan injects on the polled path, each for one request: what a poller must survive (docs/faults.md).
PLANNED_FAULTS: tuple[Mapping[str, Any], ...] = (
    {"kind": "status", "status": 503},
    {"kind": "status", "status": 500},
    {"kind": "rate_limit", "retryAfter": 1},
)
# Socket faults, through the emulator's TCP fault proxy (docs/faults.md#socket-faults): a reset before the response,
# and a body cut short. Each is scheduled at its step's emulated instant (`from`), for one request.
PLANNED_SOCKET_FAULTS: tuple[Mapping[str, Any], ...] = (
    {"kind": "reset_before_response"},
    {"kind": "cut_body_after", "cutAfter": 10},
)
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim")


@dataclass(frozen=True)
class Step:
    """One thing the workload does, `at` this long after it starts (emulated time)."""

    at: timedelta
    action: str
    count: int = 1
    fault: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """For the JSON report."""
        data: dict[str, Any] = {"at": self.at.total_seconds(), "action": self.action, "count": self.count}
        if self.fault is not None:
            data["fault"] = dict(self.fault)
        return data


@dataclass(frozen=True)
class WorkloadSpec:
    """What to plan: the seed, the emulated duration, how busy, and whether to inject faults."""

    seed: int = 0
    duration: timedelta = timedelta(minutes=1)
    steps_per_minute: float = 30.0
    burst_size: int = 20
    faults: bool = True
    fault_path: str = HUB_CONTACTS
    """The path faults hit: the hub's contacts, or the native API's for a native-API subject."""
    socket_faults: bool = False
    """Also plan socket faults (a reset, a cut body); the service must poll through the fault proxy."""

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0):
            raise ValueError(f"the workload's duration must be positive, got {self.duration}")
        if self.steps_per_minute <= 0:
            raise ValueError(f"steps per minute must be positive, got {self.steps_per_minute:g}")
        if self.burst_size < 1:
            raise ValueError(f"a burst creates at least one contact, got {self.burst_size}")


def plan_workload(spec: WorkloadSpec) -> list[Step]:
    """The steps of `spec`, in time order; the first is always a create (so updates have something to change)."""
    source = random.Random(spec.seed)
    weights = dict(WEIGHTS)
    if spec.faults:
        weights["fault"] = FAULT_WEIGHT
    if spec.socket_faults:
        weights["socket_fault"] = FAULT_WEIGHT
    actions, chances = list(weights), list(weights.values())
    total = max(1, round(spec.duration.total_seconds() / 60 * spec.steps_per_minute))
    seconds = sorted(source.uniform(0, spec.duration.total_seconds()) for _ in range(total))
    steps = []
    for index, offset in enumerate(seconds):
        action = "create" if index == 0 else source.choices(actions, chances)[0]
        at = timedelta(seconds=round(offset, 3))
        if action == "burst":
            steps.append(Step(at, action, spec.burst_size))
        elif action == "fault":
            fault = {**source.choice(PLANNED_FAULTS), "path": spec.fault_path, "times": 1}
            steps.append(Step(at, action, fault=fault))
        elif action == "socket_fault":
            chosen = source.choice(PLANNED_SOCKET_FAULTS)
            steps.append(Step(at, action, fault={**chosen, "path": spec.fault_path, "times": 1}))
        else:
            steps.append(Step(at, action))
    return steps


Handler = Callable[[Step], Awaitable[str]]


@dataclass
class WorkloadDriver:
    """Plays steps against one tenant through the admin API; `handlers` maps an action to what it does."""

    control: EmulatorControl
    tenant: str
    clock: ClockMode
    seed: int = 0
    contacts: list[int] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    handlers: dict[str, Handler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._at: datetime | None = None  # the emulated instant of the step being played
        defaults: dict[str, Handler] = {
            "create": self._create,
            "update": self._update,
            "touch": self._touch,
            "delete": self._delete,
            "burst": self._burst,
            "fault": self._fault,
            "socket_fault": self._socket_fault,
        }
        self.handlers = {**defaults, **self.handlers}

    def register(self, action: str, handler: Handler) -> None:
        """Make `action` steps run `handler` (replacing any handler it had)."""
        self.handlers[action] = handler

    async def play(self, steps: list[Step], start: datetime) -> list[str]:
        """Run every step at `start + step.at` (emulated time), in order; returns what each did."""
        unknown = sorted({s.action for s in steps} - set(self.handlers))
        if unknown:
            raise ValueError(f"no handler for workload action(s) {', '.join(unknown)}; register one first")
        for step in steps:
            await self.clock.wait_until(self.control, start + step.at)
            self._at = start + step.at
            line = await self.handlers[step.action](step)
            self.done.append(f"{iso_z(await self.control.now())} {line}")
        return self.done

    def _name(self) -> str:
        return self._random.choice(FIRST_NAMES)

    async def _create(self, step: Step) -> str:
        created = await self.control.create_contact(self.tenant, {"firstName": self._name(), "lastName": "Live"})
        self.contacts.append(int(created["id"]))
        return f"created contact {created['id']}"

    async def _update(self, step: Step) -> str:
        if not self.contacts:
            return await self._create(step)
        contact = self._random.choice(self.contacts)
        await self.control.patch_contact(
            self.tenant, contact, [{"op": "replace", "path": "firstName", "value": self._name()}]
        )
        return f"updated contact {contact}"

    async def _touch(self, step: Step) -> str:
        if not self.contacts:
            return await self._create(step)
        chosen = sorted(self._random.sample(self.contacts, min(len(self.contacts), 3)))
        await self.control.touch(self.tenant, chosen)
        return f"touched contacts {', '.join(map(str, chosen))}"

    async def _delete(self, step: Step) -> str:
        if len(self.contacts) < 2:
            return await self._create(step)
        contact = self.contacts.pop(self._random.randrange(len(self.contacts)))
        await self.control.delete_contact(self.tenant, contact)
        return f"deleted contact {contact}"

    async def _burst(self, step: Step) -> str:
        ids = await self.control.bulk_create(self.tenant, step.count, seed=self._random.randrange(1, 2**31))
        self.contacts += ids
        return f"burst: created {len(ids)} contacts ({ids[0]}..{ids[-1]})"

    async def _fault(self, step: Step) -> str:
        if step.fault is None:
            raise ValueError("a fault step names its fault")
        added = await self.control.add_fault(dict(step.fault))
        return f"fault {added.get('id')}: {step.fault.get('kind')} on the next {step.fault.get('path')} request"

    async def _socket_fault(self, step: Step) -> str:
        if step.fault is None:
            raise ValueError("a socket-fault step names its fault")
        fault = dict(step.fault)
        if self._at is not None:
            fault["from"] = iso_z(self._at)  # from the step's instant, however late the driver got to it
        added = await self.control.add_socket_fault(fault)
        return f"socket fault {added.get('id')}: {fault.get('kind')} on the next {fault.get('path')} request"
