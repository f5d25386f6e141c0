"""A list request, language-neutral: which contacts (predicate), in what order, which fields.

The native API builds one from `conditions`/`childConditions`/`orderBy`/`fields`, the hub from CEQL `where`.
Running it answers a top-level `lastUpdated > X` from the store's stamp index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.errors import InvalidObject
from cwmock.emulator.model.store import Store
from cwmock.emulator.query.ceql import parse_ceql
from cwmock.emulator.query.conditions import parse_child_conditions, parse_conditions
from cwmock.emulator.query.errors import QueryError, to_invalid_object
from cwmock.emulator.query.ordering import OrderKey, parse_order_by, sort_records
from cwmock.emulator.query.predicates import MATCH_ALL, Predicate, compile_predicate, conjoin, stamp_lower_bound
from cwmock.emulator.query.selection import FieldSelection, parse_fields, select_fields

T = TypeVar("T")


@dataclass(frozen=True)
class ListQuery:
    """What to list: a predicate, an order (empty = ascending id) and a field selection (None = all)."""

    predicate: Predicate = MATCH_ALL
    order: list[OrderKey] = field(default_factory=list)
    fields: FieldSelection | None = None

    def run(self, store: Store, company: str) -> list[Record]:
        """The matching visible contacts of `company`, ordered."""
        bound, residual = stamp_lower_bound(self.predicate)
        test = compile_predicate(residual) if residual is not None else None
        records = store.list_contacts(company, updated_after=bound, predicate=test)
        return sort_records(records, self.order) if self.order else records

    def shape(self, record: Record) -> Record:
        """A record cut down to the selected fields."""
        return select_fields(record, self.fields) if self.fields is not None else record


def _parsed(parameter: str, text: str | None, parse: Callable[[str], T]) -> T | None:
    if text is None:
        return None
    try:
        return parse(text)
    except QueryError as exc:
        raise to_invalid_object(exc, parameter) from None


def native_list_query(params: Mapping[str, str]) -> ListQuery:
    """From lower-cased native parameters: `conditions`, `childconditions`, `orderby`, `fields`."""
    where = _parsed("conditions", params.get("conditions"), parse_conditions)
    child = _parsed("childConditions", params.get("childconditions"), parse_child_conditions)
    if params.get("customfieldconditions"):
        raise InvalidObject("customFieldConditions is not supported by the emulator; filter with conditions")
    return _assemble(where, child, params.get("orderby"), params.get("fields"))


def hub_list_query(params: Mapping[str, str]) -> ListQuery:
    """From hub parameters: CEQL `where`, `orderBy`, `fields`."""
    where = _parsed("where", params.get("where"), parse_ceql)
    return _assemble(where, None, params.get("orderBy"), params.get("fields"))


def _assemble(where: Predicate | None, child: Predicate | None, order_by: str | None, fields: str | None) -> ListQuery:
    return ListQuery(
        predicate=conjoin(where, child),
        order=_parsed("orderBy", order_by, parse_order_by) or [],
        fields=_parsed("fields", fields, parse_fields),
    )
