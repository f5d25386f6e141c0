"""A refused write leaves no trace: every string is checked, and a write applies only once all of it validated."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.model.errors import InvalidObject
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.snapshot import restore_snapshot, take_snapshot
from cwmock.emulator.model.store import Store

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SURROGATE = "\ud800"


@pytest.fixture
def store() -> Store:
    store = Store(ManualClock(START))
    store.create_contact("cwmock", {"firstName": "Ada", "communicationItems": [{"type": {"id": 1}, "value": "a@x"}]})
    return store


def state(store: Store) -> str:
    """The whole store as text: equal before and after means nothing changed."""
    return json.dumps(take_snapshot(store, InstanceRegistry()), sort_keys=True)


@pytest.mark.parametrize(
    "body",
    [
        {"firstName": SURROGATE},
        {"firstName": "Ada", "lastName": SURROGATE},
        {"firstName": "Ada", "title": "a\x00b"},
        {"firstName": "Ada", "userDefinedField3": SURROGATE},
        {"firstName": "Ada", "integratorTags": ["ok", SURROGATE]},
        {"firstName": "Ada", "customFields": [{"id": 1, "value": {"deep": [SURROGATE]}}]},
        {"firstName": "Ada", "communicationItems": [{"type": {"id": 1}, "value": "b@x"},
                                                    {"type": {"id": 1}, "value": SURROGATE}]},
        {"firstName": "Ada", "communicationItems": [{"type": {"id": 1}, "value": "b@x", "extension": "\x00"}]},
        {"firstName": "Ada", "customFields": [{"id": 1, "value": float("nan")}]},
        {"firstName": "Ada", "customFields": [{"id": 10**30}]},
    ],
)  # fmt: skip
def test_a_body_with_a_string_no_client_could_read_is_refused_without_a_trace(
    store: Store, body: dict[str, Any]
) -> None:
    before = state(store)
    with pytest.raises(InvalidObject):
        store.create_contact("cwmock", body)
    with pytest.raises(InvalidObject):
        store.replace_contact("cwmock", 1, body)
    assert state(store) == before, "the refused writes left a trace (an id, an item id, a sequence number)"


@pytest.mark.parametrize("field", ["title", "firstName", "lastName", "nickName"])
def test_a_patch_to_a_lone_surrogate_is_refused(store: Store, field: str) -> None:
    before = state(store)
    with pytest.raises(InvalidObject) as refused:
        store.patch_contact("cwmock", 1, [{"op": "replace", "path": field, "value": SURROGATE}])
    assert refused.value.errors[0].field == field
    assert state(store) == before


def test_a_refused_visibility_delay_consumes_nothing(store: Store) -> None:
    before = state(store)
    for delay in (-1.0, float("nan"), float("inf"), 1e308):
        with pytest.raises(InvalidObject, match="visibleAfter"):
            store.create_contact("cwmock", {"firstName": "Late"}, visible_after=delay)
    assert state(store) == before


def test_many_contacts_are_created_all_or_none(store: Store) -> None:
    before = state(store)
    bodies = [{"firstName": "One"}, {"firstName": "Two", "communicationItems": [{"type": {"id": 1}, "value": "t@x"}]},
              {"firstName": SURROGATE}]  # fmt: skip
    with pytest.raises(InvalidObject, match="contact 3 of 3"):
        store.create_contacts("cwmock", bodies)
    assert state(store) == before
    created = store.create_contacts("cwmock", bodies[:2])
    assert [record["id"] for record in created] == [2, 3]
    assert created[1]["communicationItems"][0]["id"] == 2, "item ids continue where the first contact left them"


def test_many_contacts_may_refer_to_each_other(store: Store) -> None:
    created = store.create_contacts("cwmock", [{"firstName": "Boss"}, {"firstName": "Ed", "managerContact": {"id": 2}}])
    assert created[1]["managerContact"] == {"id": 2, "name": "Boss"}


def test_a_damaged_snapshot_is_refused_and_the_state_kept(store: Store) -> None:
    registry = InstanceRegistry()
    snapshot = take_snapshot(store, registry)
    before = state(store)
    broken = json.loads(json.dumps(snapshot))
    broken["tenants"]["cwmock"]["writes"][0]["record"] = {"id": 1}  # no _info: every list would fail on it
    broken["tenants"]["cloudelements"]["writes"] = [{"id": "x"}]
    with pytest.raises(InvalidObject, match="snapshot"):
        restore_snapshot(store, registry, broken)
    assert state(store) == before, "a refused restore must not leave half of the snapshot applied"
    poisoned = json.loads(json.dumps(snapshot))
    poisoned["tenants"]["cwmock"]["writes"][0]["record"]["firstName"] = SURROGATE
    with pytest.raises(InvalidObject, match="firstName"):
        restore_snapshot(store, registry, poisoned)
    assert state(store) == before
    restore_snapshot(store, registry, snapshot)
    assert state(store) == before


def test_a_snapshot_whose_counters_would_run_past_any_id_is_refused(store: Store) -> None:
    """Found by the hostile suite: nextId 2^63-1 was restored, and the next platform instance's id was out of range."""
    registry = InstanceRegistry()
    snapshot = take_snapshot(store, registry)
    before = state(store)
    for key in ("nextId",):
        huge = json.loads(json.dumps(snapshot))
        huge["instances"]["state"][key] = 2**63 - 1
        with pytest.raises(InvalidObject, match="nextId"):
            restore_snapshot(store, registry, huge)
    assert state(store) == before
