"""Contacts kept as key-sharing dicts read exactly as plain dicts: key order, types, `_info`, omitted nulls."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.clock import ManualClock
from cwmock.emulator.model.contacts import BOOL_FIELDS, FIELD_ORDER, SERVER_DEFAULTS, STRING_FIELDS, Record
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.shared_keys import ContactKeys, shared_keys_dict, stored_contact
from cwmock.emulator.model.snapshot import restore_snapshot, take_snapshot
from cwmock.emulator.model.store import Store

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
INFO_ORDER = ("lastUpdated", "updatedBy", "dateEntered")
ITEM_ORDER = ("id", "type", "value", "extension", "defaultFlag", "domain", "communicationType")

# A valid value for every writable field, so a body can carry any subset of them in any order.
FIELD_VALUES: dict[str, Any] = {
    **{name: f"{name[:10]}!" for name in STRING_FIELDS},
    **{name: True for name in BOOL_FIELDS},
    "firstName": "Ada",
    "lastName": "Lovelace",
    "company": {"id": 2},
    "site": {"id": 1},
    "country": {"id": 2},
    "relationshipOverride": "friend",
    "portalSecurityLevel": 3,
    "gender": "Female",
    "presence": "Away",
    "communicationItems": [
        {"type": {"id": 2}, "value": "555-0100", "extension": "12"},
        {"type": {"id": 1}, "value": "ada@example.com", "defaultFlag": True},
    ],
    "types": [{"id": 3}, {"id": 1}],
    "integratorTags": ["a", "b"],
    "customFields": [{"id": 7, "value": None, "caption": "x"}],
    "marriedFlag": False,
}
OPTIONAL = sorted(set(FIELD_VALUES) - {"firstName", "company", "site"})


def plain(record: Record) -> Record:
    """The record rebuilt as ordinary dicts in the documented wire order, from its values alone."""
    rebuilt: Record = {"id": record["id"]}
    rebuilt.update((name, record[name]) for name in FIELD_ORDER if name in record)
    if "communicationItems" in record:
        rebuilt["communicationItems"] = [
            {key: item[key] for key in ITEM_ORDER if key in item} for item in record["communicationItems"]
        ]
    rebuilt["_info"] = {key: record["_info"][key] for key in INFO_ORDER if key in record["_info"]}
    return rebuilt


def assert_reads_as_plain(record: Record) -> None:
    assert type(record) is dict
    assert type(record["_info"]) is dict
    assert all(type(item) is dict for item in record.get("communicationItems", []))
    assert set(record) == {"id", "_info"} | (set(record) & set(FIELD_ORDER))
    assert json.dumps(record) == json.dumps(plain(record))  # same keys, same order, same types, nothing extra


@settings(max_examples=60, deadline=None)
@given(
    fields=st.lists(st.sampled_from(OPTIONAL), unique=True).flatmap(st.permutations),
    nulls=st.lists(st.sampled_from(OPTIONAL), unique=True),
    date_entered=st.booleans(),
)
def test_stored_contacts_keep_the_wire_order_and_types_whatever_the_body_order(
    fields: list[str], nulls: list[str], date_entered: bool
) -> None:
    store = Store(ManualClock(START))
    store.set_date_entered("cwmock", date_entered)
    body = {name: FIELD_VALUES[name] for name in fields}
    body.update({name: None for name in nulls if name not in body})  # nulls are dropped, never stored as null
    body.update({"firstName": "Ada", "company": {"id": 2}, "site": {"id": 1}})
    created = store.create_contact("cwmock", body)
    for record in (created, store.get_contact("cwmock", created["id"])):
        assert_reads_as_plain(record)
        assert None not in record.values()
        given = {name for name, value in body.items() if value is not None}
        assert set(record) - {"id", "_info"} == given | set(SERVER_DEFAULTS)
        assert ("dateEntered" in record["_info"]) is date_entered
    patched = store.patch_contact("cwmock", created["id"], [{"op": "remove", "path": "site"}])
    assert_reads_as_plain(patched)
    assert "site" not in patched


def test_every_field_at_once_more_keys_than_a_shared_table_holds_reads_as_plain() -> None:
    store = Store(ManualClock(START))
    created = store.create_contact("cwmock", dict(reversed(FIELD_VALUES.items())))
    assert len(created) > 30
    assert_reads_as_plain(created)
    assert created["portalSecurityLevel"] == 3
    assert created["marriedFlag"] is False
    assert created["defaultFlag"] is True


def test_contacts_of_different_shapes_keep_their_own_keys_and_order() -> None:
    first = shared_keys_dict(ContactKeys, {"id": 1, "b": [1], "a": None})
    second = shared_keys_dict(ContactKeys, {"a": False, "id": 2})
    third = shared_keys_dict(ContactKeys, {"c": 0, "id": 3, "b": 1.5})
    assert list(first.items()) == [("id", 1), ("b", [1]), ("a", None)]
    assert list(second.items()) == [("a", False), ("id", 2)]
    assert list(third.items()) == [("c", 0), ("id", 3), ("b", 1.5)]
    second["b"] = "changed"
    assert first == {"id": 1, "b": [1], "a": None}
    assert json.dumps(first) == '{"id": 1, "b": [1], "a": null}'


def test_stored_contact_keeps_the_record_and_its_info_as_given() -> None:
    record = {"id": 9, "firstName": "Z", "_info": {"updatedBy": "me", "lastUpdated": "2026-01-01T00:00:00Z"}}
    stored = stored_contact(record)
    assert stored == record
    assert stored is not record
    assert list(stored) == list(record)
    assert list(stored["_info"]) == ["updatedBy", "lastUpdated"]


def test_a_restored_snapshot_serves_the_same_bytes() -> None:
    store = Store(ManualClock(START))
    store.create_contacts("cwmock", [FIELD_VALUES, {"firstName": "B", "city": "Oslo", "lastName": None}])
    registry = InstanceRegistry()
    snapshot = take_snapshot(store, registry)
    before = [json.dumps(record) for record in store.list_contacts("cwmock")]
    restored = Store(ManualClock(START))
    restore_snapshot(restored, registry, json.loads(json.dumps(snapshot)))
    after = restored.list_contacts("cwmock")
    assert [json.dumps(record) for record in after] == before
    for record in after:
        assert_reads_as_plain(record)
