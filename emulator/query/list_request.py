"""A list request, language-neutral: which contacts (predicate), in what order, which fields.

The native API builds one from `conditions`/`childConditions`/`orderBy`/`fields`, the hub from CEQL `where`.
A page of it is planned (cwmock.emulator.query.planner): a top-level `lastUpdated > X` is answered from the store's
stamp index or by an id-order scan that stops when the page is full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cwmock.emulator.model.contacts import Record
from cwmock.emulator.model.errors import InvalidObject
from cwmock.emulator.model.store import Store
from cwmock.emulator.query.ceql import parse_ceql
from cwmock.emulator.query.conditions import parse_child_conditions, parse_conditions, parse_custom_field_conditions
from cwmock.emulator.query.errors import QueryError, to_invalid_object
from cwmock.emulator.query.field_catalog import CONTACT_SCHEMA, FieldNode
from cwmock.emulator.query.ordering import OrderKey, parse_order_by, sort_records
from cwmock.emulator.query.planner import ResultPage, Window, count_matches, plain_result, plan_page
from cwmock.emulator.query.predicates import MATCH_ALL, Predicate, compile_predicate, conjoin
from cwmock.emulator.query.selection import FieldSelection, parse_fields, select_fields

T = TypeVar("T")
R = TypeVar("R", bound=Mapping[str, Any])


@dataclass(frozen=True)
class ListQuery:
    """What to list: a predicate, an order (empty = ascending id) and a field selection (None = all)."""

    predicate: Predicate = MATCH_ALL
    order: list[OrderKey] = field(default_factory=list)
    fields: FieldSelection | None = None

    def run(self, store: Store, company: str) -> list[Record]:
        """Every matching visible contact of `company`, ordered."""
        table, stamps = store.visible_contacts(company), store.stored_stamps(company)
        return plain_result(table, self.predicate, self.order, stamps)

    def page(self, store: Store, company: str, window: Window, *, count: bool = False) -> ResultPage:
        """One window of the result (with the number of matches when `count`), doing only the work it needs."""
        table, stamps = store.visible_contacts(company), store.stored_stamps(company)
        return plan_page(table, self.predicate, self.order, window, count=count, stamps=stamps)

    def count(self, store: Store, company: str) -> int:
        """The number of matching visible contacts of `company`."""
        table, stamps = store.visible_contacts(company), store.stored_stamps(company)
        return count_matches(table, self.predicate, stamps)

    def shape(self, record: Record) -> Record:
        """A record cut down to the selected fields."""
        return select_fields(record, self.fields) if self.fields is not None else record

    def apply(self, records: Iterable[R]) -> list[R]:
        """The matching records of an in-memory table (companies, sites, lookup lists), ordered."""
        test = compile_predicate(self.predicate)
        matching = [record for record in records if test(record)]
        return sort_records(matching, self.order) if self.order else matching


def _parsed(parameter: str, text: str | None, parse: Callable[[str], T], resource: str = "contact") -> T | None:
    if text is None:
        return None
    try:
        return parse(text)
    except QueryError as exc:
        raise to_invalid_object(exc, parameter, resource) from None


# The parameters a list query is built from: the rest (paging) never changes what `native_list_query` or
# `hub_list_query` builds.
NATIVE_QUERY_PARAMETERS = ("conditions", "childconditions", "customfieldconditions", "orderby", "fields")
HUB_QUERY_PARAMETERS = ("where", "orderBy", "fields")


def native_list_query(params: Mapping[str, str], schema: FieldNode = CONTACT_SCHEMA) -> ListQuery:
    """From lower-cased native parameters: `conditions`, `childconditions`, `orderby`, `fields` on `schema`'s fields."""
    resource = schema.name

    def parsed(parameter: str, parse: Callable[[str, FieldNode], T]) -> T | None:
        return _parsed(parameter, params.get(parameter.lower()), lambda text: parse(text, schema), resource)

    where = parsed("conditions", parse_conditions)
    child = parsed("childConditions", parse_child_conditions)
    custom = None
    if params.get("customfieldconditions", "").strip():
        if "customfields" not in schema.children:
            raise InvalidObject(f"customFieldConditions: a {resource} has no custom fields")
        custom = _parsed("customFieldConditions", params["customfieldconditions"], parse_custom_field_conditions,
                         resource)  # fmt: skip
    return ListQuery(
        predicate=conjoin(where, child, custom),
        order=parsed("orderBy", parse_order_by) or [],
        fields=parsed("fields", parse_fields),
    )


def hub_list_query(params: Mapping[str, str]) -> ListQuery:
    """From hub parameters: CEQL `where`, `orderBy`, `fields`."""
    where = _parsed("where", params.get("where"), parse_ceql)
    return ListQuery(
        predicate=conjoin(where),
        order=_parsed("orderBy", params.get("orderBy"), parse_order_by) or [],
        fields=_parsed("fields", params.get("fields"), parse_fields),
    )
