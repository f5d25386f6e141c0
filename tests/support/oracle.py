"""Hand-made oracle inputs for the oracle's tests: a tiny world of writes, windows and notifications.

Everything is built directly as the oracle's input records; no emulator, poller or receiver runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Concatenate, ParamSpec

from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import (
    Crash,
    History,
    HistoryVersion,
    JournalLog,
    JournalRecord,
    ServedLog,
    ServedVersion,
    SettleFacts,
    VersionKey,
    Window,
    format_second,
    version_key,
)
from cwmock.contract_tests.oracle.judge import judge
from cwmock.contract_tests.oracle.verdict import Verdict
from cwmock.contract_tests.timeline.case import Case
from cwmock.emulator.model.versions import Moment
from cwmock.receiver.records import Arrival
from cwmock.receiver.signatures import SignatureStatus, SignatureVerdict, sign

UTC = timezone.utc
T0 = datetime(2026, 1, 1, tzinfo=UTC)
INSTANCE_ID = 4242
TENANT = "cwmock"


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    """T0 plus an offset."""
    return T0 + timedelta(minutes=minutes, seconds=seconds)


@dataclass
class _Write:
    id: int
    stamp: datetime
    written: Moment
    became_visible: Moment
    superseded: Moment | None = None
    deleted: Moment | None = None
    writes: int = 1


P = ParamSpec("P")


def _then_judged(build: Callable[Concatenate[Scenario, P], Case]) -> Callable[Concatenate[Scenario, P], Verdict]:
    """A `Scenario` method taking `build`'s arguments that judges the case `build` makes of them."""

    def judged(scenario: Scenario, /, *args: P.args, **kwargs: P.kwargs) -> Verdict:
        return build(scenario, *args, **kwargs).judge()

    judged.__doc__ = "Judge the case (arguments as for `case`; `policy` false: cwmock policy findings do not fail)."
    return judged


@dataclass
class Scenario:
    """A world under construction: writes, windows serving what is visible, and arrivals at the receiver."""

    facts: InstanceFacts = field(default_factory=lambda: InstanceFacts(INSTANCE_ID, T0, tenant=TENANT))
    seq: int = 0
    writes: list[_Write] = field(default_factory=list)
    journal: list[JournalRecord] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    served: dict[VersionKey, ServedVersion] = field(default_factory=dict)
    arrivals: list[Arrival] = field(default_factory=list)
    now: datetime = T0
    _open: tuple[int, datetime, int] | None = None
    _hooks: int = 0

    def configure(self, **changes: Any) -> Scenario:
        """Change instance settings (poll_delay, filter_by_current_date, signature_key, ...)."""
        self.facts = replace(self.facts, **changes)
        return self

    def next_seq(self) -> int:
        """The next global sequence number."""
        self.seq += 1
        return self.seq

    def current(self, contact_id: int) -> _Write | None:
        """The visible version of a contact."""
        found = [w for w in self.writes if w.id == contact_id and w.superseded is None and w.deleted is None]
        return found[-1] if found else None

    def write(self, contact_id: int, stamp: datetime, when: datetime | None = None) -> VersionKey:
        """A write visible at once; the same stamp as the current version extends it."""
        when = when or self.now
        previous = self.current(contact_id)
        written = Moment(when, self.next_seq())
        if previous is not None and previous.stamp == stamp:
            previous.writes += 1
            return version_key(contact_id, stamp)
        visible = Moment(when, self.next_seq())
        if previous is not None:
            previous.superseded = visible
        self.writes.append(_Write(contact_id, stamp, written, visible))
        return version_key(contact_id, stamp)

    def delete(self, contact_id: int) -> None:
        """Delete a contact: its version stops being visible."""
        previous = self.current(contact_id)
        assert previous is not None, f"contact {contact_id} has no visible version to delete"
        previous.deleted = Moment(self.now, self.next_seq())

    def visible(self) -> list[_Write]:
        """Every currently visible version."""
        return [w for w in self.writes if w.superseded is None and w.deleted is None]

    def begin(self, start: datetime, index: int | None = None) -> None:
        """Start a window at `start` (server time)."""
        assert self._open is None, "end the open window first"
        self.now = start
        self._open = (index or len(self.windows) + 1, start, self.seq)

    def request(
        self, *, fault: str | None = None, status: int = 200, result_end: bool = True, latency: float = 0.0
    ) -> list[VersionKey]:
        """One hub request of this instance: serves every visible version unless faulted; its response starts
        `latency` seconds of emulated time later (the clock moves on)."""
        seq = self.next_seq()
        moment = Moment(self.now, seq)
        failed = fault is not None or status >= 500 or status == 429
        keys = [] if failed else [version_key(w.id, w.stamp) for w in self.visible()]
        for key in keys:
            known = self.served.get(key)
            first, times = (moment, 1) if known is None else (known.first, known.times + 1)
            self.served[key] = ServedVersion(key.id, format_second(key.stamp), first, moment, times)
        self.journal.append(
            JournalRecord(
                moment,
                "GET",
                "/elements/api-v2/hubs/crm/contacts",
                status=status,
                tenant=TENANT,
                instance=self.facts.id,
                fault=fault,
                result_end=None if failed else result_end,
                returned=len(keys),
                answered=self.now + timedelta(seconds=latency),
            )
        )
        self.now += timedelta(seconds=latency)
        return keys

    def end(self, *, crashed: bool = False, crash: Crash | None = None) -> Window:
        """End the open window (`crashed`: the target exited non-zero in it, a crash the suite injected; `crash`:
        any other)."""
        assert self._open is not None, "begin a window first"
        index, start, begin_seq = self._open
        self._open = None
        if crashed and crash is None:
            crash = Crash("killed by signal SIGKILL at after_fetch", injected=True)
        window = Window(index, start, begin_seq, self.seq, crash)
        self.windows.append(window)
        return window

    def window(
        self,
        start: datetime,
        *,
        fault: str | None = None,
        complete: bool = True,
        requests: int = 1,
        crashed: bool = False,
        crash: Crash | None = None,
    ) -> Window:
        """A window of `requests` hub requests; the last ends the result when `complete`; one faulted if `fault`."""
        self.begin(start)
        for number in range(requests):
            self.request(result_end=complete and number == requests - 1)
        if fault is not None:
            self.request(fault=fault, status=503)
        return self.end(crashed=crashed, crash=crash)

    def notify(
        self,
        keys: list[VersionKey],
        window: Window,
        *,
        webhook_id: str | None = "",
        status: int = 200,
        event_type: str = "CREATED",
        change: Callable[[dict[str, Any]], None] | None = None,
        signature: str | None = None,
    ) -> Arrival:
        """A correct notification for `keys` found by `window`, as it arrives; `change` edits the document."""
        self._hooks += 1
        document = notification(self.facts, keys, window.s, str(1000 + self._hooks), event_type)
        if change is not None:
            change(document)
        body = json.dumps(document).encode()
        hook = f"hook-{self._hooks}" if webhook_id == "" else webhook_id
        headers: list[tuple[str, str]] = [("content-type", "application/json")]
        if hook is not None:
            headers.append(("elements-webhook-id", hook))
        if self.facts.signature_key is not None:
            headers.append(("elements-webhook-signature", signature or sign(self.facts.signature_key, body)))
        return self.arrive(body, tuple(headers), status)

    def arrive(self, body: bytes, headers: tuple[tuple[str, str], ...], status: int = 200) -> Arrival:
        """Record an arrival of exactly these bytes and headers."""
        verdict = SignatureVerdict(SignatureStatus.UNSIGNED_EXPECTED, "not judged here")
        arrival = Arrival(len(self.arrivals) + 1, self.now, "POST", "/", "", headers, body, status, verdict)
        self.arrivals.append(arrival)
        return arrival

    def resend(self, arrival: Arrival, status: int = 200) -> Arrival:
        """The same bytes and headers again (a retry)."""
        return self.arrive(arrival.body, arrival.headers, status)

    def history(self) -> History:
        """The history as the emulator would report it."""
        versions = tuple(
            HistoryVersion(
                TENANT, w.id, w.stamp, w.written, w.written.at, w.became_visible, w.superseded, w.deleted, w.writes
            )
            for w in self.writes
        )
        return History(self.seq, versions)

    def case(
        self,
        *,
        settle: int | None = None,
        settled_from: int | None = None,
        dropped: int = 0,
        keep_from: int = 0,
        arrivals: list[Arrival] | None = None,
        policy: bool = True,
    ) -> Case:
        """The oracle's inputs; `settle` = last arrival seq before the settle (default: every arrival);
        `settled_from` = the settle's first window (default: the last window); `keep_from` drops journal entries."""
        first = settled_from if settled_from is not None else (self.windows[-1].index if self.windows else 1)
        entries = tuple(e for e in self.journal if e.moment.seq >= keep_from)
        return Case(
            instance=self.facts,
            history=self.history(),
            served=ServedLog(self.facts.id, tuple(sorted(self.served.values(), key=lambda v: v.first.seq))),
            journal=JournalLog(entries, dropped=dropped, capacity=100),
            windows=self.windows,
            arrivals=self.arrivals if arrivals is None else arrivals,
            settle=SettleFacts(len(self.arrivals) if settle is None else settle, first),
            policy=policy,
        )

    judge = _then_judged(case)


def judged_by_default(case: Case) -> Verdict:
    """`judge()` called with the inputs alone, as a judge written against the API calls it: its defaults decide."""
    return judge(
        instance=case.instance,
        history=case.history,
        served=case.served,
        journal=case.journal,
        windows=case.windows,
        arrivals=case.arrivals,
        settle=case.settle,
    )


def record(key: VersionKey) -> dict[str, Any]:
    """The contact record of a version, as served."""
    return {"id": key.id, "firstName": f"Contact{key.id}", "_info": {"lastUpdated": format_second(key.stamp)}}


def notification(
    facts: InstanceFacts, keys: list[VersionKey], poll: datetime, notification_id: str, event_type: str = "CREATED"
) -> dict[str, Any]:
    """A notification body as the platform sends it (Open Connectors, "Events Overview")."""
    return {
        "severity": "medium",
        "createdDate": poll.strftime("%a %b %d %H:%M:%S UTC %Y"),
        "topic": f"instance-{facts.id}-connectwisecrmrest-events",
        "action": "create",
        "id": notification_id,
        "message": {
            "elementKey": "connectwisecrmrest",
            "eventId": f"event-{notification_id}",
            "instanceId": facts.id,
            "instance_id": facts.id,
            "instanceName": "API_Polling",
            "raw": {
                "contacts": [record(key) for key in keys],
                "pollDate": int(poll.timestamp() * 1000),
                "objectType": "contacts",
            },
            "events": [
                {
                    "date": format_second(key.stamp),
                    "elementKey": "connectwisecrmrest",
                    "pollDate": format_second(poll),
                    "eventType": event_type,
                    "hubKey": "crm",
                    "objectId": str(key.id),
                    "objectType": "contacts",
                }
                for key in keys
            ],
        },
        "user": "notifications@cloud-elements.com",
    }
