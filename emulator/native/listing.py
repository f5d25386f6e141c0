"""Lists as the native API serves them: one page of a result with its `Link` header, for any record type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cwmock.emulator.http.responses import dump_json, json_array_response
from cwmock.emulator.journal.request_state import annotate
from cwmock.emulator.native.paging import PageRequest, link_header, parse_page_request
from cwmock.emulator.query.field_catalog import FieldNode
from cwmock.emulator.query.list_request import native_list_query

Record = dict[str, Any]


def lowercase_params(request: Request) -> dict[str, str]:
    """Query parameters by lower-cased name (ConnectWise matches names case-insensitively)."""
    return {key.lower(): value for key, value in request.query_params.multi_items()}


def page_of(request: Request, items: Sequence[Any], serialize: Callable[[Sequence[Any]], list[bytes]]) -> Response:
    """One page of `items` (`page`, `pageSize`), serialized, with the navigable `Link` header."""
    params = lowercase_params(request)
    page = parse_page_request(params.get("page"), params.get("pagesize"))
    return navigable_page(request, page, items[page.offset : page.offset + page.size], len(items), serialize)


def navigable_page(
    request: Request,
    page: PageRequest,
    shown: Sequence[Any],
    total: int,
    serialize: Callable[[Sequence[Any]], list[bytes]],
) -> Response:
    """The page `shown` of a result of `total` items, serialized, with the navigable `Link` header."""
    url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
    link = link_header(url, request.query_params.multi_items(), page, total)
    annotate(request, returned=len(shown), result_end=page.page >= page.last_page(total))
    return json_array_response(serialize(shown), headers={"Link": link})


def table_page(request: Request, records: Sequence[Record], schema: FieldNode) -> Response:
    """A page of an in-memory table (companies, sites, setup tables), filtered, ordered and shaped as asked:
    `conditions`, `childConditions`, `orderBy` and `fields` name the fields of `schema` (unknown ones: a 400)."""
    query = native_list_query(lowercase_params(request), schema)
    chosen = query.apply(records)
    return page_of(request, chosen, lambda shown: [dump_json(query.shape(record)) for record in shown])
