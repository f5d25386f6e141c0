"""Recently parsed list queries: reused for the same texts, bounded, failures never kept."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cwmock.emulator.model.errors import InvalidObject
from cwmock.emulator.query.list_request import HUB_QUERY_PARAMETERS, ListQuery, hub_list_query
from cwmock.emulator.query.parsed import ParsedQueries


class CountingBuild:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, params: Mapping[str, str]) -> ListQuery:
        self.calls += 1
        return hub_list_query(params)


def test_the_same_texts_are_parsed_once_into_the_same_query() -> None:
    build = CountingBuild()
    queries = ParsedQueries(build, HUB_QUERY_PARAMETERS)
    first = queries.query({"where": "firstName = 'Ann'", "page": "1"})
    again = queries.query({"where": "firstName = 'Ann'", "page": "2", "pageSize": "5"})
    assert again is first, "paging parameters do not change the query"
    assert build.calls == 1
    assert first == hub_list_query({"where": "firstName = 'Ann'"})


def test_any_text_that_differs_is_parsed_afresh() -> None:
    build = CountingBuild()
    queries = ParsedQueries(build, HUB_QUERY_PARAMETERS)
    plain = queries.query({"where": "id > 3"})
    ordered = queries.query({"where": "id > 3", "orderBy": "firstName desc"})
    shaped = queries.query({"where": "id > 3", "fields": "id"})
    assert build.calls == 3
    assert plain.order == []
    assert ordered.order
    assert shaped.fields is not None
    assert queries.query({"where": "id > 4"}).predicate != plain.predicate


def test_at_most_capacity_queries_are_kept_the_least_recently_used_going_first() -> None:
    build = CountingBuild()
    queries = ParsedQueries(build, HUB_QUERY_PARAMETERS, capacity=2)
    queries.query({"where": "id > 1"})
    queries.query({"where": "id > 2"})
    queries.query({"where": "id > 1"})  # used again: now the most recent
    queries.query({"where": "id > 3"})  # evicts `id > 2`
    assert len(queries) == 2
    assert build.calls == 3
    queries.query({"where": "id > 1"})
    assert build.calls == 3, "kept"
    queries.query({"where": "id > 2"})
    assert build.calls == 4, "evicted, so parsed again"


def test_a_text_that_fails_is_not_kept_and_fails_alike_every_time() -> None:
    build = CountingBuild()
    queries = ParsedQueries(build, HUB_QUERY_PARAMETERS)
    messages = []
    for _ in range(2):
        with pytest.raises(InvalidObject) as caught:
            queries.query({"where": "lastUpdated >> 'x'"})
        messages.append(str(caught.value))
    assert build.calls == 2
    assert len(queries) == 0
    assert messages[0] == messages[1]


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ParsedQueries(hub_list_query, HUB_QUERY_PARAMETERS, capacity=0)
