"""`/__admin/socket-faults`: the TCP fault proxy's faults (reset before the response, body cut short) over HTTP.

`POST /socket-faults` takes `{"kind": "reset_before_response" | "cut_body_after", "cutAfter"?: bytes, <scope>}`,
the scope exactly as for `/__admin/faults` (`path`/`pathRegex`, `method`, `times`, `after`, `probability`, `seed`,
`from`/`until`). The faults act on connections through the proxy only: while no proxy serves this emulator
(`cwmock emulator --fault-proxy-port`), adding one is refused rather than listed to never fire.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.core.validation import InputError
from cwmock.emulator.admin.faults import SCOPE_KEYS, fault_list_routes, parse_scope, refuse_unknown
from cwmock.emulator.admin.options import handles_errors, int_option, options_body
from cwmock.emulator.faults.sockets import SOCKET_FAULT_KINDS, SocketFaults
from cwmock.emulator.http.responses import error_response, json_response
from cwmock.emulator.model.errors import InvalidObject, invalid_field

MAX_CUT_AFTER = 1 << 30  # bytes of a body to let through before the cut (our bound)
NO_PROXY = (
    "no TCP fault proxy serves this emulator, so a socket fault would never fire; start it with "
    "--fault-proxy-port PORT (cwmock emulator or cwmock up) and point the client at that port"
)


class AdminSocketFaults:
    """The socket faults of one emulator over HTTP, and where its fault proxy listens."""

    def __init__(self, faults: SocketFaults) -> None:
        self.faults = faults

    async def add(self, request: Request) -> Response:
        """POST /socket-faults {"kind", "cutAfter"?, ...scope} → 201 with the listed fault (409 without a proxy)."""
        options = await options_body(request)
        kind = options.get("kind")
        if kind not in SOCKET_FAULT_KINDS:
            raise invalid_field("kind", f"kind must be one of {', '.join(SOCKET_FAULT_KINDS)}, got {kind!r}")
        allowed = {"kind"} | SCOPE_KEYS | ({"cutAfter"} if kind == "cut_body_after" else set())
        refuse_unknown(options, allowed, f"a {kind} fault")
        if self.faults.proxy_url is None:
            return error_response(409, "NoFaultProxy", NO_PROXY)
        try:
            fault = self.faults.add(
                kind, parse_scope(options), int_option(options, "cutAfter", maximum=MAX_CUT_AFTER, default=0) or 0
            )
        except InputError:
            raise
        except ValueError as exc:
            raise InvalidObject(f"the {kind} fault is not valid: {exc}") from None
        return json_response(fault.to_json(), status=201)

    async def proxy(self, request: Request) -> Response:
        """GET /fault-proxy → {"url": where the proxy listens, or null when none serves this emulator}."""
        return json_response({"url": self.faults.proxy_url})

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__admin`."""
        return [
            *fault_list_routes("/socket-faults", self.faults, self.add, "the proxy forwards everything untouched"),
            Route("/fault-proxy", handles_errors(self.proxy), methods=["GET"]),
        ]
