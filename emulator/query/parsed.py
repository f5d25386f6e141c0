"""The list queries an API parsed lately, by the parameter texts they came from: a query text is parsed once.

A poller asks the same `where` (or `conditions`) on every page of a walk and often on every poll; parsing it again
each time costs more than the page it selects. Parsing is pure (the same texts give the same query whatever the
clock or the store hold), so a query can be reused for as long as it is kept.

Two changes from text to text are common enough to be kept apart from the text, with the query they gave:

- A keyset walk (cwmock's reference poller: `(<where>) and id > N`, docs/reference-poller.md#drift; ConnectWise
  clients paging by id) changes only the number at the end of its text from page to page. Nothing else in the text
  can depend on the number: it is the last token, after `>`.
- A poll changes only the instant it asks from: `lastUpdated > [2026-01-01T00:05:00Z]` (`conditions`) or
  `lastUpdated >= '2026-01-01T00:05:00Z'` (CEQL), a new one on each poll's first page. Only a text whose one
  literal is that datetime, and with no other quote, bracket, backtick or backslash (so that the literal is the
  same token however the text is scanned), is kept without it.

The next text that differs only there gets the kept query with the new value in the one comparison that held the
old. A text whose query holds the old value in more than one comparison, or in none, is never rebound.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from cwmock.emulator.query.instants import parse_query_instant
from cwmock.emulator.query.list_request import ListQuery
from cwmock.emulator.query.predicates import And, AnyItem, Compare, Not, Or, Predicate, Scalar

DEFAULT_PARSED_QUERIES = 256
# `... id > 12345` at the very end: `id` a whole field name (no path or backtick before it), at most 18 digits (an
# int, however written).
_KEYSET_TAIL = re.compile(r"(?<![\w./`])id\s*>\s*(\d{1,18})\Z")
# A bracketed or single-quoted literal with no delimiter inside it, and any delimiter at all.
_DELIMITED = re.compile(r"\[([^\[\]'\"`\\]*)\]|'([^\[\]'\"`\\]*)'")
_DELIMITER = re.compile(r"[\[\]'\"`\\]")

# What a kept query was parsed with: the keyset number and the instant (None where the text has no such part).
_Key = tuple[str | bool | None, ...]
_Kept = tuple[ListQuery, int | None, datetime | None]


class ParsedQueries:
    """The `capacity` most recently used queries built by `build` from the parameters named `names`.

    Owned by one API (one emulator): nothing is shared between emulators. Texts that fail to parse are not kept, so
    their error is raised afresh, exactly as before. A kept query must not be changed by its users. The parameter
    named `keyset` is the one whose keyset number and instant are kept apart from its text.
    """

    def __init__(
        self,
        build: Callable[[Mapping[str, str]], ListQuery],
        names: tuple[str, ...],
        capacity: int = DEFAULT_PARSED_QUERIES,
        *,
        keyset: str | None = None,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if keyset is not None and keyset not in names:
            raise ValueError(f"the keyset parameter {keyset!r} must be one of {names}")
        self.build = build
        self.names = names
        self.capacity = capacity
        self._keyset = None if keyset is None else names.index(keyset)
        # By the texts, the keyset number cut out (and the instant too, where the query holds it once): the query
        # and the number and instant it was parsed with.
        self._kept: OrderedDict[_Key, _Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def query(self, params: Mapping[str, str]) -> ListQuery:
        """`build(params)`, reused when the same texts (or the same but for a keyset number or an instant) were
        parsed lately."""
        texts: list[str | None] = [params.get(name) for name in self.names]
        bound = literal = None
        if self._keyset is not None and (text := texts[self._keyset]):
            tail = _KEYSET_TAIL.search(text)
            if tail is not None:
                bound = int(tail.group(1))
                texts[self._keyset] = text[: tail.start(1)]
            literal = _one_instant(texts[self._keyset] or "")
        plain: _Key = (*texts, bound is not None, False)
        cut: _Key | None = None
        if literal is not None:
            assert self._keyset is not None, "only the keyset parameter's instant is cut out"
            texts[self._keyset] = literal[0]
            cut = (*texts, bound is not None, True)
        instant = None if literal is None else literal[1]
        for key in (plain,) if cut is None else (cut, plain):
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return _rebound(found, bound, instant)
        query = self.build(params)
        if bound is not None and _holding(query.predicate, _holds_bound(bound)) != 1:
            return query  # the number also appears elsewhere: not kept, parsed afresh each time
        if cut is not None and _holding(query.predicate, _holds_instant(instant)) != 1:
            cut, instant = None, None  # kept by its whole text
        if len(self._kept) >= self.capacity:
            self._kept.popitem(last=False)  # the least recently used
        self._kept[plain if cut is None else cut] = (query, bound, instant)
        return query


def _one_instant(text: str) -> tuple[str, datetime] | None:
    """`text` with the contents of its one delimited literal cut out, and the instant they name; None unless the
    literal is the text's only delimited part, names an instant, and no other delimiter is outside it."""
    literals = _DELIMITED.finditer(text)
    first = next(literals, None)
    if first is None or next(literals, None) is not None:
        return None
    start, end = first.span()
    if _DELIMITER.search(text, 0, start) or _DELIMITER.search(text, end):
        return None
    instant = parse_query_instant(text[start + 1 : end - 1])
    return None if instant is None else (text[: start + 1] + text[end - 1 :], instant)


def _rebound(kept: _Kept, bound: int | None, instant: datetime | None) -> ListQuery:
    """The kept query with `bound` and `instant` in the comparisons that held the values it was parsed with."""
    query, bound_was, instant_was = kept
    predicate = query.predicate
    if instant is not None and instant_was is not None and instant != instant_was:
        predicate = _rewritten(predicate, _holds_instant(instant_was), instant)
    if bound is not None and bound_was is not None and bound != bound_was:
        predicate = _rewritten(predicate, _holds_bound(bound_was), bound)
    return query if predicate is query.predicate else replace(query, predicate=predicate)


def _holds_bound(value: int) -> Callable[[Compare], bool]:
    return lambda p: p.op == ">" and type(p.value) is int and p.value == value


def _holds_instant(value: datetime | None) -> Callable[[Compare], bool]:
    return lambda p: isinstance(p.value, datetime) and p.value == value


def _holding(p: Predicate, holds: Callable[[Compare], bool]) -> int:
    """How many comparisons of `p` satisfy `holds`."""
    if isinstance(p, Compare):
        return 1 if holds(p) else 0
    if isinstance(p, Not):
        return _holding(p.operand, holds)
    if isinstance(p, AnyItem):
        return _holding(p.where, holds)
    if isinstance(p, (And, Or)):
        return sum(_holding(operand, holds) for operand in p.operands)
    return 0


def _rewritten(p: Predicate, holds: Callable[[Compare], bool], new: Scalar) -> Predicate:
    """`p` with the one comparison that satisfies `holds` comparing with `new` instead."""
    if isinstance(p, Compare):
        return replace(p, value=new) if holds(p) else p
    if isinstance(p, Not):
        return Not(_rewritten(p.operand, holds, new))
    if isinstance(p, AnyItem):
        return replace(p, where=_rewritten(p.where, holds, new))
    if isinstance(p, (And, Or)):
        return replace(p, operands=tuple(_rewritten(operand, holds, new) for operand in p.operands))
    return p
