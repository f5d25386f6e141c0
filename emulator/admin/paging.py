"""The hub's paging switch over the admin API: `GET`/`PUT /__admin/hub/paging` (`{"mode": "offset" | "keyset"}`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.emulator.admin.options import handles_errors, options_body
from cwmock.emulator.config import HUB_PAGING_MODES
from cwmock.emulator.http.responses import json_response
from cwmock.emulator.hub.paging import PagingSwitch
from cwmock.emulator.model.errors import invalid_field


class AdminHubPaging:
    """Read and switch what the hub's `elements-next-page-token` wraps (docs/emulator/hub.md#paging)."""

    def __init__(self, paging: PagingSwitch) -> None:
        self.paging = paging

    async def read(self, request: Request) -> Response:
        """GET /hub/paging."""
        return json_response({"mode": self.paging.mode, "modes": list(HUB_PAGING_MODES)})

    async def switch(self, request: Request) -> Response:
        """PUT /hub/paging {"mode": "keyset"}: tokens issued before in the other mode are refused with a 400."""
        options = await options_body(request)
        unknown = sorted(set(options) - {"mode"})
        if unknown:
            raise invalid_field(unknown[0], f"the hub paging switch takes only mode, not {', '.join(unknown)}")
        try:
            mode = self.paging.set(options.get("mode"))
        except ValueError as exc:
            raise invalid_field("mode", f'{exc}; send {{"mode": "offset"}} or {{"mode": "keyset"}}') from None
        return json_response({"mode": mode, "modes": list(HUB_PAGING_MODES)})

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__admin`."""
        return [
            Route("/hub/paging", handles_errors(self.read), methods=["GET"]),
            Route("/hub/paging", handles_errors(self.switch), methods=["PUT"]),
        ]
