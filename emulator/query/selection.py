"""`fields` (partial responses): `id,firstName,company/id,_info/lastUpdated`.

Paths may be written with `/` or `.`; the response keeps the record's key order, a selected object or
list comes whole, a path into a list applies to each item, and objects left empty are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cwmock.emulator.query.errors import QueryError
from cwmock.emulator.query.field_catalog import CONTACT_SCHEMA, FieldNode, parse_path, resolve_field, split_list
from cwmock.emulator.query.predicates import Record


@dataclass
class FieldSelection:
    """A tree of selected names; a child of None selects that value whole."""

    children: dict[str, FieldSelection | None] = field(default_factory=dict)

    def add(self, path: tuple[str, ...]) -> None:
        """Select `path` (a whole value wins over parts of it)."""
        head, rest = path[0], path[1:]
        if not rest:
            self.children[head] = None
            return
        if head in self.children and self.children[head] is None:
            return
        child = self.children.setdefault(head, FieldSelection())
        assert child is not None
        child.add(rest)


def parse_fields(text: str, schema: FieldNode = CONTACT_SCHEMA) -> FieldSelection | None:
    """Parse `fields`; None (everything) for blank text. Raises only QueryError, naming the bad field."""
    if not text.strip():
        return None
    selection = FieldSelection()
    for item, offset in split_list(text):
        if not item:
            raise QueryError("empty field name in fields; separate names with single commas", "", offset)
        resolved = resolve_field(parse_path(item, offset), item, offset, schema=schema)
        selection.add(resolved.path)
    return selection


def _select(value: Any, selection: FieldSelection | None) -> Any:
    if selection is None:
        return value
    if isinstance(value, Mapping):
        picked = {}
        for key, inner in value.items():
            if key in selection.children:
                chosen = _select(inner, selection.children[key])
                if chosen != {}:
                    picked[key] = chosen
        return picked
    if isinstance(value, list):
        return [_select(item, selection) for item in value]
    return value


def select_fields(record: Record, selection: FieldSelection | None) -> dict[str, Any]:
    """The parts of `record` that `selection` names, in the record's key order (all of it for None)."""
    chosen: dict[str, Any] = _select(record, selection) if selection is not None else dict(record)
    return chosen
