"""`like` matches without backtracking: a pattern of many wildcards used to take exponential time."""

from __future__ import annotations

import re
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.emulator.query.predicates import like_matcher


def reference(pattern: str, text: str) -> bool:
    """What `like` meant when it was a backtracking regular expression."""
    body = "".join({"%": ".*", "*": ".*", "_": "."}.get(c) or re.escape(c) for c in pattern.casefold())
    return re.fullmatch(body, text.casefold(), re.DOTALL) is not None


def test_many_wildcards_against_a_long_value_answer_at_once() -> None:
    matcher = like_matcher("*a" * 12 + "*b")
    result: list[bool] = []
    thread = threading.Thread(target=lambda: result.append(matcher("a" * 100)), daemon=True)
    thread.start()
    thread.join(10)
    assert result == [False], "like backtracked"
    assert like_matcher("*a" * 12 + "*b")("a" * 12 + "b") is True


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab%*_", max_size=8), st.text(alphabet="abB", max_size=10))
def test_like_means_what_it_meant(pattern: str, text: str) -> None:
    assert like_matcher(pattern)(text.casefold()) is reference(pattern, text)
