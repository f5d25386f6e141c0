"""The bytes a notification is sent as: records spliced in as read equal the whole document dumped at once."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.instance.errors import Problems
from cwmock.core.instance.resources import ResourcePoller, parse_resources
from cwmock.fixtures import read_fixture
from cwmock.poller.classification import FoundVersion, read_version
from cwmock.poller.notifications import InstanceIdentity, chunks, encode, notification_body, notification_document

S0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
DATES = {"updatedDateField": "_info.lastUpdated", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'"}
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


def contacts() -> ResourcePoller:
    problems = Problems()
    [parsed] = parse_resources({"contacts": {"url": "/hubs/crm/contacts", "datesConfiguration": DATES}}, (), problems)
    problems.raise_if_any()
    return parsed


def found(record: dict[str, Any]) -> FoundVersion:
    version = read_version(record, contacts(), S0)
    assert isinstance(version, FoundVersion), version
    return version


def record(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": n, "_info": {"lastUpdated": f"2026-01-01T00:10:{n:02d}Z"}, **extra}


@settings(max_examples=100)
@given(
    extras=st.lists(st.dictionaries(st.text(min_size=1), JSON_VALUES, max_size=4), min_size=1, max_size=10),
    name=st.text(),
    tags=st.lists(st.text(), max_size=3),
)
def test_the_body_is_the_document_encoded(extras: list[dict[str, Any]], name: str, tags: list[str]) -> None:
    versions = [found({**extra, **record(n)}) for n, extra in enumerate(extras)]
    identity = InstanceIdentity(7, name, tuple(tags))
    body = notification_body(3, identity, "contacts", S0, versions)
    assert body == encode(notification_document(3, identity, "contacts", S0, versions))
    assert json.loads(body)["message"]["raw"]["contacts"] == [json.loads(v.record_json) for v in versions]


@pytest.mark.parametrize("name", ["\x00cwmock records\x00", "a \x00cwmock records\x00 b", "null"])
def test_a_name_holding_the_records_slot_still_gives_the_document(name: str) -> None:
    versions = [found(record(1, firstName="Zoë ✓")), found(record(2))]
    identity = InstanceIdentity(7, name, ("\x00cwmock records\x00",))
    body = notification_body(3, identity, "contacts", S0, versions)
    assert body == encode(notification_document(3, identity, "contacts", S0, versions))
    assert json.loads(body)["message"]["instanceName"] == name


@pytest.mark.parametrize("name", ["API_Polling", "\x00cwmock records\x00"])
def test_raw_carries_the_whole_vendor_response_the_events_came_from(name: str) -> None:
    """`message.raw.contacts` is every record of the hub page(s) the events came from, not only the events' own
    (docs/reference-poller.md; "the full raw/vendor body is still included in each notification", Events
    Overview): with the document built at once, and with the records' text spliced in."""
    page = [found(record(n, firstName=f"Zoë {n}")) for n in (1, 2, 3)]
    raw = [version.record_json for version in page]
    identity = InstanceIdentity(7, name, ())
    document = notification_document(3, identity, "contacts", S0, page[1:2], raw)
    assert document["message"]["raw"]["contacts"] == [json.loads(text) for text in raw]
    assert [event["objectId"] for event in document["message"]["events"]] == ["2"]
    assert notification_body(3, identity, "contacts", S0, page[1:2], raw) == encode(document)


def test_records_are_kept_as_compact_text() -> None:
    version = found(record(1, firstName="Zoë", nested={"a": [1, 2.5, None]}))
    assert (
        version.record_json == '{"id":1,"_info":{"lastUpdated":"2026-01-01T00:10:01Z"},"firstName":"Zoë",'
        '"nested":{"a":[1,2.5,null]}}'
    )


def test_the_envelope_carries_what_every_real_notification_carries() -> None:
    """Fields the oracle leaves free (no documented meaning for polling), but real notifications always carry."""
    golden = json.loads(read_fixture("golden/valid-1-event.json"))
    document = notification_document(3, InstanceIdentity(7, "n", ()), "contacts", S0, [found(record(1))])
    for key in ("severity", "action", "user"):
        assert document[key] == golden[key], key
    [event] = document["message"]["events"]
    assert (event["elementKey"], event["hubKey"]) == (golden["message"]["events"][0]["elementKey"], "crm")


def test_the_document_has_the_real_payloads_keys_in_their_order_at_every_level() -> None:
    """Keys are case-sensitive JSON names a subscriber reads: each level as in the golden payload (a real one)."""
    golden = json.loads(read_fixture("golden/valid-1-event.json"))
    identity = InstanceIdentity(7, "n", ("tag",))
    document = notification_document(3, identity, "contacts", S0, [found(record(1))])
    assert list(document) == list(golden)
    assert list(document["message"]) == list(golden["message"])
    assert list(document["message"]["raw"]) == list(golden["message"]["raw"])
    assert list(document["message"]["events"][0]) == list(golden["message"]["events"][0])


def test_one_to_ten_events_a_notification() -> None:
    versions = [found(record(n)) for n in range(11)]
    assert [len(group) for group in chunks(versions[:3], size=1)] == [1, 1, 1]
    with pytest.raises(ValueError, match=r"^a notification carries 1 to 10 events, not 0$"):
        list(chunks(versions, size=0))
    with pytest.raises(ValueError, match=r"^a notification carries 1 to 10 events, got 11$"):
        notification_document(3, InstanceIdentity(7, "n", ()), "contacts", S0, versions)
