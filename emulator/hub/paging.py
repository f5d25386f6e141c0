"""Hub paging: `elements-next-page-token` over the provider's page numbers (`offset`, the default) or over the last
record served (`keyset`, drift-safe), offset `page` requests, and their limits.

Open Connectors documents that its token wraps the provider's own paging (Cloud Elements, "Handling Non-Standard
Cursor Pagination"); over ConnectWise that is page numbers, so pages shift when data changes between two fetches.
That it does so for this connector is unconfirmed (a guess), hence the switch: docs/emulator/hub.md#paging.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cwmock.core.validation import read_json_document
from cwmock.emulator.config import HubPaging, check_hub_paging
from cwmock.emulator.http.params import positive_int
from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.errors import invalid_field
from cwmock.emulator.query.ordering import OrderKey
from cwmock.emulator.query.predicates import lookup

HUB_DEFAULT_PAGE_SIZE = 200
HUB_MAX_PAGE_SIZE = 1000
NOT_A_TOKEN = "nextPage is not a token from elements-next-page-token"


class PagingSwitch:
    """The hub's paging mode, switchable at runtime (`PUT /__admin/hub/paging`); tokens of the other mode are
    refused with a 400 saying so."""

    def __init__(self, mode: HubPaging = "offset") -> None:
        self.mode: HubPaging = check_hub_paging(mode)

    def set(self, mode: object) -> HubPaging:
        """Switch to `mode` (ValueError naming the choices for anything else)."""
        self.mode = check_hub_paging(mode)
        return self.mode


@dataclass(frozen=True)
class HubPage:
    """Which slice a hub request asked for: offset `page` (from 1), or in keyset mode the records after the
    token's last record (`after_id`, and its sort values `after_keys` when the request has an `orderBy`)."""

    size: int
    page: int = 1
    after_id: int | None = None
    after_keys: tuple[Any, ...] | None = None

    @property
    def offset(self) -> int:
        """How many records come before an offset page."""
        return (self.page - 1) * self.size


def _encode(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def offset_token(page: int) -> str:
    """The opaque token for "page `page` next", as the platform wraps a provider's page numbers."""
    return _encode({"page": page})


def keyset_token(record: Record, order: list[OrderKey]) -> str:
    """The opaque token for "continue after `record`" (its id, and its values of the `orderBy` keys)."""
    data: dict[str, Any] = {"after": record["id"]}
    if order:
        data["keys"] = [lookup(record, key.path) for key in order]
    return _encode(data)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decode_token(token: str) -> dict[str, Any]:
    """The token's content; a 400 naming `nextPage` if it is not one of ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = read_json_document(base64.urlsafe_b64decode(padded.encode()), key="nextPage")
    except (binascii.Error, ValueError, TypeError, UnicodeError):  # InputError is a ValueError
        raise invalid_field("nextPage", NOT_A_TOKEN) from None
    if not isinstance(data, dict):
        raise invalid_field("nextPage", NOT_A_TOKEN)
    page_ok = set(data) == {"page"} and _whole(data["page"]) and data["page"] >= 1
    keys = data.get("keys", [])
    after_ok = _whole(data.get("after")) and set(data) <= {"after", "keys"} and isinstance(keys, list)
    if not (page_ok or after_ok):
        raise invalid_field("nextPage", NOT_A_TOKEN)
    return data


def _from_token(size: int, token: str, mode: HubPaging, order: list[OrderKey]) -> HubPage:
    data = decode_token(token)
    if mode == "offset":
        if "page" not in data:
            raise invalid_field("nextPage", "nextPage is a keyset token, but the hub now pages by offset: start again")
        return HubPage(size, page=data["page"])
    if "after" not in data:
        raise invalid_field("nextPage", "nextPage is an offset token, but the hub now pages by keyset: start again")
    keys: list[Any] | None = data.get("keys")
    if not order:
        if keys is not None:
            raise invalid_field("nextPage", "nextPage was issued with an orderBy; send the same orderBy with it")
        return HubPage(size, after_id=data["after"])
    if keys is None or len(keys) != len(order):
        raise invalid_field("nextPage", "nextPage was issued for another orderBy; send the same orderBy with it")
    return HubPage(size, after_id=data["after"], after_keys=tuple(keys))


def parse_hub_page(
    page: str | None, page_size: str | None, next_page: str | None, mode: HubPaging, order: list[OrderKey]
) -> HubPage:
    """Read `page`, `pageSize`, `nextPage` (with the request's `orderBy`, honoured in both modes); a size over the
    maximum is refused, not silently cut.

    Cutting it would hand the caller a page shorter than it asked for, which a poller reads as the end.
    """
    size = positive_int("pageSize", page_size) if page_size is not None else HUB_DEFAULT_PAGE_SIZE
    if size > HUB_MAX_PAGE_SIZE:
        raise invalid_field("pageSize", f"pageSize may be at most {HUB_MAX_PAGE_SIZE}, got {size}")
    if next_page is not None and page is not None:
        raise invalid_field("nextPage", "use either nextPage (the token) or page (a page number), not both")
    if next_page is not None:
        return _from_token(size, next_page, mode, order)
    return HubPage(size, page=positive_int("page", page) if page is not None else 1)


def next_token(page: HubPage, last: Record, mode: HubPaging, order: list[OrderKey]) -> str:
    """The `elements-next-page-token` of a non-empty page: the next page number, or the page's last record."""
    return offset_token(page.page + 1) if mode == "offset" else keyset_token(last, order)
