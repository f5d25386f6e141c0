"""The stateful property test's machine: random runs of writes, clock steps, windows, receiver failures, hub faults
and crashes over the whole stack (served emulator, served receiver, any poller target), judged by the oracle.

Safety (no window CRASHED unless the machine injected it; nothing DUPLICATED, FABRICATED, EARLY or MALFORMED; no
event for a version never written) is an invariant checked after every step on what has happened so far; Required
(every required version delivered, and a settle that caught up) is checked in `teardown()`, after the harness's
settle. The machine owns one event loop per run: Hypothesis drives it from sync
code, and every async call of a run goes through that loop.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import currently_in_test_context, event, note
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings, WindowRecord
from cwmock.contract_tests.harness.targets import PollerTarget
from cwmock.contract_tests.stateful.model import (
    SIGNATURE_KEY,
    STATEFUL_HTTP_TIMEOUT,
    ContactModel,
    CrashSwitch,
    InstanceVariant,
    ReceiverFailure,
    clock_steps,
    hub_faults,
    instance_variants,
    receiver_failures,
    unwritten_events,
)
from cwmock.contract_tests.stateful.safety import safety_failures, safety_report, verdict_so_far
from cwmock.core.timestamps import iso_z, parse_iso
from cwmock.emulator.live import LiveEmulator
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import ReceiverServer

T = TypeVar("T")
CRASH_POINTS = ("after_fetch", "after_commit", "after_send", "after_ack")
# Failures queue up until requests or notifications use them; more than this would leave few clean runs.
MAX_PENDING = 2
NAMES = ("Ada", "Grace", "Edsger", "Barbara", "Ken")


@dataclass
class StatefulStack:
    """The system under test, built once per test function: the served emulator and receiver, and the target."""

    live: LiveEmulator
    receiver_server: ReceiverServer
    target: PollerTarget
    instance_body: Mapping[str, Any]
    work_root: Path
    examples: int = 0
    judge_policy: bool = True
    """Whether findings that rest only on cwmock policy fail the target (docs/contract-suite/oracle.md#rules)."""

    @property
    def receiver(self) -> Receiver:
        """The served receiver's model."""
        return self.receiver_server.receiver

    def fresh_example(self) -> tuple[PollerTarget, CrashSwitch | None, Path]:
        """Reset emulator and receiver; the target for one example (with a crash switch when in-process), a work dir."""
        self.live.reset()
        self.receiver.reset()
        self.receiver.set_signature_keys([])
        self.examples += 1
        work_dir = self.work_root / f"example-{self.examples}"
        if isinstance(self.target, ReferencePoller):
            switch = CrashSwitch()
            return replace(self.target, crash=switch, reports=[]), switch, work_dir
        return self.target, None, work_dir


class PollerContractMachine(RuleBasedStateMachine):
    """Random runs against one poller target; the model is what the machine wrote (`ContactModel`)."""

    contacts = Bundle("contacts")

    def __init__(self, stack: StatefulStack) -> None:
        super().__init__()
        self.stack = stack
        self.target, self.crash, self.work_dir = stack.fresh_example()
        self.loop = asyncio.new_event_loop()
        self.control = EmulatorControl(stack.live.url)
        self.model = ContactModel()
        self.harness: Harness | None = None
        self.broken = False  # a step raised: teardown then only cleans up, so the first error is the one reported
        self.checked_seq = 0
        self.judged_seq = 0
        self.judged_windows = 0
        self.writes_since_window = 0

    # -- plumbing --------------------------------------------------------------------------------------------

    def _run(self, awaitable: Coroutine[Any, Any, T]) -> T:
        try:
            return self.loop.run_until_complete(awaitable)
        except BaseException:
            self.broken = True
            raise

    @property
    def started(self) -> Harness:
        """The harness (started by the `start` initialize rule, which always runs first)."""
        assert self.harness is not None, "the start rule registers the instance before any other rule"
        return self.harness

    def _now(self) -> datetime:
        return self._run(self.control.now())

    # -- the instance ----------------------------------------------------------------------------------------

    @initialize(
        target=contacts,
        variant=instance_variants(),
        offset=st.sampled_from([1.0, 0.0, 0.5, 61.0]),
        seeded=st.integers(0, 12),
    )
    def start(self, variant: InstanceVariant, offset: float, seeded: int) -> Any:
        """Register the instance (the seed's body, varied) with the receiver as its callback, let `offset` seconds
        pass (writes at s₀ itself are never due) and create `seeded` contacts, so every run has some to change
        even when Hypothesis switches the create rules off for it."""
        _note(f"instance: {variant}, then {offset:g} s")
        settings = HarnessSettings(
            self.stack.live.url,
            f"{self.stack.receiver_server.url}/hooks",
            self.work_dir,
            http_timeout=STATEFUL_HTTP_TIMEOUT,
            judge_policy=self.stack.judge_policy,
        )
        body = variant.apply(self.stack.instance_body)
        self.harness = Harness(self.control, self.stack.receiver, self.target, body, settings)
        self._run(self.harness.start())
        if variant.signed:
            self.stack.receiver.set_signature_keys([SIGNATURE_KEY])
        if variant.visibility_delay:
            self._run(self.control.set_visibility_delay(self.harness.tenant, variant.visibility_delay))
        self._run(self.harness.advance(offset))
        return self.bulk_create(seeded) if seeded else multiple()

    # -- writes ----------------------------------------------------------------------------------------------

    @rule(target=contacts, name=st.sampled_from(NAMES))
    def create(self, name: str) -> int:
        """Create one contact, stamped by the emulator's clock."""
        created = self._run(self.control.create_contact(self.started.tenant, {"firstName": name}))
        stamp = parse_iso(created["_info"]["lastUpdated"])
        self.writes_since_window += 1
        self.model.write(created["id"], stamp)
        _note(f"create contact {created['id']} @ {iso_z(stamp)}")
        return int(created["id"])

    @rule(target=contacts, count=st.integers(2, 23))
    def bulk_create(self, count: int) -> Any:
        """Create several contacts at one instant (more than ten make several notifications)."""
        now = self._now()
        ids = self._run(self.control.bulk_create(self.started.tenant, count))
        self.writes_since_window += len(ids)
        for contact_id in ids:
            self.model.write(contact_id, now)
        _note(f"bulk-create {count} contacts {ids[0]}..{ids[-1]} @ {iso_z(now)}")
        return multiple(*ids)

    @rule(contact=contacts, name=st.sampled_from(NAMES))
    def update(self, contact: int, name: str) -> None:
        """Replace one contact: a new version, unless in the same second as its last write."""
        replaced = self._run(self.control.replace_contact(self.started.tenant, contact, {"firstName": name}))
        stamp = parse_iso(replaced["_info"]["lastUpdated"])
        self.writes_since_window += 1
        self.model.write(contact, stamp)
        _note(f"update contact {contact} @ {iso_z(stamp)}")

    @rule(ids=st.lists(contacts, min_size=1, max_size=12, unique=True))
    def bulk_touch(self, ids: list[int]) -> None:
        """Rewrite several contacts at one instant."""
        now = self._now()
        self._run(self.control.touch(self.started.tenant, ids))
        self.writes_since_window += len(ids)
        for contact_id in ids:
            self.model.write(contact_id, now)
        _note(f"touch contacts {ids} @ {iso_z(now)}")

    @rule(contact=consumes(contacts))
    def delete(self, contact: int) -> None:
        """Delete one contact (its id leaves the bundle: nothing later writes it)."""
        self._run(self.control.delete_contact(self.started.tenant, contact))
        self.model.delete(contact)
        _note(f"delete contact {contact}")

    # -- time and windows ------------------------------------------------------------------------------------

    @rule(seconds=clock_steps())
    def advance(self, seconds: float) -> None:
        """Move the emulated clock: not at all, within a second, or up to a few minutes."""
        now = self._run(self.started.advance(seconds))
        _note(f"advance {seconds:g} s to {iso_z(now)}")

    @rule()
    def run_window(self) -> None:
        """Run the target once at the clock's instant."""
        self._noted(self._run(self.started.run_window()))

    @rule(intervals=st.integers(1, 2))
    def run_scheduled_windows(self, intervals: int) -> None:
        """Windows on schedule: advance one refresh interval and run, `intervals` times."""
        for record in self._run(self.started.run_windows(intervals)):
            self._noted(record)

    def _noted(self, record: WindowRecord, crash_point: str | None = None) -> None:
        self.writes_since_window = 0
        outcome = record.outcome
        what = "crashed" if outcome.crashed else f"next_due {iso_z(outcome.next_due) if outcome.next_due else None}"
        if crash_point is not None:
            what = f"armed to crash {crash_point}: " + (what if outcome.crashed else f"never reached it, {what}")
        _note(f"window {record.index} at {iso_z(record.start)}: {what}")
        _event("window crashed" if outcome.crashed else "window ran")

    # -- failures --------------------------------------------------------------------------------------------

    def _few_scripts_pending(self) -> bool:
        return len(self.stack.receiver.scripts()) < MAX_PENDING

    def _few_faults_pending(self, limit: int = MAX_PENDING) -> bool:
        return sum(not f.get("exhausted", False) for f in self._run(self.control.faults())) < limit

    @precondition(_few_scripts_pending)
    @rule(failure=receiver_failures())
    def script_receiver_failure(self, failure: ReceiverFailure) -> None:
        """The receiver answers the next notifications badly (after any failures already scripted)."""
        self.stack.receiver.script(
            failure.status, times=failure.times, retry_after=failure.retry_after, delay=failure.delay
        )
        _note(f"receiver: {failure.describe()}")
        _event(f"receiver failure: {failure.describe().split(' ×')[0]}")

    @precondition(_few_faults_pending)
    @rule(fault=hub_faults())
    def inject_hub_fault(self, fault: dict[str, Any]) -> None:
        """The next hub request(s) fail: a 5xx, a rate limit, a cut-short body, or emulated latency."""
        added = self._run(self.control.add_fault(fault))
        _note(f"hub fault #{added.get('id')}: {fault}")
        _event(f"hub fault: {fault['kind']}")

    def _crash_can_be_survived(self) -> bool:
        return self.crash is not None and self.writes_since_window > 0 and self._few_faults_pending(limit=1)

    @precondition(_crash_can_be_survived)
    @rule(point=st.sampled_from(CRASH_POINTS))
    def crashed_window(self, point: str) -> None:
        """After some writes, a window that dies at `point`, restarted at once (in-process targets only: an
        external command cannot be reached inside its window).

        The restart comes before anything else happens, with no hub fault pending: the oracle counts the crashed
        window as any other, so a version visible only during it and superseded later would be required, though
        no poller that commits after fetching could deliver it.
        """
        assert self.crash is not None
        self.crash.arm(point)
        record = self._run(self.started.run_window())
        unreached = self.crash.disarm()
        self._noted(record, point)
        _event(f"crash at {point}: {'not reached' if unreached else 'crashed'}")
        self._noted(self._run(self.started.run_window()))

    # -- checks ----------------------------------------------------------------------------------------------

    @invariant()
    def every_event_names_a_version_that_was_written(self) -> None:
        """The plain model's check: each event is for a contact version the machine wrote."""
        arrivals = self.stack.receiver.arrivals(since_seq=self.checked_seq)
        if not arrivals:
            return
        self.checked_seq = arrivals[-1].seq
        problems = unwritten_events(arrivals, self.model)
        if problems:
            self.broken = True
            raise AssertionError("events for versions never written:\n" + "\n".join(problems))

    @invariant()
    def nothing_forbidden_has_arrived(self) -> None:
        """The oracle's safety clauses on what has arrived and what the windows did so far (run only when something
        new arrived or a new window did not finish)."""
        if self.harness is None:
            return
        arrivals = self.stack.receiver.arrivals(since_seq=self.judged_seq)
        crashed = [w for w in self.harness.windows[self.judged_windows :] if w.outcome.crashed]
        self.judged_windows = len(self.harness.windows)
        if not arrivals and not crashed:
            return
        self.judged_seq = arrivals[-1].seq if arrivals else self.judged_seq
        failures = safety_failures(self._run(verdict_so_far(self.harness)))
        if failures:
            self.broken = True
            raise AssertionError("the oracle's safety clauses failed before the settle:\n" + safety_report(failures))

    def teardown(self) -> None:
        """Settle and judge (the Required clause), unless a step already failed; then clean up."""
        try:
            if self.harness is not None and not self.broken:
                self._judge_after_settle(self.harness)
        finally:
            self._close()

    def _judge_after_settle(self, harness: Harness) -> None:
        if self.crash is not None:
            self.crash.disarm()
        settled = self._run(harness.settle())
        verdict = self._run(harness.judge())
        _note(verdict.report())
        _event(f"required versions: {_bucket(verdict.required)}")
        _event(f"deliveries: {_bucket(verdict.deliveries)}")
        _event(f"contacts written: {_bucket(len(self.model.stamps))}")
        _event(f"windows before the settle: {_bucket(len(harness.windows) - len(settled))}")
        self.stack.receiver.check()
        problems = unwritten_events(self.stack.receiver.arrivals(), self.model)
        assert not problems, "events for versions never written:\n" + "\n".join(problems)
        assert verdict.passed, verdict.report()

    def _close(self) -> None:
        try:
            self.loop.run_until_complete(self.control.aclose())
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
        finally:
            self.loop.close()
            shutil.rmtree(self.work_dir, ignore_errors=True)


def machine_for(stack: StatefulStack) -> type[PollerContractMachine]:
    """The machine bound to `stack`, as the class `run_state_machine_as_test` calls with no arguments."""

    class BoundMachine(PollerContractMachine):
        def __init__(self) -> None:
            super().__init__(stack)

    # Failing runs print `state = PollerContractMachine()`, the class users know.
    BoundMachine.__name__ = BoundMachine.__qualname__ = PollerContractMachine.__name__
    return BoundMachine


def _bucket(count: int) -> str:
    return "0" if count == 0 else "1-9" if count < 10 else "10-49" if count < 50 else "50+"


def _note(text: str) -> None:
    """`note()` inside a Hypothesis run; nothing when a test drives the machine by hand."""
    if currently_in_test_context():
        note(text)


def _event(text: str) -> None:
    """`event()` (counted in `--hypothesis-show-statistics`) inside a Hypothesis run only."""
    if currently_in_test_context():
        event(text)
