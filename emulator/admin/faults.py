"""`/__admin/faults`: add, list, read and remove injected faults.

`POST /faults` takes `{"kind": ..., <the kind's options>, <scope>}`; the scope of a request fault is `path` (glob)
or `pathRegex`, `method`, `times`, `after`, `probability`, `seed`, and `from`/`until` (emulated instants). Stamp
policies (`precision`, `skew`) take no scope. Unknown keys are refused, so a misspelt option never silently widens
a fault.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.core.clock import Clock, ManualClock
from cwmock.core.validation import MAX_DURATION_SECONDS, MAX_ID, MAX_PATTERN_LENGTH, InputError, check_text
from cwmock.emulator.admin.options import (
    duration_option,
    handles_errors,
    instant_option,
    int_option,
    number_option,
    options_body,
)
from cwmock.emulator.faults.kinds import (
    FAULT_KINDS,
    Action,
    Fault,
    HttpFaults,
    LatencyFault,
    MalformedJsonFault,
    MutateBetweenPages,
    PrecisionPolicy,
    RateLimitFault,
    SkewPolicy,
    StatusFault,
)
from cwmock.emulator.faults.page_mutation import PageMutation
from cwmock.emulator.faults.scope import FaultScope, PathPattern
from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.http.responses import json_response
from cwmock.emulator.model.contacts import apply_patch
from cwmock.emulator.model.errors import InvalidObject, invalid_field
from cwmock.emulator.model.store import Store

SCOPE_KEYS = {"path", "pathRegex", "method", "times", "after", "probability", "seed", "from", "until"}
ACTION_KEYS: dict[str, set[str]] = {
    "status": {"status", "origin"},
    "rate_limit": {"retryAfter"},
    "latency": {"seconds", "mode"},
    "malformed_json": set(),
    "mutate_between_pages": {"mutation"},
    "precision": {"precision"},
    "skew": {"seconds"},
}
MUTATION_KEYS = {"op", "tenant", "id", "contact", "operations", "stamp"}
MAX_REAL_LATENCY_SECONDS = 300.0
Endpoint = Callable[[Request], Awaitable[Response]]


def _string_option(options: dict[str, Any], key: str) -> str | None:
    value = options.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid_field(key, f"{key} must be a string, got {value!r}")
    return None if value is None else check_text(key, value, max_length=MAX_PATTERN_LENGTH)


def refuse_unknown(options: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise invalid_field(unknown[0], f"{what} takes no {', '.join(unknown)}; it takes {', '.join(sorted(allowed))}")


def parse_scope(options: dict[str, Any], *, default_times: int | None = None) -> FaultScope:
    """A request fault's scope from its admin options (every matching request, forever, by default)."""
    path, regex = _string_option(options, "path"), _string_option(options, "pathRegex")
    if path is not None and regex is not None:
        raise invalid_field("pathRegex", "send path (a glob) or pathRegex, not both")
    pattern = PathPattern.of(path or "*", regex)  # InputError names path or pathRegex
    probability = number_option(options, "probability")
    if probability is not None and probability > 1:
        raise invalid_field("probability", f"probability must be between 0 and 1, got {probability}")
    times = int_option(options, "times")
    if times is None and probability is None:
        times = default_times
    return FaultScope(
        pattern=pattern,
        method=_string_option(options, "method"),
        times=times,
        after=int_option(options, "after", default=0) or 0,
        probability=probability,
        seed=int_option(options, "seed", minimum=-(2**63), default=0) or 0,
        starts=instant_option(options, "from", clock=True),
        ends=instant_option(options, "until", clock=True),
    )


def parse_mutation(value: object, store: Store) -> PageMutation:
    """A mutate_between_pages fault's `mutation`: `{"op", "tenant", "id"?, "contact"?, "operations"?, "stamp"?}`."""
    if not isinstance(value, dict):
        raise invalid_field("mutation", 'send "mutation": {"op": "create", "tenant": "cwmock", "contact": {...}}')
    refuse_unknown(value, MUTATION_KEYS, "a mutation")
    tenant = _string_option(value, "tenant")
    if tenant is None:
        raise invalid_field("tenant", "the mutation needs the tenant (a login company id, e.g. cwmock)")
    try:
        mutation = PageMutation(
            op=value.get("op"),  # type: ignore[arg-type]  # checked by PageMutation
            tenant=store.tenant(tenant).credentials.company,
            contact_id=int_option(value, "id", minimum=1, maximum=MAX_ID),
            contact=value.get("contact"),
            operations=value.get("operations"),
            stamp=instant_option(value, "stamp", clock=True),
        )
    except ValueError as exc:
        raise invalid_field("mutation", str(exc)) from None
    # Checked now, so a mutation that could never apply is refused here rather than failing between two pages.
    # (Whether its contact id exists is known only when it applies; a failure then is listed on the fault.)
    if mutation.contact is not None:
        store.check_contact_body(mutation.tenant, mutation.contact)
    if mutation.operations is not None:
        apply_patch({}, mutation.operations)
    return mutation


def parse_action(kind: str, options: dict[str, Any], store: Store, clock: Clock) -> Action:
    """What a fault of `kind` does, from its admin options."""
    if kind == "status":
        origin = options.get("origin", "provider")
        return StatusFault(int_option(options, "status", default=500) or 500, origin)
    if kind == "rate_limit":
        return RateLimitFault(int_option(options, "retryAfter", maximum=MAX_DURATION_SECONDS, default=30) or 0)
    if kind == "latency":
        mode = options.get("mode", "emulated")
        # Real latency holds a request open on the event loop: at most a long-poll's 300 s (our choice).
        seconds = duration_option(options, "seconds", maximum=MAX_REAL_LATENCY_SECONDS if mode == "real" else math.inf)
        if seconds is None:
            raise invalid_field("seconds", "latency needs seconds (how long the response is delayed)")
        if mode == "emulated" and not isinstance(clock, ManualClock):
            raise invalid_field(
                "mode", 'emulated latency moves a ManualClock; this emulator runs on wall time, so use "real"'
            )
        return LatencyFault(seconds, mode)
    if kind == "malformed_json":
        return MalformedJsonFault()
    if kind == "mutate_between_pages":
        return MutateBetweenPages(parse_mutation(options.get("mutation"), store))
    if kind == "precision":
        return PrecisionPolicy(options.get("precision"))  # type: ignore[arg-type]  # checked by PrecisionPolicy
    seconds = duration_option(options, "seconds", signed=True)
    if seconds is None:
        raise invalid_field("seconds", "skew needs seconds (server clock minus the admin clock; negative is behind)")
    return SkewPolicy(seconds)


def add_fault(faults: HttpFaults, options: dict[str, Any], store: Store, clock: Clock) -> Fault:
    """Switch on the fault `{"kind", ...options, ...scope}` describes (the admin API's body, also the dashboard's)."""
    kind = options.get("kind")
    if kind not in FAULT_KINDS:
        raise invalid_field("kind", f"kind must be one of {', '.join(FAULT_KINDS)}, got {kind!r}")
    is_policy = kind in ("precision", "skew")
    allowed = {"kind"} | ACTION_KEYS[kind] | (set() if is_policy else SCOPE_KEYS)
    refuse_unknown(options, allowed, f"a {kind} fault")
    try:
        action = parse_action(kind, options, store, clock)
        scope = None if is_policy else parse_scope(options, default_times=1 if kind == "mutate_between_pages" else None)
        return faults.add(action, scope)
    except InputError:
        raise  # already names its key and bound
    except ValueError as exc:
        raise InvalidObject(f"the {kind} fault is not valid: {exc}") from None


class ListedFaults(Protocol):
    """A list of faults the admin API shows and edits (HTTP faults, socket faults)."""

    def all(self) -> Sequence[Jsonable]:
        """Every fault, oldest first."""
        ...

    def get(self, fault_id: int) -> Jsonable:
        """One fault by id, or NotFound."""
        ...

    def remove(self, fault_id: int) -> None:
        """Remove one fault, or NotFound."""
        ...

    def clear(self) -> None:
        """Remove every fault."""
        ...


class Jsonable(Protocol):
    """A fault as a listing shows it."""

    def to_json(self) -> Mapping[str, object]:
        """The listed form."""
        ...


def fault_list_routes(prefix: str, faults: ListedFaults, add: Endpoint, cleared: str) -> list[BaseRoute]:
    """`POST prefix` (`add`), `GET`/`DELETE prefix`, `GET`/`DELETE prefix/{id}` over `faults`."""

    async def list_faults(request: Request) -> Response:
        return json_response([fault.to_json() for fault in faults.all()])

    async def get(request: Request) -> Response:
        return json_response(faults.get(request.path_params["id"]).to_json())

    async def remove(request: Request) -> Response:
        faults.remove(request.path_params["id"])
        return Response(status_code=204)

    async def clear(request: Request) -> Response:
        faults.clear()
        return Response(status_code=204)

    list_faults.__doc__ = f"GET {prefix} → every fault with its counters, oldest first."
    get.__doc__ = f"GET {prefix}/{{id}}."
    remove.__doc__ = f"DELETE {prefix}/{{id}} → 204."
    clear.__doc__ = f"DELETE {prefix} → 204: {cleared}."
    return [
        Route(prefix, handles_errors(add), methods=["POST"]),
        Route(prefix, handles_errors(list_faults), methods=["GET"]),
        Route(prefix, handles_errors(clear), methods=["DELETE"]),
        IdRoute(f"{prefix}/{{id:int}}", handles_errors(get), methods=["GET"]),
        IdRoute(f"{prefix}/{{id:int}}", handles_errors(remove), methods=["DELETE"]),
    ]


class AdminFaults:
    """Fault injection over HTTP, bound to one registry (and the store and clock faults act on)."""

    def __init__(self, faults: HttpFaults, store: Store, clock: Clock) -> None:
        self.faults = faults
        self.store = store
        self.clock = clock

    async def add(self, request: Request) -> Response:
        """POST /faults {"kind", ...options, ...scope} → 201 with the listed fault (its `id` included)."""
        fault = add_fault(self.faults, await options_body(request), self.store, self.clock)
        return json_response(fault.to_json(), status=201)

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__admin`."""
        return fault_list_routes("/faults", self.faults, self.add, "no faults, no skew, whole-second stamps")
