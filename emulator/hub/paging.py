"""Hub paging: cursor tokens (keyset on id ascending) and offset pages, with their limits."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from cwmock.core.validation import read_json_document
from cwmock.emulator.http.params import positive_int
from cwmock.emulator.model.errors import invalid_field

HUB_DEFAULT_PAGE_SIZE = 200
HUB_MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class HubPage:
    """Which slice a hub request asked for: cursor mode (ids after `after_id`, None = from the start) or
    offset mode (`page`, from 1)."""

    size: int
    cursor: bool
    after_id: int | None = None
    page: int = 1

    @property
    def offset(self) -> int:
        """How many records come before an offset page."""
        return (self.page - 1) * self.size


def encode_token(last_id: int) -> str:
    """The opaque `elements-next-page-token` for "continue after `last_id`"."""
    raw = json.dumps({"after": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> int:
    """The id a `nextPage` token continues after; a 400 naming `nextPage` if it is not one of ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = read_json_document(base64.urlsafe_b64decode(padded.encode()), key="nextPage")
        after = data["after"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeError):  # InputError is a ValueError
        raise invalid_field("nextPage", "nextPage is not a token from elements-next-page-token") from None
    if isinstance(after, bool) or not isinstance(after, int):
        raise invalid_field("nextPage", "nextPage is not a token from elements-next-page-token")
    return after


def parse_hub_page(page: str | None, page_size: str | None, next_page: str | None, ordered: bool) -> HubPage:
    """Read `page`, `pageSize`, `nextPage`; a size over the maximum is refused, not silently cut.

    Cutting it would hand the caller a page shorter than it asked for, which a poller reads as the end.
    """
    size = positive_int("pageSize", page_size) if page_size is not None else HUB_DEFAULT_PAGE_SIZE
    if size > HUB_MAX_PAGE_SIZE:
        raise invalid_field("pageSize", f"pageSize may be at most {HUB_MAX_PAGE_SIZE}, got {size}")
    if next_page is not None and page is not None:
        raise invalid_field("nextPage", "use either nextPage (cursor) or page (offset), not both")
    if next_page is not None:
        if ordered:
            raise invalid_field("orderBy", "orderBy cannot be combined with nextPage: cursor paging is by id")
        return HubPage(size, cursor=True, after_id=decode_token(next_page))
    if page is not None or ordered:
        return HubPage(size, cursor=False, page=positive_int("page", page) if page is not None else 1)
    return HubPage(size, cursor=True)
