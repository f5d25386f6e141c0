"""The stateful test's plain model and the things its rules draw: receiver failures, hub faults, instance variants,
and a crash switch for in-process targets. Knows nothing of HTTP or of the machine."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from cwmock.contract_tests.harness.reference_adapter import InjectedCrash
from cwmock.contract_tests.oracle.inputs import format_second, parse_instant, utc_second
from cwmock.receiver.records import Arrival

HUB_PATHS = "/elements/api-v2/hubs/*"
# Short enough to make the receiver's scripted delay time a delivery out, long enough for a loopback answer.
STATEFUL_HTTP_TIMEOUT = 0.3
TIMEOUT_DELAY = 0.6
SIGNATURE_KEY = "cwmock-stateful-signature-key"


@dataclass
class ContactModel:
    """What the machine wrote: every stamp of every contact (to the second), and which contacts still exist."""

    stamps: dict[int, set[datetime]] = field(default_factory=dict)
    live: set[int] = field(default_factory=set)

    def write(self, contact_id: int, stamp: datetime) -> None:
        """A create, update or touch of `contact_id` stamped `stamp`."""
        self.stamps.setdefault(contact_id, set()).add(utc_second(stamp))
        self.live.add(contact_id)

    def delete(self, contact_id: int) -> None:
        """A delete: the contact is gone; the versions it had were still written."""
        self.live.discard(contact_id)

    def wrote(self, contact_id: int, stamp: datetime) -> bool:
        """Whether the machine ever wrote this version."""
        return utc_second(stamp) in self.stamps.get(contact_id, set())


def unwritten_events(arrivals: Iterable[Arrival], model: ContactModel) -> list[str]:
    """Events in `arrivals` naming a version the model never wrote (unparseable bodies are the oracle's to judge)."""
    problems = []
    for arrival in arrivals:
        try:
            events = json.loads(arrival.body)["message"]["events"]
        except (ValueError, KeyError, TypeError):
            continue
        for event in events if isinstance(events, list) else []:
            object_id, date = _field(event, "objectId"), _field(event, "date")
            try:
                stamp = parse_instant(date, "date")
                contact_id = int(str(object_id))
            except ValueError:
                continue
            if not model.wrote(contact_id, stamp):
                written = ", ".join(sorted(format_second(s) for s in model.stamps.get(contact_id, set()))) or "none"
                problems.append(
                    f"arrival #{arrival.seq} (webhook id {arrival.webhook_id}) has an event for contact {object_id} "
                    f"@ {date}, a version never written (stamps written for that contact: {written})"
                )
    return problems


def _field(event: Any, name: str) -> Any:
    return event.get(name) if isinstance(event, Mapping) else None


@dataclass(frozen=True)
class ReceiverFailure:
    """How the receiver answers the next `times` notifications: a status, with `Retry-After`, or too late."""

    status: int
    times: int
    retry_after: int | None = None
    delay: float = 0.0

    def describe(self) -> str:
        """E.g. `429 Retry-After 30 ×2` or `timeout (answered after 0.6 s) ×1`."""
        if self.delay:
            what = f"timeout (answered after {self.delay:g} s)"
        else:
            what = f"{self.status}" + (f" Retry-After {self.retry_after}" if self.retry_after is not None else "")
        return f"{what} ×{self.times}"


def receiver_failures() -> st.SearchStrategy[ReceiverFailure]:
    """500/503, 429 with `Retry-After`, and a delayed 200 that the sender's short HTTP timeout gives up on."""
    times = st.integers(1, 3)
    return st.one_of(
        st.builds(ReceiverFailure, status=st.sampled_from([500, 503]), times=times),
        st.builds(ReceiverFailure, status=st.just(429), times=times, retry_after=st.sampled_from([1, 30, 120])),
        st.builds(ReceiverFailure, status=st.just(200), times=st.integers(1, 2), delay=st.just(TIMEOUT_DELAY)),
    )


def hub_faults() -> st.SearchStrategy[dict[str, Any]]:
    """Faults on the next hub request(s): a 5xx, a 429 rate limit, a cut-short JSON body, emulated latency."""
    scope = {"path": HUB_PATHS}
    times = st.integers(1, 2)
    return st.one_of(
        st.builds(
            lambda s, n: {"kind": "status", "status": s, "times": n, **scope}, st.sampled_from([500, 503]), times
        ),
        st.builds(lambda n: {"kind": "rate_limit", "retryAfter": 30, "times": n, **scope}, times),
        st.builds(lambda n: {"kind": "malformed_json", "times": n, **scope}, times),
        st.builds(
            lambda s: {"kind": "latency", "mode": "emulated", "seconds": s, "times": 1, **scope},
            st.sampled_from([0.5, 1, 30, 90]),
        ),
    )


# Steps of the emulated clock: none at all, within a second, across a second, and around a minute.
CLOCK_STEPS = (0.0, 0.001, 0.25, 0.5, 0.999, 1.0, 1.5, 2.0, 10.0, 59.0, 60.0, 61.0, 299.0)


def clock_steps() -> st.SearchStrategy[float]:
    """Seconds to advance the clock by: the listed edge cases, or any step up to five minutes."""
    return st.one_of(st.sampled_from(CLOCK_STEPS), st.floats(0, 300, allow_nan=False, allow_infinity=False))


@dataclass(frozen=True)
class InstanceVariant:
    """How an example's instance differs from the seed's: pollDelay, a signature key, a visibility delay."""

    poll_delay: int = 0
    signed: bool = False
    visibility_delay: int = 0

    def apply(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The instance body with this variant's settings (the seed's body is left alone)."""
        configuration = dict(body.get("configuration", {}))
        poller = configuration.get("event.poller.configuration", {})
        poller = json.loads(poller) if isinstance(poller, str) else dict(poller)
        contacts = dict(poller.get("contacts", {}))
        if self.poll_delay:
            contacts["pollDelay"] = self.poll_delay
        poller["contacts"] = contacts
        configuration["event.poller.configuration"] = poller
        if self.signed:
            configuration["event.notification.signature.key"] = SIGNATURE_KEY
        return {**body, "configuration": configuration}


def instance_variants() -> st.SearchStrategy[InstanceVariant]:
    """The seed's instance as is, or with a pollDelay, a signature key, and late visibility within pollDelay or not."""
    return st.builds(
        InstanceVariant,
        poll_delay=st.sampled_from([0, 30, 120]),
        signed=st.booleans(),
        visibility_delay=st.sampled_from([0, 0, 20, 60]),
    )


class CrashSwitch:
    """An in-process crash hook the machine arms for one window: raises at the armed point, once."""

    def __init__(self) -> None:
        self.armed: str | None = None

    def arm(self, point: str) -> None:
        """Crash the next time the target reaches `point` (after_fetch, after_commit, after_send, after_ack)."""
        self.armed = point

    def disarm(self) -> bool:
        """Stop crashing; True if the armed point was never reached."""
        unreached = self.armed is not None
        self.armed = None
        return unreached

    def __call__(self, reached: str) -> None:
        if reached == self.armed:
            self.armed = None
            raise InjectedCrash(f"simulated crash at {reached}")
