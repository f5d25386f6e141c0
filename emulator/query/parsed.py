"""The list queries an API parsed lately, by the parameter texts they came from: a query text is parsed once.

A poller asks the same `where` (or `conditions`) on every page of a walk and often on every poll; parsing it again
each time costs more than the page it selects. Parsing is pure (the same texts give the same query whatever the
clock or the store hold), so a query can be reused for as long as it is kept.

A keyset walk (cwmock's reference poller: `(<where>) and id > N`, docs/reference-poller.md#drift; ConnectWise
clients paging by id) changes only the number at the end of its text from page to page. Such a text is kept
without its number, with the query it gave: the next page's query is that one with the new number in the one
comparison that held the old. Nothing else in the text can depend on the number: it is the last token, after `>`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace

from cwmock.emulator.query.list_request import ListQuery
from cwmock.emulator.query.predicates import And, AnyItem, Compare, Not, Or, Predicate

DEFAULT_PARSED_QUERIES = 256
# `... id > 12345` at the very end: `id` a whole field name (no path or backtick before it), at most 18 digits (an
# int, however written).
_KEYSET_TAIL = re.compile(r"(?<![\w./`])id\s*>\s*(\d{1,18})\Z")


class ParsedQueries:
    """The `capacity` most recently used queries built by `build` from the parameters named `names`.

    Owned by one API (one emulator): nothing is shared between emulators. Texts that fail to parse are not kept, so
    their error is raised afresh, exactly as before. A kept query must not be changed by its users.
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
        # By the texts (a keyset text without its number): the query, and the number it was parsed with.
        self._kept: OrderedDict[tuple[str | bool | None, ...], tuple[ListQuery, int | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def query(self, params: Mapping[str, str]) -> ListQuery:
        """`build(params)`, reused when the same texts (or the same keyset text but its number) were parsed lately."""
        texts = [params.get(name) for name in self.names]
        bound = None
        if self._keyset is not None and (text := texts[self._keyset]):
            tail = _KEYSET_TAIL.search(text)
            if tail is not None:
                bound = int(tail.group(1))
                texts[self._keyset] = text[: tail.start(1)]
        key = (*texts, bound is not None)
        kept = self._kept
        found = kept.get(key)
        if found is None:
            query = self.build(params)
            if bound is not None and _bound_comparisons(query.predicate, bound) != 1:
                return query  # the number also appears elsewhere: not kept, parsed afresh each time
            if len(kept) >= self.capacity:
                kept.popitem(last=False)  # the least recently used
            kept[key] = (query, bound)
            return query
        kept.move_to_end(key)
        query, parsed_with = found
        if bound is None or parsed_with is None or parsed_with == bound:  # (both None or neither: the key says which)
            return query
        return replace(query, predicate=_rebound(query.predicate, parsed_with, bound))


def _is_bound(p: Predicate, value: int) -> bool:
    return isinstance(p, Compare) and p.op == ">" and type(p.value) is int and p.value == value


def _bound_comparisons(p: Predicate, value: int) -> int:
    """How many `> value` comparisons (on a whole number) `p` holds."""
    if isinstance(p, Compare):
        return 1 if _is_bound(p, value) else 0
    if isinstance(p, Not):
        return _bound_comparisons(p.operand, value)
    if isinstance(p, AnyItem):
        return _bound_comparisons(p.where, value)
    if isinstance(p, (And, Or)):
        return sum(_bound_comparisons(operand, value) for operand in p.operands)
    return 0


def _rebound(p: Predicate, old: int, new: int) -> Predicate:
    """`p` with its one `> old` comparison comparing with `new` instead."""
    if isinstance(p, Compare):
        return replace(p, value=new) if _is_bound(p, old) else p
    if isinstance(p, Not):
        return Not(_rebound(p.operand, old, new))
    if isinstance(p, AnyItem):
        return replace(p, where=_rebound(p.where, old, new))
    if isinstance(p, (And, Or)):
        return replace(p, operands=tuple(_rebound(operand, old, new) for operand in p.operands))
    return p
