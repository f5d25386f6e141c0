"""The Open Connectors instance JSON: the seed's bodies, accepted forms, defaults, errors, round trip."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cwmock.core.instance.config import Instance, parse_instance
from cwmock.core.instance.errors import InstanceConfigError
from cwmock.fixtures import read_fixture

UTC = timezone.utc
CONTACTS_URL = "/hubs/crm/contacts?where=lastUpdated>'${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'"
OC_FORMAT = "yyyy-MM-dd'T'HH:mm:ss'Z'"


def seed_example() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(read_fixture("instances/seed_example_polling.json"))
    return body


def contacts(body: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = body["configuration"]["event.poller.configuration"]["contacts"]
    return config


def problems_of(body: object) -> dict[str, str]:
    with pytest.raises(InstanceConfigError) as refused:
        parse_instance(body)  # type: ignore[arg-type]  # any JSON value, to see each wrong one refused
    return {problem.pointer: problem.problem for problem in refused.value.problems}


def test_seed_example_is_accepted_verbatim() -> None:
    instance = parse_instance(read_fixture("instances/seed_example_polling.json"))
    assert (instance.element_key, instance.name, instance.tags) == (
        "connectwisecrmrest",
        "API_Polling",
        ("Test",),
    )
    config = instance.configuration
    assert config.base_url == "https://api-cloudelements/v4_6_release/apis/3.0"
    assert (config.company, config.public_key, config.private_key) == (
        "cloudelements",
        "xxxxxxxx",
        "xxxxxxxxxxxxxxxxxx",
    )
    assert config.notification_enabled is True
    assert config.callback_url == "http://mycoolapp.com"
    assert config.refresh_interval_minutes == 15  # given as the string "15"
    assert config.signature_key is None
    assert config.filter_response_nulls is True
    resource = config.resource("contacts")
    assert resource.url.template == CONTACTS_URL
    assert resource.id_field == "id"
    assert resource.updated is not None
    assert resource.created is not None
    assert (resource.updated.field, resource.updated.format, resource.updated.timezone) == (
        "_info.lastUpdated",
        OC_FORMAT,
        "GMT",
    )
    assert resource.updated.path() == ("_info", "lastUpdated")
    assert resource.created == resource.updated
    assert resource.filter_field == resource.updated


def test_seed_example_fixture_is_the_seed_text() -> None:
    text = read_fixture("instances/seed_example_polling.json")
    assert text.startswith('{\n"element":{\n"key":"connectwisecrmrest"\n},')
    assert '"event.poller.refresh_interval":"15",' in text
    assert f'"url":"{CONTACTS_URL}",' in text


def test_reference_defaults_apply() -> None:
    resource = parse_instance(seed_example()).configuration.resource("contacts")
    assert resource.created_check_tolerance == timedelta(seconds=10)
    assert resource.poll_delay == timedelta(0)
    assert resource.filter_by_updated_date is True
    assert resource.filter_by_current_date is False
    assert resource.page_size is None


def test_seed_template_is_refused_with_every_offending_key_in_one_error() -> None:
    with pytest.raises(InstanceConfigError) as refused:
        parse_instance(read_fixture("instances/seed_template.json"))
    problems = {problem.pointer: problem.problem for problem in refused.value.problems}
    assert set(problems) == {
        "/providerData/code",
        "/configuration/oauth.api.key",
        "/configuration/oauth.api.secret",
        "/configuration/oauth.callback.url",
        "/configuration/event.poller.refresh_interval",
        "/tags/0",
        "/name",
        "/configuration/baseUrl",
        "/configuration/company",
        "/configuration/public.key",
        "/configuration/private.key",
    }
    assert "placeholder" in problems["/configuration/event.poller.refresh_interval"]
    assert "OAuth" in problems["/configuration/oauth.api.key"]
    assert "missing" in problems["/configuration/company"]
    message = str(refused.value)
    assert message.startswith("the instance JSON has 11 problems:")
    assert all(pointer in message for pointer in problems)


def test_poller_configuration_may_be_a_json_string() -> None:
    as_object = seed_example()
    as_string = copy.deepcopy(as_object)
    config = as_string["configuration"]
    config["event.poller.configuration"] = json.dumps(config["event.poller.configuration"])
    parsed = parse_instance(as_string)
    assert parsed.configuration.resources == parse_instance(as_object).configuration.resources
    assert isinstance(parsed.to_json()["configuration"]["event.poller.configuration"], str)  # kept as given


@pytest.mark.parametrize(("given", "minutes"), [(15, 15), ("15", 15), (" 5 ", 5), (1.0, 1)])
def test_refresh_interval_as_number_or_string(given: object, minutes: int) -> None:
    body = seed_example()
    body["configuration"]["event.poller.refresh_interval"] = given
    assert parse_instance(body).configuration.refresh_interval_minutes == minutes


@pytest.mark.parametrize("given", ["1.5", "fifteen", 0, -3, True, None])
def test_bad_refresh_intervals_name_the_key(given: object) -> None:
    body = seed_example()
    body["configuration"]["event.poller.refresh_interval"] = given
    problems = problems_of(body)
    assert list(problems) == ["/configuration/event.poller.refresh_interval"]


def test_booleans_may_be_strings() -> None:
    body = seed_example()
    body["configuration"]["event.notification.enabled"] = "TRUE"
    body["configuration"]["filter.response.nulls"] = "false"
    contacts(body)["filterByCurrentDate"] = "true"
    contacts(body)["filterByUpdatedDate"] = "false"
    instance = parse_instance(body)
    assert instance.configuration.notification_enabled is True
    assert instance.configuration.filter_response_nulls is False
    resource = instance.configuration.resource("contacts")
    assert (resource.filter_by_current_date, resource.filter_by_updated_date) == (True, False)
    assert resource.filter_field == resource.created


def test_a_non_boolean_names_the_key() -> None:
    body = seed_example()
    contacts(body)["filterByUpdatedDate"] = "yes"
    problems = problems_of(body)
    assert "true or false" in problems["/configuration/event.poller.configuration/contacts/filterByUpdatedDate"]


def test_numbers_as_strings_for_resource_settings() -> None:
    body = seed_example()
    contacts(body).update({"pollDelay": "30", "createdCheckTolerance": 5, "pageSize": "200"})
    resource = parse_instance(body).configuration.resource("contacts")
    assert resource.poll_delay == timedelta(seconds=30)
    assert resource.created_check_tolerance == timedelta(seconds=5)
    assert resource.page_size == 200


def test_all_problems_are_reported_together_with_their_key_paths() -> None:
    body = seed_example()
    dates = contacts(body)["datesConfiguration"]
    dates["updatedDateTimezone"] = "Mars/Olympus"
    dates["createdDateFormat"] = "YYYY-MM-dd"
    contacts(body)["url"] = "/hubs/crm/contacts?where=lastUpdated>'${lastPoll:yyyy}'"
    contacts(body)["idfield"] = "id"
    contacts(body)["pageSize"] = 0
    body["configuration"]["event.notification.callback.url"] = "mycoolapp.com"
    prefix = "/configuration/event.poller.configuration/contacts"
    problems = problems_of(body)
    assert set(problems) == {
        f"{prefix}/datesConfiguration/updatedDateTimezone",
        f"{prefix}/datesConfiguration/createdDateFormat",
        f"{prefix}/url",
        f"{prefix}/idfield",
        f"{prefix}/pageSize",
        "/configuration/event.notification.callback.url",
    }
    assert "unknown time zone 'Mars/Olympus'" in problems[f"{prefix}/datesConfiguration/updatedDateTimezone"]
    assert "week-year" in problems[f"{prefix}/datesConfiguration/createdDateFormat"]
    assert "unknown placeholder ${lastPoll:yyyy}" in problems[f"{prefix}/url"]
    assert "unknown key" in problems[f"{prefix}/idfield"]


def test_updated_date_settings_are_required_when_filtering_on_them() -> None:
    body = seed_example()
    del contacts(body)["datesConfiguration"]
    problems = problems_of(body)
    prefix = "/configuration/event.poller.configuration/contacts/datesConfiguration"
    assert set(problems) == {f"{prefix}/updatedDateField", f"{prefix}/updatedDateFormat"}


def test_milliseconds_is_a_date_format_and_timezone_defaults_to_gmt() -> None:
    body = seed_example()
    contacts(body)["datesConfiguration"] = {
        "updatedDateField": "modified",
        "updatedDateFormat": "milliseconds",
    }
    resource = parse_instance(body).configuration.resource("contacts")
    assert resource.updated is not None
    assert resource.updated.timezone == "GMT"
    assert resource.updated.formatter().parse("1720117096123") == datetime(2024, 7, 4, 18, 18, 16, 123_000, tzinfo=UTC)
    assert resource.created is None


def test_legacy_poller_urls_lines() -> None:
    body = seed_example()
    config = body["configuration"]
    del config["event.poller.configuration"]
    config["event.poller.urls"] = (
        f"contacts|{CONTACTS_URL}||_info.lastUpdated|{OC_FORMAT}|GMT|_info.dateEntered|{OC_FORMAT}|GMT\n"
        "\n"
        "companies|/hubs/crm/accounts?where=lastUpdated>'${epoch:s}'|/companies|lastUpdated|milliseconds|UTC"
    )
    resources = parse_instance(body).configuration.resources
    assert [resource.name for resource in resources] == ["contacts", "companies"]
    contacts_poller, companies = resources
    assert contacts_poller.updated is not None
    assert contacts_poller.created is not None
    assert contacts_poller.url.template == CONTACTS_URL
    assert (contacts_poller.created.field, contacts_poller.x_path_filter) == ("_info.dateEntered", None)
    assert companies.x_path_filter == "/companies"
    assert companies.updated is not None
    assert (companies.updated.format, companies.updated.timezone, companies.created) == (
        "milliseconds",
        "UTC",
        None,
    )


def test_bad_legacy_lines_name_the_line() -> None:
    body = seed_example()
    config = body["configuration"]
    del config["event.poller.configuration"]
    config["event.poller.urls"] = f"contacts|{CONTACTS_URL}||x|{OC_FORMAT}|GMT\njust-a-name"
    problems = problems_of(body)
    assert list(problems) == ["/configuration/event.poller.urls/line 2"]


def test_both_poller_forms_at_once_are_refused() -> None:
    body = seed_example()
    body["configuration"]["event.poller.urls"] = f"contacts|{CONTACTS_URL}"
    assert "not both" in problems_of(body)["/configuration/event.poller.urls"]


def test_poller_configuration_string_that_is_not_json() -> None:
    body = seed_example()
    body["configuration"]["event.poller.configuration"] = "{contacts: }"
    assert "not valid JSON" in problems_of(body)["/configuration/event.poller.configuration"]


def test_enabled_events_need_a_callback_and_something_to_poll() -> None:
    body = seed_example()
    del body["configuration"]["event.notification.callback.url"]
    body["configuration"]["event.poller.configuration"] = {}
    assert set(problems_of(body)) == {
        "/configuration/event.notification.callback.url",
        "/configuration/event.poller.configuration",
    }


def test_disabled_events_need_neither() -> None:
    body = seed_example()
    config = body["configuration"]
    config["event.notification.enabled"] = False
    for key in (
        "event.notification.callback.url",
        "event.poller.configuration",
        "event.poller.refresh_interval",
    ):
        del config[key]
    instance = parse_instance(body)
    assert instance.configuration.resources == ()
    assert instance.configuration.refresh_interval_minutes is None


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda body: body["element"].update(key="hubspotcrm"), "/element/key"),
        (
            lambda body: body["configuration"].update({"event.vendor.type": "webhook"}),
            "/configuration/event.vendor.type",
        ),
        (lambda body: body.update(tags="Test"), "/tags"),
        (lambda body: body.update(name=""), "/name"),
        (lambda body: body.update(id="12"), "/id"),
        (lambda body: body.update(createdDate="yesterday"), "/createdDate"),
        (
            lambda body: body["configuration"].update(baseUrl="api-na.myconnectwise.net"),
            "/configuration/baseUrl",
        ),
    ],
)
def test_other_refusals_name_their_key(change: Any, pointer: str) -> None:
    body = seed_example()
    change(body)
    assert list(problems_of(body)) == [pointer]


@pytest.mark.parametrize("key", ["private.key", "event.notification.signature.key"])
@pytest.mark.parametrize("value", [["kept-secret-1f2e"], {"key": "kept-secret-1f2e"}, "   "])
def test_a_malformed_secret_is_refused_without_repeating_it(key: str, value: object) -> None:
    body = seed_example()
    body["configuration"][key] = value
    problem = problems_of(body)[f"/configuration/{key}"]
    assert repr(value) not in problem
    assert "kept-secret-1f2e" not in problem
    assert problem.startswith(f"a {type(value).__name__} (its value is not shown: it holds a secret) is not the")
    body["configuration"]["public.key"] = ["shown-2d"]
    assert problems_of(body)["/configuration/public.key"].startswith("['shown-2d'] is not"), "other values are shown"


def test_invalid_json_text_is_refused() -> None:
    assert "not valid JSON" in problems_of("{")[""]


def test_round_trip_keeps_unknown_keys_verbatim() -> None:
    body = seed_example()
    body["configuration"]["some.future.key"] = {"kept": [1, 2]}
    instance = parse_instance(body)
    assert instance.to_json() == body
    assert instance.to_json()["providerData"] == {"code": "1c6ff4089d58d80e86482ab7d5b97f15dd7b041d"}
    assert parse_instance(instance.to_json()) == instance


def test_platform_fields_as_get_instances_returns_them() -> None:
    created = datetime(2024, 6, 15, 12, 0, 0, 123_456, tzinfo=UTC)
    instance = parse_instance(seed_example()).with_platform_fields(
        instance_id=8948659, token="tok-abc", created_date=created
    )
    assert (instance.id, instance.token) == (8948659, "tok-abc")
    assert instance.created_date == datetime(2024, 6, 15, 12, 0, 0, 123_000, tzinfo=UTC)
    body = instance.to_json()
    assert (body["id"], body["token"], body["createdDate"]) == (
        8948659,
        "tok-abc",
        "2024-06-15T12:00:00.123Z",
    )
    assert body["providerData"] == seed_example()["providerData"]
    assert parse_instance(json.dumps(body)) == instance


def test_instances_are_frozen() -> None:
    instance: Instance = parse_instance(seed_example())
    with pytest.raises(dataclasses.FrozenInstanceError):
        instance.name = "changed"  # type: ignore[misc]  # assigning a frozen field is what is tested
    with pytest.raises(dataclasses.FrozenInstanceError):
        instance.configuration.resources[0].id_field = "other"  # type: ignore[misc]  # frozen too
