"""Reading a whole result from the hub: keyset paging through `where` (`cwmock.poller.keyset`, exactly-once when
the hub's pages shift), else the platform's paging (`nextPage` ← `elements-next-page-token`, offset `page` when no
token comes), and the server's `Date` as the window's time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx

from cwmock.core.timestamps import UTC
from cwmock.core.validation import read_json_elements
from cwmock.poller.keepalive import Answer, KeepAliveTransport
from cwmock.poller.keyset import KeysetQuery, keyset_position

# With no page size given, the hub's largest page (docs/emulator/hub.md): a 100,000-record window takes 100 round
# trips instead of 500. The engine gives 10 under raw `page` (`cwmock.poller.engine.DEFAULT_PAGE_SIZES`).
DEFAULT_PAGE_SIZE = 1000
DEFAULT_MAX_PAGES = 10_000
# The guard against a result that never ends counts records too: 10,000 pages of 1,000, whatever the page size.
DEFAULT_MAX_RECORDS = 10_000_000
NEXT_PAGE_HEADER = "elements-next-page-token"


PageReader = Callable[[list[Any], list[str] | None], None]
"""Takes one page's records and, when known, each record's JSON text as the hub wrote it."""


class HubError(RuntimeError):
    """The hub did not deliver a whole result; the window is incomplete and its cursor must not move."""


@dataclass
class HubResult:
    """Every record of one result, in the order served (unless a page reader took them), and the server time of the
    first response."""

    records: list[Any] = field(default_factory=list)
    server_date: datetime | None = None
    pages: int = 0
    served: int = 0
    requested: list[str] = field(default_factory=list)


def server_date_value(text: str | None) -> datetime | None:
    """A `Date` header's value as an aware UTC instant, or None if absent or unreadable."""
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _has_param(rendered: str, name: str) -> bool:
    _, _, query = rendered.partition("?")
    return any(key == name for key, _ in parse_qsl(query, keep_blank_values=True))


def _with_params(base: str, params: list[tuple[str, str]]) -> str:
    if not params:
        return base
    separator = "&" if "?" in base else "?"
    return base + separator + "&".join(f"{key}={quote(value, safe='')}" for key, value in params)


@dataclass(frozen=True)
class HubClient:
    """Requests against one hub: `hub_url` + rendered resource url (concatenation), `Authorization: hub_auth`;
    with `keyset`, results are paged through `where` whenever the url and its records allow it."""

    client: httpx.AsyncClient
    hub_url: str
    hub_auth: str
    max_pages: int | None = None
    """At most this many pages (default: 10,000, or 10,000,000 records' worth when pages are smaller)."""
    keyset: bool = True
    direct: KeepAliveTransport | None = None
    """When set (the client's own keep-alive transport), pages are asked for straight through it."""

    async def fetch_all(
        self,
        rendered: str,
        page_size: int | None,
        read_page: PageReader | None = None,
        *,
        into: HubResult | None = None,
    ) -> HubResult:
        """Every page of the result of `rendered`; HubError if any page fails or paging cannot finish.

        With `read_page`, each page's records (and their JSON texts as served, when the page was read by the fast
        path) go to it as they arrive instead of into `records`, so a large result is never held parsed all at once.
        With `into`, the result is filled in as the pages come (`read_page` may read its `server_date`).
        """
        size = page_size or DEFAULT_PAGE_SIZE
        fixed = [] if _has_param(rendered, "pageSize") else [("pageSize", str(size))]
        walk = _Walk(rendered, self.hub_url, fixed, KeysetQuery.of(rendered) if self.keyset else None)
        limit = self.max_pages or max(DEFAULT_MAX_PAGES, DEFAULT_MAX_RECORDS // size)
        result = HubResult() if into is None else into
        # The next page is asked for as soon as its address is known, before this page's records are read: the hub
        # serves it while the poller reads (a burst's window is a long run of pages).
        pending: asyncio.Future[_Page] | None = asyncio.ensure_future(self._page(walk.first(), result))
        try:
            while pending is not None:
                page = await pending
                pending = None
                result.served += len(page.records)
                if len(page.records) >= size:
                    url = walk.after(page, result.pages)
                    if result.pages >= limit:
                        raise HubError(f"gave up after {result.pages} pages of {rendered!r}; the result never ended")
                    pending = asyncio.ensure_future(self._page(url, result))
                    await asyncio.sleep(0)  # one turn of the loop: the request goes out before the records are read
                if read_page is None:
                    result.records.extend(page.records)
                else:
                    read_page(page.records, page.texts)
        finally:
            if pending is not None:  # the result ended early (an error): the page asked for ahead is not wanted
                pending.cancel()
                await asyncio.wait([pending])
                if not pending.cancelled():
                    pending.exception()  # retrieved, so asyncio does not report it as never retrieved
        return result

    async def _page(self, url: str, result: HubResult) -> _Page:
        result.requested.append(url)
        try:
            answer = await self._get(url)
        except httpx.HTTPError as error:
            raise HubError(f"GET {url} failed: {type(error).__name__}: {error}") from error
        if result.server_date is None:
            result.server_date = server_date_value(answer.header("date"))
        if answer.status != 200:
            raise HubError(f"GET {url} answered {answer.status}: {answer.text[:300]}")
        try:
            records, texts = read_json_elements(answer.body, key="the page")
        except ValueError as error:  # InputError (too deep, not finite, not text) is a ValueError
            raise HubError(f"GET {url} did not answer JSON: {error}") from error
        if not isinstance(records, list):
            raise HubError(f"GET {url} answered {type(records).__name__}, expected a JSON array of records")
        result.pages += 1
        return _Page(records, answer.header(NEXT_PAGE_HEADER) or None, texts)

    async def _get(self, url: str) -> Answer:
        """GET `url` with the hub's credentials: through httpx's client, or straight through the keep-alive
        transport (the client's default headers except `Accept-Encoding`: the page is read as sent)."""
        if self.direct is None:
            response = await self.client.get(url, headers={"Authorization": self.hub_auth})
            return Answer(response.status_code, response.headers.raw, response.content)
        headers = [(name, value) for name, value in self.client.headers.raw if name.lower() != b"accept-encoding"]
        headers.append((b"Authorization", self.hub_auth.encode("latin-1")))
        return await self.direct.exchange("GET", httpx.URL(url), headers, b"", self.client.timeout.read)


class _Walk:
    """Where the next page of one result is: by keyset (`where ... id > N`) while its records allow it, else the
    platform's own paging, by the page token when the hub sends one, by page number when it does not."""

    def __init__(self, rendered: str, hub_url: str, fixed: list[tuple[str, str]], keyset: KeysetQuery | None):
        self.rendered = rendered
        self.hub_url = hub_url
        self.fixed = fixed
        self.keyset = keyset
        self.base = hub_url + (keyset.first() if keyset is not None else rendered)
        self.paging: list[tuple[str, str]] = []
        self.mode: str | None = None
        self.seen_tokens: set[str] = set()
        self.last: int | None = None

    def first(self) -> str:
        """The first page's address."""
        return _with_params(self.base, self.fixed)

    def after(self, page: _Page, pages: int) -> str:
        """The address of the page after `page`, the full `pages`-th; HubError when paging cannot go on."""
        if self.keyset is not None:
            position = keyset_position(page.records[-1])
            if position is not None and (self.last is None or position > self.last):
                self.last = position
                self.base = self.hub_url + self.keyset.after(position)
                return _with_params(self.base, self.fixed)
            if self.last is not None:
                raise HubError(
                    f"page {pages} of {self.rendered!r} cannot be continued by keyset: its last record has no "
                    "whole-number id, or one not above the page before it"
                )
            self.keyset = None  # not pageable by keyset: the platform's own paging, from page 1 on
        if self.mode is None:
            self.mode = "cursor" if page.token else "offset"
        if self.mode == "cursor":
            if not page.token:
                raise HubError(f"page {pages} of {self.rendered!r} was full but carried no {NEXT_PAGE_HEADER}")
            if page.token in self.seen_tokens:
                raise HubError(f"the hub repeated the page token {page.token!r}; paging would never end")
            self.seen_tokens.add(page.token)
            self.paging = [("nextPage", page.token)]
        else:
            self.paging = [("page", str(pages + 1))]
        return _with_params(self.base, self.fixed + self.paging)


@dataclass(frozen=True)
class _Page:
    records: list[Any]
    token: str | None
    texts: list[str] | None
