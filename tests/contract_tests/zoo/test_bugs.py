"""The bug zoo: the contract suite, run as QA runs it, fails each deliberately faulty poller with its own finding.

Each bug runs only the scenario that catches it (`-k`), so the whole zoo takes seconds per bug; the zoo's base
poller, with no bug, passes those same scenarios, which proves each failure comes from the bug. The reference poller
passing the whole suite in-process and through `--poller-cmd "python -m cwmock poller once"` is run by tox.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cwmock.contract_tests.zoo.poller import BUGS

from support.contract_runs import ZOO, run_suite


@dataclass(frozen=True)
class Catch:
    """Which scenario catches a bug (a `-k` expression) and the text its verdict must show."""

    scenario: str
    findings: tuple[str, ...]
    policy: bool = False
    """The catching scenario or finding is cwmock policy: the suite is run with --judge-policy."""


CATCHES: dict[str, Catch] = {
    "gte-no-dedupe": Catch("test_a_burst_inside_the_windows_own_second", ("DUPLICATED contact",)),
    "local-time": Catch("test_one_create_gives_one_event", ("MISSING contact",)),
    "offset-paging": Catch("test_changes_between_offset_pages and update", ("DUPLICATED contact",)),
    "no-retry": Catch("test_a_500_is_retried", ("PARKED contact", "must be retried, not parked")),
    "hex-signature": Catch(
        "test_a_signed_instance_signs_every_attempt",
        ("MALFORMED notification", "Elements-Webhook-Signature invalid"),
    ),
    "batch-all": Catch(
        "test_more_than_ten_changes",
        ("MALFORMED notification", "message.events: 23 items, more than the maximum of 10"),
    ),
    "created-if-new-id": Catch(
        "test_the_seeds_configuration_makes_every_event_created",
        ("MALFORMED notification", "eventType is UPDATED but", "so it must be CREATED"),
    ),
    "dedupe-by-id": Catch("test_the_seeds_configuration_makes_every_event_created", ("MISSING contact",)),
    "new-id-per-retry": Catch("test_a_receiver_timeout_is_retried", ("DUPLICATED contact", "in 2 deliveries")),
    "rebuild-on-retry": Catch(
        "test_a_500_is_retried", ("MALFORMED notification", "a resend must repeat the same id with the same bytes")
    ),
    "ignore-poll-delay": Catch("test_a_change_visible_late_but_within_poll_delay", ("MISSING contact",)),
    "backfill": Catch(
        "test_records_from_before_the_instance_are_not_backfilled", ("EARLY contact", "[cwmock policy]"), policy=True
    ),
}
# The naive strict-cursor poller (contract_tests/zoo/naive_poller.py) is judged in test_naive_poller.py.
NAIVE_SCENARIO = "test_an_update_inside_the_second_a_window_starts_is_delivered"


def assert_caught(output: str, code: int, catch: Catch) -> None:
    assert code == 1, f"the suite must fail this poller (exit {code}):\n{output}"
    failed = [line for line in output.splitlines() if line.startswith("FAILED")]
    assert failed, output
    for text in catch.findings:
        assert text in output, f"expected {text!r} in the verdict:\n{output}"


def test_every_bug_has_a_catching_scenario() -> None:
    assert set(CATCHES) == set(BUGS)
    assert len(BUGS) >= 8


@pytest.mark.parametrize("bug", sorted(CATCHES))
def test_the_suite_catches_the_bug_with_its_finding(bug: str) -> None:
    catch = CATCHES[bug]
    code, output = run_suite(f"{ZOO} --bug {bug}", catch.scenario, policy=catch.policy)
    assert_caught(output, code, catch)


def test_the_zoo_base_without_a_bug_passes_every_catching_scenario() -> None:
    scenarios = sorted({c.scenario for c in CATCHES.values()} | {NAIVE_SCENARIO})
    code, output = run_suite(ZOO, " or ".join(f"({s})" for s in scenarios), policy=True)
    assert code == 0, output
    assert "passed" in output
    assert "failed" not in output
    assert "skipped" not in output, "with --judge-policy every catching scenario runs"


def test_backfill_is_policy_so_it_fails_only_when_policy_is_judged() -> None:
    catch = CATCHES["backfill"]
    code, output = run_suite(f"{ZOO} --bug backfill", catch.scenario)
    assert code == 0, output
    assert "1 skipped" in output
    assert "cwmock policy (the first poll's lower bound is undocumented" in output
    assert "pass --judge-policy to hold this poller to it" in output
