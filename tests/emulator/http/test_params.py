"""Query parameters read without Starlette's multi-dict: the same texts `request.query_params.get` gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from cwmock.emulator.http.params import query_texts

# Names and values as a client may spell them: escapes (bad ones too), '+', repeated names, empty parts, non-ASCII.
PIECES = st.sampled_from(["where", "orderBy", "pageSize", "a", "", "=", "&", "+", "%20", "%3E", "%ZZ", "%", "é", ";"])
TEXTS = st.lists(PIECES | st.text(max_size=3), max_size=4).map("".join)
PAIRS = st.lists(st.tuples(st.sampled_from(["where", "pageSize", "a", "", "w%68ere"]), TEXTS), max_size=5).map(
    lambda pairs: "&".join(f"{name}={value}" for name, value in pairs)  # repeated names: the last one counts
)
QUERIES = PAIRS | st.lists(PIECES | st.text(max_size=4), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(QUERIES)
def test_query_texts_read_as_request_query_params(query: str) -> None:
    raw = query.encode("utf-8")
    scope = {"type": "http", "query_string": raw, "headers": []}
    starlette = Request(scope).query_params
    texts = query_texts(scope)
    assert set(texts) == set(starlette.keys())
    assert all(texts[name] == starlette.get(name) for name in texts)
