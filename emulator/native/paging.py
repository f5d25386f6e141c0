"""Navigable paging (`page`/`pageSize`) and ConnectWise's `Link` header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from cwmock.core.validation import InputError, id_from_text
from cwmock.emulator.http.params import positive_int
from cwmock.emulator.model.errors import invalid_field

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class PageRequest:
    """Which page of a result a client asked for (pages count from 1)."""

    page: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.size

    def last_page(self, total: int) -> int:
        """The number of the last page (1 for an empty result)."""
        return max(1, -(-total // self.size))


def parse_page_request(page: str | None, page_size: str | None) -> PageRequest:
    """Read `page` and `pageSize`; a size above 1000 is capped at 1000, as ConnectWise does."""
    number = positive_int("page", page) if page is not None else 1
    size = positive_int("pageSize", page_size) if page_size is not None else DEFAULT_PAGE_SIZE
    return PageRequest(number, min(size, MAX_PAGE_SIZE))


def link_header(url: str, query: Sequence[tuple[str, str]], request: PageRequest, total: int) -> str:
    """The navigable `Link` header as the PSA Developer Guide ("Pagination", Navigable) shows it.

    Page 1 carries `next` then `last`, as in the guide's example; `first` and `prev` appear from page 2 on, `next`
    only while a later page exists ("next and prev links will not be returned if there isn't a next or prev"), and
    `last` always. Each URL repeats the query and ends in `page=N`: pyconnectwise reads the links with
    `page=(\\d+)>; rel="(.*?)"`, so `page` must come last.
    """
    kept = urlencode([(k, v) for k, v in query if k.lower() != "page"])
    prefix = f"{url}?{kept}&page=" if kept else f"{url}?page="  # encoded once, not once per link
    last = request.last_page(total)

    def link(number: int, rel: str) -> str:
        return f'<{prefix}{number}>; rel="{rel}"'

    links = []
    if request.page > 1:
        links.append(link(1, "first"))
        links.append(link(min(request.page - 1, last), "prev"))
    if request.page < last:
        links.append(link(request.page + 1, "next"))
    links.append(link(last, "last"))
    return ", ".join(links)


def parse_page_id(raw: str | None) -> int:
    """Forward-only paging's `pageId` (the last id already seen; 0 before the first page)."""
    if raw is None:
        return 0
    try:
        return id_from_text("pageId", raw)
    except InputError as exc:
        raise invalid_field("pageId", f"pageId must be a contact id: {exc.message}") from None


def forward_link(url: str, query: Sequence[tuple[str, str]], last_id: int | None) -> str:
    """The forward-only `Link` header, sent on every page (PSA Developer Guide, "Pagination", Forward-Only).

    "There will always be a link header in the response for the next pageId", and that pageId "will be the last Id
    you got in the request": so the last page with records still links on, to a page that comes back empty. An
    empty page has no last id; cwmock then sends an empty `Link` value, which every follower reads as the end (a
    guess: docs/fidelity.md#forward-only-paging).
    """
    if last_id is None:
        return ""
    kept = [(k, v) for k, v in query if k.lower() != "pageid"]
    return f'<{url}?{urlencode([*kept, ("pageId", str(last_id))])}>; rel="next"'
