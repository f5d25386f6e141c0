"""The instance facts the oracle judges by, read from the instance JSON on its own (docs/design.md#versions): every
setting, its default when absent, and a refusal that names the setting and the fix."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.fixtures import SEED_INSTANCE, read_fixture

UTC = timezone.utc
S0 = datetime(2026, 1, 1, tzinfo=UTC)


def seed_instance(**platform: Any) -> dict[str, Any]:
    """The seed's POST body as the platform returns it: with id and createdDate (and `platform`'s fields)."""
    body: dict[str, Any] = json.loads(read_fixture(SEED_INSTANCE))
    return {**body, "id": 7, "createdDate": "2026-01-01T00:00:00Z", **platform}


def contacts(instance: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = instance["configuration"]["event.poller.configuration"]["contacts"]
    return resource


def test_the_seed_instance_with_every_default() -> None:
    assert InstanceFacts.from_instance_json(seed_instance(tenant="cloudelements")) == InstanceFacts(
        id=7,
        created=S0,
        tenant="cloudelements",
        name="API_Polling",
        poll_delay=0.0,
        filter_by_current_date=False,
        filter_by_updated_date=True,
        created_check_tolerance=10.0,
        updated_date_field="_info.lastUpdated",
        created_date_field="_info.lastUpdated",
        updated_date_format="yyyy-MM-dd'T'HH:mm:ss'Z'",
        created_date_format="yyyy-MM-dd'T'HH:mm:ss'Z'",
        id_field="id",
        signature_key=None,
        refresh_interval_minutes=15.0,
    )


def test_every_setting_is_read_from_its_own_key() -> None:
    instance = seed_instance()
    instance["configuration"]["event.notification.signature.key"] = "secret"
    instance["configuration"]["event.poller.refresh_interval"] = 5
    resource = contacts(instance)
    resource.update(
        pollDelay="90",
        filterByCurrentDate=" TRUE ",
        filterByUpdatedDate=False,
        createdCheckTolerance=2.5,
        idField="identifier",
    )
    resource["datesConfiguration"] = {
        "updatedDateField": "modified",
        "updatedDateFormat": "milliseconds",
        "createdDateField": "created",
        "createdDateFormat": "yyyy-MM-dd",
    }
    facts = InstanceFacts.from_instance_json(instance)
    assert (facts.poll_delay, facts.filter_by_current_date, facts.filter_by_updated_date) == (90.0, True, False)
    assert (facts.created_check_tolerance, facts.id_field, facts.signature_key) == (2.5, "identifier", "secret")
    assert (facts.updated_date_field, facts.updated_date_format) == ("modified", "milliseconds")
    assert (facts.created_date_field, facts.created_date_format) == ("created", "yyyy-MM-dd")
    assert (facts.refresh_interval_minutes, facts.tenant, facts.filter_field) == (5.0, None, "created")


def test_the_poller_configuration_may_be_a_json_string_and_zero_or_fractions_are_numbers() -> None:
    instance = seed_instance()
    resource = contacts(instance)
    resource.update(pollDelay=0, createdCheckTolerance="0.5")
    instance["configuration"]["event.poller.configuration"] = json.dumps({"contacts": resource})
    del instance["configuration"]["event.poller.refresh_interval"]
    facts = InstanceFacts.from_instance_json(instance)
    assert (facts.poll_delay, facts.created_check_tolerance, facts.refresh_interval_minutes) == (0.0, 0.5, None)


def edited(change: str, value: Any) -> dict[str, Any]:
    """The seed instance with one thing changed (a dotted path into it; `-` deletes)."""
    instance = copy.deepcopy(seed_instance())
    *parents, last = change.split("/")
    node = instance
    for step in parents:
        node = node[step]
    if value == "-":
        del node[last]
    else:
        node[last] = value
    return instance


POLLER = "configuration/event.poller.configuration"


@pytest.mark.parametrize(
    ("change", "value", "message"),
    [
        ("id", True, "instance.id: expected the integer instance id, got True"),
        ("id", "7", "instance.id: expected the integer instance id, got '7'"),
        ("configuration", "x", "instance.configuration must be an object"),
        ("tenant", 7, "instance.tenant: expected the company id string or null, got 7"),
        ("createdDate", "-", "instance.createdDate: expected an ISO-8601 instant string, got None"),
        ("createdDate", "soon", "instance.createdDate: "),
        (
            POLLER,
            "{not json",
            "event.poller.configuration is a string but not JSON: the string is not valid JSON: Expecting property",
        ),
        (POLLER, {"companies": {}}, "event.poller.configuration must hold a 'contacts' object (the only resource"),
        (f"{POLLER}/contacts", [], "event.poller.configuration must hold a 'contacts' object"),
        (f"{POLLER}/contacts/datesConfiguration", "x", "contacts.datesConfiguration must be an object"),
        (f"{POLLER}/contacts/pollDelay", True, "contacts.pollDelay: expected a number, got True"),
        (
            f"{POLLER}/contacts/pollDelay",
            "soon",
            "contacts.pollDelay: expected a number (or a numeric string), got 'soon'",
        ),
        (f"{POLLER}/contacts/pollDelay", -1, "contacts.pollDelay: expected a finite number ≥ 0, got -1"),
        (f"{POLLER}/contacts/pollDelay", "inf", "contacts.pollDelay: expected a finite number ≥ 0, got 'inf'"),
        (
            f"{POLLER}/contacts/filterByCurrentDate",
            1,
            'contacts.filterByCurrentDate: expected true or false (or the strings "true"/"false"), got 1',
        ),
        ("configuration/event.poller.refresh_interval", "often", "event.poller.refresh_interval: expected a number"),
    ],
)
def test_a_bad_setting_is_refused_naming_it_and_the_fix(change: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        InstanceFacts.from_instance_json(edited(change, value))


def test_a_naive_created_date_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^instance 7: createdDate .* is naive; pass an aware datetime$"):
        InstanceFacts(7, datetime(2026, 1, 1))


def test_an_instance_judged_by_another_field_says_why_it_cannot_be() -> None:
    instance = seed_instance()
    contacts(instance)["datesConfiguration"]["updatedDateField"] = "modified"
    assert InstanceFacts.from_instance_json(instance).unsupported() == [
        f"the {name} is 'modified'; the oracle judges versions of _info.lastUpdated only, so configure "
        "_info.lastUpdated to be judged"
        for name in ("filter field", "updatedDateField")
    ]


def test_an_instance_that_states_only_what_it_must_gets_every_default() -> None:
    """No name, no idField, no datesConfiguration, an empty signature key: the seed's values are the defaults
    (idField `id`, dates from `_info.lastUpdated` in the ISO format), and an empty key signs nothing."""
    instance = seed_instance()
    del instance["name"]
    resource = contacts(instance)
    del resource["idField"]
    del resource["datesConfiguration"]
    instance["configuration"]["event.notification.signature.key"] = ""
    facts = InstanceFacts.from_instance_json(instance)
    assert facts.name == ""
    assert (facts.id_field, facts.signature_key) == ("id", None)
    assert (facts.updated_date_field, facts.created_date_field) == ("_info.lastUpdated", "_info.lastUpdated")
    assert (facts.updated_date_format, facts.created_date_format) == (
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
    )
