"""The stateful test's small parts: profile choice, the crash switch, instance variants, failure descriptions."""

from __future__ import annotations

import json

import pytest
from hypothesis import Phase, settings

from cwmock.contract_tests.harness.reference_adapter import InjectedCrash
from cwmock.contract_tests.stateful.model import SIGNATURE_KEY, CrashSwitch, InstanceVariant, ReceiverFailure
from cwmock.contract_tests.stateful.settings import PROFILE_ENV, profile_name, stateful_settings
from cwmock.fixtures import read_fixture


def test_the_option_wins_over_the_environment_and_ci_is_the_default() -> None:
    assert profile_name("deep", {PROFILE_ENV: "dev"}) == "deep"
    assert profile_name(None, {PROFILE_ENV: "dev"}) == "dev"
    assert profile_name(None, {}) == "ci"


def test_an_unknown_profile_names_its_source_and_the_choices() -> None:
    with pytest.raises(ValueError, match=rf"{PROFILE_ENV}='fast' is not a cwmock profile; use one of dev, ci, deep"):
        profile_name(None, {PROFILE_ENV: "fast"})
    with pytest.raises(ValueError, match="'nope' is not a cwmock profile"):
        stateful_settings("nope")


def test_ci_is_derandomized_without_shrinking_and_external_targets_get_a_quarter() -> None:
    ci = stateful_settings("ci")
    assert ci.derandomize
    assert ci.database is None
    assert Phase.shrink not in ci.phases
    assert stateful_settings("ci", external=True).max_examples == ci.max_examples // 4
    assert stateful_settings("dev").max_examples < ci.max_examples < stateful_settings("deep").max_examples
    assert stateful_settings("deep").max_examples >= 1000


def test_registering_the_profiles_leaves_hypothesis_own_ci_profile_alone() -> None:
    assert settings.get_profile("ci").max_examples != stateful_settings("ci").max_examples


def test_the_crash_switch_fires_once_at_the_armed_point() -> None:
    switch = CrashSwitch()
    switch("after_fetch")  # not armed: nothing happens
    switch.arm("after_send")
    switch("after_fetch")
    with pytest.raises(InjectedCrash, match="simulated crash at after_send"):
        switch("after_send")
    switch("after_send")  # fired already
    assert switch.disarm() is False
    switch.arm("after_ack")
    assert switch.disarm() is True


def test_a_variant_changes_a_copy_of_the_instance_body() -> None:
    body = json.loads(read_fixture("instances/seed_example_polling.json"))
    original = json.dumps(body, sort_keys=True)
    varied = InstanceVariant(poll_delay=30, signed=True).apply(body)
    assert json.dumps(body, sort_keys=True) == original
    assert varied["configuration"]["event.poller.configuration"]["contacts"]["pollDelay"] == 30
    assert varied["configuration"]["event.notification.signature.key"] == SIGNATURE_KEY
    assert InstanceVariant().apply(body) == body


def test_failures_describe_themselves() -> None:
    assert ReceiverFailure(429, 2, retry_after=30).describe() == "429 Retry-After 30 ×2"
    assert ReceiverFailure(200, 1, delay=0.6).describe() == "timeout (answered after 0.6 s) ×1"
    assert ReceiverFailure(503, 1).describe() == "503 ×1"
