"""`/__ui/arrivals`: what the webhook receiver got, grouped by webhook id: method, path, headers (credentials
masked), the body (JSON indented), the answer and the signature verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.dashboard.masking import mask_header
from cwmock.dashboard.pages import Pages
from cwmock.dashboard.sources import Sources
from cwmock.receiver.records import Arrival, Delivery, group_deliveries

# The most recent arrivals shown (a burst can bring thousands).
SHOWN_ARRIVALS = 200


@dataclass(frozen=True)
class ShownArrival:
    """An arrival as the page shows it."""

    arrival: Arrival
    headers: tuple[tuple[str, str], ...]
    body: str
    is_json: bool


def shown(arrival: Arrival) -> ShownArrival:
    """Headers masked, the body as indented JSON, else as text, else as a note on its bytes."""
    headers = tuple((name, mask_header(name, value)) for name, value in arrival.headers)
    try:
        text = arrival.body.decode("utf-8")
    except UnicodeDecodeError:
        return ShownArrival(arrival, headers, f"({len(arrival.body)} bytes, not UTF-8)", False)
    try:
        return ShownArrival(arrival, headers, json.dumps(json.loads(text), indent=2, ensure_ascii=False), True)
    except ValueError:
        return ShownArrival(arrival, headers, text, False)


@dataclass(frozen=True)
class ShownDelivery:
    """A webhook id's arrivals."""

    delivery: Delivery
    arrivals: tuple[ShownArrival, ...]


class Arrivals:
    """The arrivals page."""

    def __init__(self, sources: Sources, pages: Pages) -> None:
        self.sources = sources
        self.pages = pages

    async def show(self, request: Request) -> Response:
        """GET /arrivals: newest delivery first."""
        receiver = self.sources.receiver
        if receiver is None:
            return self.pages.render(
                request,
                "missing.html",
                title="No receiver",
                section="arrivals",
                status=404,
                error="no webhook receiver runs in this process (cwmock up runs one; cwmock emulator does not)",
            )
        arrivals = receiver.arrivals()
        deliveries = group_deliveries(arrivals[-SHOWN_ARRIVALS:])
        groups = [ShownDelivery(d, tuple(shown(a) for a in d.arrivals)) for d in reversed(deliveries)]
        return self.pages.render(
            request,
            "arrivals.html",
            title="Receiver arrivals",
            section="arrivals",
            groups=groups,
            total=len(arrivals),
            shown_count=min(len(arrivals), SHOWN_ARRIVALS),
            keys=len(receiver.signature_keys),
        )

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__ui`."""
        return [Route("/arrivals", self.show, methods=["GET"])]
