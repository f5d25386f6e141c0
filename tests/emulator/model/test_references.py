"""References in bodies name a record by id, identifier or name; PATCH paths inside one follow the switch."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.model.contacts import ReferencePaths
from cwmock.emulator.model.errors import InvalidObject
from cwmock.emulator.model.store import Store

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def store(reference_paths: ReferencePaths = "ignored") -> tuple[Store, ManualClock]:
    clock = ManualClock(START)
    return Store(clock, patch_reference_paths=reference_paths), clock


@pytest.mark.parametrize(
    "company",
    [{"id": 250}, {"identifier": "AcmeCorp"}, {"identifier": "acmecorp"}, {"name": "Acme Corporation"}],
    ids=["id", "identifier", "identifier-any-case", "name"],
)
def test_a_company_is_named_by_id_identifier_or_name(company: dict[str, Any]) -> None:
    """The Developer Guide's PATCH example names a company by identifier; django-connectwise sends names."""
    created = store()[0].create_contact("cwmock", {"firstName": "A", "company": company})
    assert created["company"] == {"id": 250, "identifier": "AcmeCorp", "name": "Acme Corporation"}


def test_the_other_references_are_named_too() -> None:
    body = {
        "firstName": "A",
        "company": {"identifier": "EarthTrisolarisOrganization"},
        "site": {"name": "trisolaris"},
        "country": {"identifier": "CA"},
        "department": {"name": "Finance"},
        "companyLocation": {"name": "My Accounts"},
        "types": [{"name": "Approver"}],
        "communicationItems": [{"type": {"name": "Email"}, "value": "a@example.com"}],
    }
    created = store()[0].create_contact("cwmock", body)
    assert created["site"]["id"] == 137
    assert (created["country"]["id"], created["department"]["id"], created["companyLocation"]["id"]) == (2, 2, 39)
    assert created["types"][0]["id"] == 2
    assert created["communicationItems"][0]["type"]["id"] == 1


@pytest.mark.parametrize(
    ("company", "message"),
    [
        ({"identifier": "Nobody"}, "no company has identifier 'Nobody'"),
        ({"id": 9}, "company id 9 does not exist"),
        ({"id": "250"}, "company/id must be an integer"),
        ({"identifier": 250}, "company/identifier must be a string"),
        ({"code": "x"}, "by id, identifier or name"),
        ("AcmeCorp", "must be an object naming a record"),
    ],
)
def test_a_reference_that_names_nothing_is_a_400(company: object, message: str) -> None:
    with pytest.raises(InvalidObject) as raised:
        store()[0].create_contact("cwmock", {"firstName": "A", "company": company})
    assert raised.value.errors[0].field == "company"
    assert message in raised.value.errors[0].message


def test_an_id_decides_over_a_name() -> None:
    created = store()[0].create_contact("cwmock", {"firstName": "A", "company": {"id": 2, "name": "Initech"}})
    assert created["company"]["id"] == 2


PATCH = [{"op": "replace", "path": "company/identifier", "value": "Globex"}]


def test_by_default_a_path_inside_a_reference_is_a_false_200() -> None:
    """PSA Developer Guide, "Patch": "you may receive a false 200 message": answered, not applied, not stamped."""
    contacts, clock = store()
    created = contacts.create_contact("cwmock", {"firstName": "A", "company": {"id": 2}})
    clock.set(START + timedelta(minutes=1))
    answered = contacts.patch_contact("cwmock", created["id"], PATCH)
    assert answered == created, "nothing changed, the stamp included"
    mixed = [*PATCH, {"op": "replace", "path": "lastName", "value": "B"}]
    patched = contacts.patch_contact("cwmock", created["id"], mixed)
    assert (patched["company"]["id"], patched["lastName"]) == (2, "B"), "the other operations apply"


def test_applied_points_the_reference_at_the_record_so_named() -> None:
    """ConnectPyse issue #26 reports `site/id` working."""
    contacts, _ = store("applied")
    created = contacts.create_contact("cwmock", {"firstName": "A", "company": {"id": 132}, "site": {"id": 136}})
    moved = contacts.patch_contact("cwmock", created["id"], [{"op": "replace", "path": "site/id", "value": 137}])
    assert moved["site"] == {"id": 137, "name": "Trisolaris"}
    renamed = contacts.patch_contact("cwmock", created["id"], [*PATCH, {"op": "remove", "path": "site"}])
    assert renamed["company"]["identifier"] == "Globex"
    with pytest.raises(InvalidObject, match="no company has name 'X'"):
        contacts.patch_contact("cwmock", created["id"], [{"op": "replace", "path": "company/name", "value": "X"}])


def test_refused_answers_400_with_the_whole_field_spelling() -> None:
    contacts, _ = store("refused")
    created = contacts.create_contact("cwmock", {"firstName": "A", "company": {"id": 2}})
    with pytest.raises(InvalidObject) as raised:
        contacts.patch_contact("cwmock", created["id"], PATCH)
    assert '{"path": "company", "value": {"identifier": ...}}' in raised.value.errors[0].message
