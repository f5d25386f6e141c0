"""The zoo poller reading ConnectWise's native API instead of the hub: a native-API subject for the live judge.

Everything but the reading is the zoo poller's (selection, notifications, delivery, state, `--bug`): it asks
`GET /company/contacts?conditions=lastUpdated>=[lower]&orderBy=id` page by page (`page`, `pageSize`) until a short
page, with the tenant's API keys and its `clientId` (`CWMOCK_API_URL`, `CWMOCK_API_AUTH`, `CWMOCK_CLIENT_ID`, as
`cwmock judge --client-id` sets them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from cwmock.contract_tests.zoo.poller import DEFAULT_PAGE_SIZE, Window, read_page
from cwmock.contract_tests.zoo.wire import Client
from cwmock.core.timestamps import format_cw


class NativeWindow(Window):
    """A zoo window that reads the native API."""

    def __init__(self, bug: str | None, env: dict[str, str], variants: frozenset[str] = frozenset()) -> None:
        super().__init__(bug, env, variants)
        self.api_url = env["CWMOCK_API_URL"].rstrip("/")
        self.headers = {"Authorization": env["CWMOCK_API_AUTH"], "clientId": env["CWMOCK_CLIENT_ID"]}

    def render(self, lower: datetime) -> str:
        """The contacts query from `lower` on (ConnectWise's condition syntax: dates in brackets)."""
        return "/company/contacts?" + urlencode({"conditions": f"lastUpdated>=[{format_cw(lower)}]", "orderBy": "id"})

    def fetch(self, client: Client, rendered: str) -> list[dict[str, Any]]:
        """Every page of the result; raises on any failure."""
        size = int(self.setting("pageSize", DEFAULT_PAGE_SIZE))
        records: list[dict[str, Any]] = []
        page_number = 1
        while True:
            url = f"{self.api_url}{rendered}&" + urlencode({"page": page_number, "pageSize": size})
            _, page = read_page(client, url, self.headers, "the API")
            records += page
            if len(page) < size:
                return records
            page_number += 1
