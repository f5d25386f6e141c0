"""Per-resource keys: the ones the platform documents are accepted (honoured, or kept and reported as not
emulated); a typo is refused with the key it most resembles."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cwmock.core.instance.config import parse_instance
from cwmock.core.instance.errors import InstanceConfigError
from cwmock.fixtures import read_fixture

PREFIX = "/configuration/event.poller.configuration/contacts"


def seed_with(**settings: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(read_fixture("instances/seed_example_polling.json"))
    body["configuration"]["event.poller.configuration"]["contacts"].update(settings)
    return body


def problems_of(body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InstanceConfigError) as refused:
        parse_instance(body)
    return {problem.pointer: problem.problem for problem in refused.value.problems}


def test_documented_keys_are_accepted_kept_and_reported() -> None:
    given = {
        "batchSize": 10,
        "postHooks": [{"script": "done(body)"}],
        "postHookPipelines": [],
        "useHydrationBeforePostHooks": True,
        "objectName": "Contact",
        "parameters": {"x": 1},
        "useLastPollDate": True,
    }
    instance = parse_instance(seed_with(**given))
    resource = instance.configuration.resource("contacts")
    assert resource.not_emulated == (
        "batchSize",
        "postHooks",
        "postHookPipelines",
        "useHydrationBeforePostHooks",
        "objectName",
        "parameters",
    ), "useLastPollDate: true is what the poller does, so it is not reported"
    kept = instance.to_json()["configuration"]["event.poller.configuration"]["contacts"]
    assert {key: kept[key] for key in given} == given, "every key is kept as given"


def test_use_last_poll_date_false_is_reported_as_not_emulated() -> None:
    resource = parse_instance(seed_with(useLastPollDate="false")).configuration.resource("contacts")
    assert resource.not_emulated == ("useLastPollDate",)


@pytest.mark.parametrize(
    ("settings", "key", "problem"),
    [
        ({"batchSize": 0}, "batchSize", "1"),
        ({"batchSize": "many"}, "batchSize", "events"),
        ({"useLastPollDate": "sometimes"}, "useLastPollDate", "true"),
    ],
)
def test_documented_keys_of_a_known_type_are_checked(settings: dict[str, Any], key: str, problem: str) -> None:
    assert problem in problems_of(seed_with(**settings))[f"{PREFIX}/{key}"]


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("batchsize", "batchSize"),
        ("pagesize", "pageSize"),
        ("useLastPolDate", "useLastPollDate"),
        ("idfield", "idField"),
    ],
)
def test_a_typo_is_refused_with_a_suggestion(typo: str, meant: str) -> None:
    problem = problems_of(seed_with(**{typo: 1}))[f"{PREFIX}/{typo}"]
    assert f"unknown key; did you mean {meant!r}?" in problem


def test_a_key_like_none_gets_no_suggestion() -> None:
    problem = problems_of(seed_with(shoeSize=42))[f"{PREFIX}/shoeSize"]
    assert "did you mean" not in problem
    assert "batchSize" in problem, "the known keys are listed"
