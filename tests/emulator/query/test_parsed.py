"""Recently parsed list queries: reused for the same texts, bounded, failures never kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from cwmock.emulator.model.errors import InvalidObject
from cwmock.emulator.query.list_request import (
    HUB_QUERY_PARAMETERS,
    NATIVE_QUERY_PARAMETERS,
    ListQuery,
    hub_list_query,
    native_list_query,
)
from cwmock.emulator.query.parsed import ParsedQueries


class CountingBuild:
    def __init__(self, build: Callable[[Mapping[str, str]], ListQuery] = hub_list_query) -> None:
        self.build = build
        self.calls = 0

    def __call__(self, params: Mapping[str, str]) -> ListQuery:
        self.calls += 1
        return self.build(params)


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


KEYSET_WHERES = [
    "(lastUpdated > '2026-01-01T00:05:00Z') and id > {n}",
    "id > {n}",
    "(firstName = 'a' or lastName = 'b') and id>{n}",
    "firstName = 'a' or id > {n}",
    "not id > {n}",
    "company.id > 3 and id > {n}",
    "communicationItems.value like '%@x.com' and id >  {n}",
    "id > 7 and id > {n}",
]


@pytest.mark.parametrize("where", KEYSET_WHERES)
def test_a_keyset_walk_gives_what_parsing_each_page_afresh_gives(where: str) -> None:
    queries = ParsedQueries(hub_list_query, HUB_QUERY_PARAMETERS, keyset="where")
    for n in (5, 7, 1_000, 0, 7, 123_456_789_012, 5):
        params = {"where": where.format(n=n), "orderBy": "id asc"}
        assert queries.query(params) == hub_list_query(params), params


def test_a_keyset_walk_parses_its_text_once() -> None:
    build = CountingBuild()
    queries = ParsedQueries(build, HUB_QUERY_PARAMETERS, keyset="where")
    for n in range(100, 110):
        queries.query({"where": f"(lastUpdated > '2026-01-01T00:05:00Z') and id > {n}"})
    assert build.calls == 1
    assert len(queries) == 1


@pytest.mark.parametrize(
    "where",
    [
        "id > 5 and firstName = 'x' and id > 5",  # the number twice: which one is the walk's is unknown
        "company.id > 5",  # not the record's id
        "`id` > 5",
        "id > 5.0",
        "id > 0000000000000000005",  # past 18 digits
    ],
)
def test_texts_that_are_not_a_plain_keyset_tail_are_parsed_afresh_when_their_number_changes(where: str) -> None:
    build = CountingBuild()
    queries = ParsedQueries(build, HUB_QUERY_PARAMETERS, keyset="where")
    changed = where[:-1] + "6"
    assert queries.query({"where": where}) == hub_list_query({"where": where})
    assert queries.query({"where": changed}) == hub_list_query({"where": changed})
    assert build.calls == 2


def test_a_keyset_text_that_fails_fails_alike_every_time() -> None:
    queries = ParsedQueries(hub_list_query, HUB_QUERY_PARAMETERS, keyset="where")
    for n in (1, 2):
        with pytest.raises(InvalidObject, match="where"):
            queries.query({"where": f"nosuchfield = 1 and id > {n}"})
    assert len(queries) == 0


def test_the_native_conditions_walk_alike() -> None:
    queries = ParsedQueries(native_list_query, NATIVE_QUERY_PARAMETERS, keyset="conditions")
    for n in (10, 20, 30):
        params = {"conditions": f"lastUpdated > [2026-01-01T00:00:00Z] and id > {n}"}
        assert queries.query(params) == native_list_query(params)
    assert len(queries) == 1


def test_the_keyset_parameter_must_be_one_of_the_names() -> None:
    with pytest.raises(ValueError, match="keyset parameter"):
        ParsedQueries(hub_list_query, HUB_QUERY_PARAMETERS, keyset="conditions")


INSTANTS = [
    "2026-01-01T00:05:00Z",
    "2026-01-01T00:20:00.250Z",
    "2025-12-31T23:59:59+01:00",
    "2026-02-01",
    "2026-01-01T00:05:00Z",
]
POLLS = [
    ("conditions", "lastUpdated > [{t}]"),
    ("conditions", "_info/lastUpdated>=[{t}] and id > 9"),
    ("conditions", "(lastUpdated > [ {t} ]) and not (firstName = null)"),
    ("where", "lastUpdated >= '{t}'"),
    ("where", "(lastUpdated >= '{t}') and id > 9"),
    ("where", "lastUpdated > '{t}' or id = 3"),
]


def _queries(parameter: str, build: Callable[[Mapping[str, str]], ListQuery]) -> ParsedQueries:
    if parameter == "conditions":
        return ParsedQueries(build, NATIVE_QUERY_PARAMETERS, keyset="conditions")
    return ParsedQueries(build, HUB_QUERY_PARAMETERS, keyset="where")


def _fresh(parameter: str) -> Callable[[Mapping[str, str]], ListQuery]:
    return native_list_query if parameter == "conditions" else hub_list_query


@pytest.mark.parametrize(("parameter", "text"), POLLS)
def test_polls_that_differ_only_in_their_instant_give_what_parsing_afresh_gives_parsed_once(
    parameter: str, text: str
) -> None:
    build = CountingBuild(_fresh(parameter))
    queries = _queries(parameter, build)
    for instant in INSTANTS:
        params = {parameter: text.format(t=instant)}
        assert queries.query(params) == _fresh(parameter)(params), params
    assert build.calls == 1
    assert len(queries) == 1


def test_a_keyset_walk_of_each_poll_is_parsed_once() -> None:
    build = CountingBuild()
    queries = ParsedQueries(build, HUB_QUERY_PARAMETERS, keyset="where")
    for instant in INSTANTS:
        for n in (0, 17, 4_000):
            params = {"where": f"(lastUpdated >= '{instant}') and id > {n}"}
            assert queries.query(params) == hub_list_query(params), params
    assert build.calls == 1


@pytest.mark.parametrize(
    ("parameter", "text"),
    [
        # The literal is in a string: the comparison holding the instant is another one, which must not change.
        ("conditions", "firstName = '[' and lastUpdated > [2026-01-01T00:00:00Z] and lastName = '[{t}]'"),
        ("conditions", 'lastUpdated > [2026-01-01T00:00:00Z] and firstName = "{t}"'),
        ("conditions", "lastUpdated > [{t}] or lastUpdated < [{t}]"),  # two literals
        ("conditions", "lastUpdated in ([{t}])"),  # held, but not by a comparison
        ("where", "firstName = '{t}'"),  # a string, not an instant
        ("where", "lastUpdated > '{t}' and firstName = 'x'"),
        ("where", "`lastUpdated` > '{t}'"),
    ],
)
def test_texts_whose_one_instant_is_not_plain_are_parsed_afresh_when_it_changes(parameter: str, text: str) -> None:
    build = CountingBuild(_fresh(parameter))
    queries = _queries(parameter, build)
    for instant in INSTANTS[:3]:
        params = {parameter: text.format(t=instant)}
        assert queries.query(params) == _fresh(parameter)(params), params
    assert build.calls == 3


def test_an_invalid_instant_after_a_kept_one_fails_as_it_fails_afresh() -> None:
    queries = ParsedQueries(native_list_query, NATIVE_QUERY_PARAMETERS, keyset="conditions")
    queries.query({"conditions": "lastUpdated > [2026-01-01T00:00:00Z]"})
    bad = {"conditions": "lastUpdated > [2026-13-01T00:00:00Z]"}
    with pytest.raises(InvalidObject) as afresh:
        native_list_query(bad)
    with pytest.raises(InvalidObject) as kept:
        queries.query(bad)
    assert str(kept.value) == str(afresh.value)
    assert len(queries) == 1
