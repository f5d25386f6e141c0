"""Documented rules vs cwmock policy: every rule is classified, and policy fails a poller only when judged."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cwmock.contract_tests.oracle.rules import RULES, Basis, rule
from cwmock.contract_tests.oracle.verdict import FindingKind

from support.oracle import Scenario, at, judged_by_default

ORACLE_PAGE = Path(__file__).resolve().parents[3] / "docs" / "contract-suite" / "oracle.md"
PUBLIC_SOURCE = re.compile(r"\([a-z0-9.-]+\.(com|org|io|net)/[^)]+\)")


def test_every_rule_carries_its_classification_and_source() -> None:
    assert len({r.name for r in RULES}) == len(RULES)
    for each in RULES:
        assert isinstance(each.basis, Basis), each
        assert each.source.strip(), each
        assert each.text.strip(), each
        if each.basis is Basis.DOCUMENTED:
            assert PUBLIC_SOURCE.search(each.source), f"{each.name}: a documented rule names its public source's URL"
        else:
            assert each.source.startswith("docs/"), f"{each.name}: cites the docs page"
            assert "#" in each.source, f"{each.name}: cites an anchor of the docs page"


def test_the_docs_rule_table_lists_every_rule_with_its_basis_and_source() -> None:
    rows = [line for line in ORACLE_PAGE.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    by_name = {line.split("|")[1].strip().strip("`"): line for line in rows}
    assert set(by_name) == {r.name for r in RULES}
    for each in RULES:
        cells = [cell.strip() for cell in by_name[each.name].split("|")[1:-1]]
        assert cells[2] == each.finding, cells
        assert cells[3] == each.basis.value, cells
        source = each.source.split(" (")[0] if each.basis is Basis.DOCUMENTED else each.source
        assert source.split(";")[0] in cells[4], (each.name, cells[4])


def test_the_old_raw_and_poll_date_rules_are_documented_now_and_the_rest_of_policy_is_named() -> None:
    assert rule("raw").basis is Basis.DOCUMENTED
    assert rule("poll-date").basis is Basis.DOCUMENTED
    assert {r.name for r in RULES if r.policy} == {"early", "event-date"}


def date_world() -> Scenario:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    window = world.window(at(15))

    def emitted_later(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["date"] = "2026-01-01T00:15:02Z"  # the time the event was emitted

    world.notify([key], window, change=emitted_later)
    return world


def test_an_event_date_other_than_the_records_stamp_fails_only_when_policy_is_judged() -> None:
    judged = date_world().judge()
    assert not judged.passed
    assert [(f.kind, f.policy, f.judged) for f in judged.findings] == [(FindingKind.MALFORMED, True, True)]
    assert "date is the record's updated stamp (cwmock policy)" in judged.report()
    assert "[cwmock policy]" in judged.report()
    assert judged.findings[0].lines()[0] == "MALFORMED notification 1001 (webhook id hook-1) [cwmock policy]:"
    documented_only = date_world().judge(policy=False)
    assert documented_only.passed, documented_only.report()
    assert [(f.kind, f.judged) for f in documented_only.findings] == [(FindingKind.MALFORMED, False)]
    assert "(not judged) MALFORMED notification 1001 (webhook id hook-1) [cwmock policy]" in documented_only.report()
    assert documented_only.required == 1


@pytest.mark.parametrize("policy", [True, False])
def test_an_event_before_s0_is_early_by_policy(policy: bool) -> None:
    world = Scenario()
    world.now = at(1)
    early = world.write(1, at(0))
    window = world.window(at(15))
    world.notify([early], window)
    verdict = world.judge(policy=policy)
    assert [(f.kind, f.policy) for f in verdict.findings] == [(FindingKind.EARLY, True)]
    assert verdict.passed is not policy


def test_called_without_saying_the_judge_holds_a_poller_to_policy() -> None:
    """`judge()`'s default, as a judge written against the API gets it: a poller asks to be let off policy."""
    verdict = judged_by_default(date_world().case())
    assert [(f.kind, f.policy, f.judged) for f in verdict.findings] == [(FindingKind.MALFORMED, True, True)]
    assert not verdict.passed


def test_by_default_the_judge_holds_the_target_to_policy() -> None:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.notify(
        [key], world.window(at(15)), change=lambda d: d["message"]["events"][0].update(date="2026-01-01T00:06:00Z")
    )
    verdict = judged_by_default(world.case())
    assert (verdict.passed, verdict.judge_policy) == (False, True), verdict.report()
    assert world.judge(policy=False).judge_policy is False


def test_by_default_the_judge_does_not_assume_drift_safety() -> None:
    """A page after which the data shifted makes its window unclean unless the poller claims drift safety."""
    world = Scenario()
    world.now = at(5)
    first = world.write(1, at(5))
    world.write(2, at(5))
    world.begin(at(15))
    world.request(result_end=False)
    world.journal[-1] = replace(world.journal[-1], fault="mutate_between_pages")
    world.request()
    world.notify([first], world.end())
    world.window(at(30))
    verdict = judged_by_default(world.case())
    assert verdict.passed, verdict.report()


def test_a_served_log_of_another_instance_is_refused_naming_both() -> None:
    case = Scenario().case()
    with pytest.raises(ValueError, match=r"^the served log is instance 7's, but instance 4242 is judged$"):
        replace(case, served=replace(case.served, instance=7)).judge()
