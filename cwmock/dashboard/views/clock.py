"""`/__ui/clock/...`: advance the emulated clock by a chosen amount (running every window due on the way), freeze it,
or let it follow wall time."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.core.clock import ManualClock
from cwmock.dashboard.forms import Form, FormError
from cwmock.dashboard.pages import redirect, run_form, when
from cwmock.dashboard.sources import Sources
from cwmock.dashboard.views.overview import Overview

UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _steps(steps: tuple[datetime, ...]) -> str:
    if not steps:
        return "nothing was due on the way"
    shown = ", ".join(when(step) for step in steps[:5])
    more = f" and {len(steps) - 5} more" if len(steps) > 5 else ""
    return f"ran what was due at {shown}{more}"


class ClockActions:
    """The clock's forms; a failed one shows the overview again with the error."""

    def __init__(self, sources: Sources, overview: Overview) -> None:
        self.sources = sources
        self.overview = overview

    def _clock(self) -> ManualClock:
        clock = self.sources.clock
        if clock is None:
            raise FormError("", "this emulator runs on the system clock, which cannot be moved")
        return clock

    async def advance(self, request: Request) -> Response:
        """POST /clock/advance amount=N unit=seconds|minutes|hours|days."""

        async def act(form: Form) -> Response:
            amount = form.number("amount", label="Amount")
            if amount is None:
                raise FormError("amount", "Amount is required: how far to move the clock")
            unit = form.text("unit") or "seconds"
            if unit not in UNITS:
                raise FormError("unit", f"Unit must be one of {', '.join(UNITS)}, got {unit!r}")
            result = await self._clock().advance(amount * UNITS[unit])
            named = unit.removesuffix("s") if amount == 1 else unit
            return redirect("/", f"Advanced {amount:g} {named} to {when(result.now)}: {_steps(result.steps)}.")

        return await run_form(request, act, self.overview.page)

    async def freeze(self, request: Request) -> Response:
        """POST /clock/freeze."""

        async def act(form: Form) -> Response:
            clock = self._clock()
            clock.freeze()
            return redirect("/", f"Frozen at {when(clock.now())}.")

        return await run_form(request, act, self.overview.page)

    async def follow(self, request: Request) -> Response:
        """POST /clock/follow speed=F: follow wall time from the current instant."""

        async def act(form: Form) -> Response:
            speed = form.number("speed", label="Speed")
            speed = 1.0 if speed is None else speed
            clock = self._clock()
            clock.follow_wall(None, speed)
            return redirect("/", f"Following wall time from {when(clock.now())} at speed {speed:g}.")

        return await run_form(request, act, self.overview.page)

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__ui`."""
        return [
            Route("/clock/advance", self.advance, methods=["POST"]),
            Route("/clock/freeze", self.freeze, methods=["POST"]),
            Route("/clock/follow", self.follow, methods=["POST"]),
        ]
