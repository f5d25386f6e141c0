"""The list queries an API parsed lately, by the parameter texts they came from: a query text is parsed once.

A poller asks the same `where` (or `conditions`) on every page of a walk and often on every poll; parsing it again
each time costs more than the page it selects. Parsing is pure (the same texts give the same query whatever the
clock or the store hold), so a query can be reused for as long as it is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cwmock.emulator.query.list_request import ListQuery

DEFAULT_PARSED_QUERIES = 256


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
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.build = build
        self.names = names
        self.capacity = capacity
        self._kept: dict[tuple[str | None, ...], ListQuery] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def query(self, params: Mapping[str, str]) -> ListQuery:
        """`build(params)`, reused when the same texts were parsed lately."""
        key = tuple(params.get(name) for name in self.names)
        kept = self._kept
        query = kept.pop(key, None)  # popped and put back: the dict's order is the order of last use
        if query is None:
            query = self.build(params)
            if len(kept) >= self.capacity:
                del kept[next(iter(kept))]
        kept[key] = query
        return query
