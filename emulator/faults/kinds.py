"""Injected faults of the emulated APIs: what each one does, which requests it hits, and how often it fired.

Per-request faults (`status`, `rate_limit`, `latency`, `malformed_json`, `mutate_between_pages`) have a
`FaultScope`; the ASGI `FaultInjector` asks `HttpFaults.firing` which of them fire on each request. The stamp
policies (`precision`, `skew`) shape every stamp the store writes while they are listed, and hit no request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from cwmock.core.validation import MAX_DURATION_SECONDS, check_duration, check_whole_number
from cwmock.emulator.faults.page_mutation import PageMutation
from cwmock.emulator.faults.registry import FaultRegistry
from cwmock.emulator.faults.scope import FaultScope
from cwmock.emulator.model.errors import NotFound
from cwmock.emulator.model.stamp_policy import Precision, StampPolicy

FaultKind = Literal["status", "rate_limit", "latency", "malformed_json", "mutate_between_pages", "precision", "skew"]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "status",
    "rate_limit",
    "latency",
    "malformed_json",
    "mutate_between_pages",
    "precision",
    "skew",
)
FAULT_STATUSES = (500, 502, 503, 504)
# Faults outside the emulator (the TCP fault proxy, in-process transport faults) name themselves in this header on
# the request they break, so the journal marks the response faulted. A connect error is journalled, never served.
NETWORK_FAULT_HEADER = "cwmock-network-fault"
NETWORK_FAULT_KINDS = (
    "reset_before_response",
    "cut_body_after",
    "connect_error",
    "read_timeout",
    "remote_protocol_error",
)
UNSERVED_NETWORK_FAULTS = ("connect_error",)
LatencyMode = Literal["emulated", "real"]
# Who fails on a hub path: the provider behind the platform (answered as the platform reports it, 502 with the
# provider's message) or the platform itself (the status as given). Native paths are ConnectWise either way.
FaultOrigin = Literal["provider", "platform"]
FAULT_ORIGINS: tuple[FaultOrigin, ...] = ("provider", "platform")


@dataclass(frozen=True)
class StatusFault:
    """Answer with a server error instead of running the handler: in ConnectWise's shape, or on a hub path in the
    platform's, as a failure of the provider (502) or of the platform itself (`origin`)."""

    status: int = 500
    origin: FaultOrigin = "provider"

    def __post_init__(self) -> None:
        if self.status not in FAULT_STATUSES:
            raise ValueError(f"status must be one of {', '.join(map(str, FAULT_STATUSES))}, got {self.status}")
        if self.origin not in FAULT_ORIGINS:
            raise ValueError(f"origin must be one of {', '.join(FAULT_ORIGINS)}, got {self.origin!r}")


@dataclass(frozen=True)
class RateLimitFault:
    """Answer 429 with `Retry-After: retry_after` (seconds) instead of running the handler."""

    retry_after: int = 30

    def __post_init__(self) -> None:
        check_whole_number("retryAfter", self.retry_after, minimum=0, maximum=MAX_DURATION_SECONDS)


@dataclass(frozen=True)
class LatencyFault:
    """Delay the response by `seconds`: `emulated` moves the emulator's clock, `real` waits on the event loop."""

    seconds: float
    mode: LatencyMode = "emulated"

    def __post_init__(self) -> None:
        check_duration("seconds", self.seconds)
        if self.mode not in ("emulated", "real"):
            raise ValueError(f"mode must be emulated or real, got {self.mode!r}")


@dataclass(frozen=True)
class MalformedJsonFault:
    """Run the handler, then answer 200 with its JSON body cut short (so it no longer parses)."""


@dataclass(frozen=True)
class MutateBetweenPages:
    """Apply `mutation` once the hit request has been answered, before the next request is served."""

    mutation: PageMutation


@dataclass(frozen=True)
class PrecisionPolicy:
    """Stamps written from now on are truncated to whole seconds or minutes."""

    precision: Precision

    def __post_init__(self) -> None:
        if self.precision not in ("seconds", "minutes"):
            raise ValueError(f"precision must be seconds or minutes, got {self.precision!r}")


@dataclass(frozen=True)
class SkewPolicy:
    """Server time = the emulator's clock + `seconds` (negative: behind), for stamps written and `Date`."""

    seconds: float

    def __post_init__(self) -> None:
        check_duration("seconds", self.seconds, minimum=-MAX_DURATION_SECONDS)


RequestAction = StatusFault | RateLimitFault | LatencyFault | MalformedJsonFault | MutateBetweenPages
Action = RequestAction | PrecisionPolicy | SkewPolicy
TERMINAL = (StatusFault, RateLimitFault, MalformedJsonFault)

_KIND_OF: dict[type[Any], FaultKind] = {
    StatusFault: "status",
    RateLimitFault: "rate_limit",
    LatencyFault: "latency",
    MalformedJsonFault: "malformed_json",
    MutateBetweenPages: "mutate_between_pages",
    PrecisionPolicy: "precision",
    SkewPolicy: "skew",
}


def _action_json(action: Action) -> dict[str, Any]:
    if isinstance(action, StatusFault):
        return {"status": action.status, "origin": action.origin}
    if isinstance(action, RateLimitFault):
        return {"retryAfter": action.retry_after}
    if isinstance(action, LatencyFault):
        return {"seconds": action.seconds, "mode": action.mode}
    if isinstance(action, MutateBetweenPages):
        return {"mutation": action.mutation.to_json()}
    if isinstance(action, PrecisionPolicy):
        return {"precision": action.precision}
    if isinstance(action, SkewPolicy):
        return {"seconds": action.seconds}
    return {}


@dataclass
class Fault:
    """One listed fault: its id, what it does, its scope and counters (None for a stamp policy)."""

    id: int
    action: Action
    scope: FaultScope | None
    errors: list[str] = field(default_factory=list)

    @property
    def kind(self) -> FaultKind:
        """The fault's name, as journalled when it fires."""
        return _KIND_OF[type(self.action)]

    def to_json(self) -> dict[str, Any]:
        """The `/__admin/faults` form."""
        described: dict[str, Any] = {"id": self.id, "kind": self.kind, **_action_json(self.action)}
        if self.scope is not None:
            described.update(self.scope.to_json())
            described["exhausted"] = self.scope.exhausted
        if self.errors:
            described["errors"] = list(self.errors)
        return described


class HttpFaults:
    """The HTTP faults of one emulator, kept in a `FaultRegistry`; it owns the store's stamp policy while listed."""

    def __init__(self, policy: StampPolicy) -> None:
        self.policy = policy
        self._faults: FaultRegistry[Fault] = FaultRegistry()

    def add(self, action: Action, scope: FaultScope | None = None) -> Fault:
        """List a fault; a new precision or skew policy replaces the one listed before it."""
        is_policy = isinstance(action, (PrecisionPolicy, SkewPolicy))
        if is_policy != (scope is None):
            raise ValueError("stamp policies take no scope; request faults need one")
        if is_policy:
            for old in [f for f in self._faults.all() if type(f.action) is type(action)]:
                self._faults.remove(old.id)
        fault = self._faults.add(lambda fault_id: Fault(fault_id, action, scope))
        self._apply_policies()
        return fault

    def all(self) -> list[Fault]:
        """Every listed fault, oldest first."""
        return self._faults.all()

    def get(self, fault_id: int) -> Fault:
        """One fault by id, or NotFound."""
        try:
            return self._faults.get(fault_id)
        except KeyError:
            raise NotFound(f"no fault with id {fault_id}; GET /__admin/faults lists them") from None

    def remove(self, fault_id: int) -> None:
        """Remove one fault (a policy's effect ends with it)."""
        self._faults.remove(self.get(fault_id).id)
        self._apply_policies()

    def clear(self) -> None:
        """Remove every fault: no skew, whole-second stamps."""
        self._faults.clear()
        self._apply_policies()

    def firing(self, method: str, path: str, now: datetime | None = None) -> list[Fault]:
        """The request faults that fire on this request (served at emulated `now`), oldest first; each counts it.

        At most one fault that replaces the response (status, rate_limit, malformed_json) fires; once one has,
        later ones of those kinds are not asked (so they count nothing). Latency and mutations all fire.
        """
        return self._faults.firing(method, path, now=now, exclusive=_replaces_response)

    def _apply_policies(self) -> None:
        self.policy.reset()
        for fault in self._faults.all():
            if isinstance(fault.action, PrecisionPolicy):
                self.policy.precision = fault.action.precision
            elif isinstance(fault.action, SkewPolicy):
                self.policy.skew = timedelta(seconds=fault.action.seconds)


def _replaces_response(fault: Fault) -> bool:
    return isinstance(fault.action, TERMINAL)
