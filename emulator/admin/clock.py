"""`/__admin/clock`: read, set, advance, freeze, follow wall time, long-poll, detach followers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.core.clock import Clock, ClockArgumentError, ClockBusyError, ManualClock, QuiesceTimeoutError
from cwmock.core.timestamps import iso_z
from cwmock.core.validation import check_speed, check_text
from cwmock.emulator.admin.options import (
    duration_option,
    handles_errors,
    instant_option,
    options_body,
    query_duration,
    query_instant,
)
from cwmock.emulator.http.draining import draining_of
from cwmock.emulator.http.responses import error_response, json_response
from cwmock.emulator.model.errors import invalid_field

ClockEndpoint = Callable[[Request, ManualClock], Awaitable[Response]]
MAX_LONG_POLL_SECONDS = 300.0
MAX_NAME_LENGTH = 200  # a follower's name is kept while it follows (our choice)


class AdminClock:
    """The emulator clock over HTTP, so a poller in another process can follow emulated time."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def _manual(self, endpoint: ClockEndpoint) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            if not isinstance(self.clock, ManualClock):
                return error_response(
                    409, "ClockNotControllable", "this emulator runs on the system clock; start it with a ManualClock"
                )
            try:
                return await endpoint(request, self.clock)
            except ClockArgumentError as exc:
                return error_response(400, "InvalidClockRequest", str(exc))
            except ClockBusyError as exc:
                return error_response(409, "ClockBusy", str(exc))
            except QuiesceTimeoutError as exc:
                return error_response(504, "QuiesceTimeout", str(exc))

        return handles_errors(wrapped)

    async def read(self, request: Request, clock: ManualClock) -> Response:
        """GET /clock → {now, mode, state, ...}."""
        return json_response(clock.status().to_json())

    async def set(self, request: Request, clock: ManualClock) -> Response:
        """POST /clock/set {"instant": ISO, "allowBackwards"?: bool}."""
        options = await options_body(request)
        instant = instant_option(options, "instant", clock=True)
        if instant is None:
            raise invalid_field("instant", 'send {"instant": "2026-01-01T00:00:00Z"}')
        clock.set(instant, allow_backwards=options.get("allowBackwards") is True)
        return json_response(clock.status().to_json())

    async def advance(self, request: Request, clock: ManualClock) -> Response:
        """POST /clock/advance {"seconds": S} or {"to": ISO}: runs everything due on the way, in order."""
        options = await options_body(request)
        seconds = duration_option(options, "seconds")
        to = instant_option(options, "to", clock=True)
        if (seconds is None) == (to is None):
            raise invalid_field("seconds", 'send exactly one of {"seconds": S} or {"to": ISO}')
        result = await clock.advance(seconds, to=to)
        steps = [iso_z(step) for step in result.steps]
        return json_response({**clock.status().to_json(), "steps": steps})

    async def freeze(self, request: Request, clock: ManualClock) -> Response:
        """POST /clock/freeze: stop following wall time."""
        clock.freeze()
        return json_response(clock.status().to_json())

    async def follow(self, request: Request, clock: ManualClock) -> Response:
        """POST /clock/follow {"offsetSeconds"?: S, "speed"?: F}: follow wall time."""
        options = await options_body(request)
        offset = duration_option(options, "offsetSeconds", signed=True)
        speed = options.get("speed")
        clock.follow_wall(
            None if offset is None else timedelta(seconds=offset), 1.0 if speed is None else check_speed("speed", speed)
        )
        return json_response(clock.status().to_json())

    async def wait(self, request: Request, clock: ManualClock) -> Response:
        """GET /clock/wait?until=ISO&timeout=S[&follower=NAME] → {"reached": bool, "now": ISO}."""
        until = query_instant(request, "until")
        if until is None:
            raise invalid_field("until", "until=ISO-8601 instant is required")
        timeout = query_duration(request, "timeout", maximum=MAX_LONG_POLL_SECONDS)
        follower = request.query_params.get("follower")
        if follower is not None:
            check_text("follower", follower, max_length=MAX_NAME_LENGTH)
        waiting = clock.wait_until(until, 30.0 if timeout is None else timeout, follower=follower)
        draining = draining_of(request.app)
        # A server that is stopping answers an open long-poll at once (not reached) rather than holding the stop.
        reached = bool(await draining.unless_stopping(waiting)) if draining is not None else await waiting
        return json_response({"reached": reached, "now": iso_z(clock.now())})

    async def detach(self, request: Request, clock: ManualClock) -> Response:
        """DELETE /clock/followers/{name}: stop waiting for an external follower."""
        return json_response({"detached": clock.detach(request.path_params["name"])})

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__admin`."""
        manual = self._manual
        return [
            Route("/clock", manual(self.read), methods=["GET"]),
            Route("/clock/set", manual(self.set), methods=["POST"]),
            Route("/clock/advance", manual(self.advance), methods=["POST"]),
            Route("/clock/freeze", manual(self.freeze), methods=["POST"]),
            Route("/clock/follow", manual(self.follow), methods=["POST"]),
            Route("/clock/wait", manual(self.wait), methods=["GET"]),
            Route("/clock/followers/{name}", manual(self.detach), methods=["DELETE"]),
        ]
