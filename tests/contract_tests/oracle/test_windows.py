"""Windows and drift: a page answered whole after which the data changed makes a window unclean, unless the poller
claims drift safety (`strict_drift`, cwmock policy); then what it skipped there is MISSING."""

from __future__ import annotations

from dataclasses import replace

from cwmock.contract_tests.oracle.verdict import FindingKind
from cwmock.contract_tests.oracle.windows import window_statuses

from support.oracle import Scenario, at, judged_by_default


def drifted_world(*, also: str | None = None, drift: str = "mutate_between_pages") -> tuple[Scenario, str]:
    """Two contacts; window 1 reads both on a page whose change shifted the next (`drift`: the faults the journal
    names on that page), the poller delivers only the first (it skipped the second), window 2 catches up with
    nothing (its lower bound is after both)."""
    world = Scenario()
    world.now = at(5)
    first, second = world.write(1, at(5)), world.write(2, at(5))
    world.begin(at(15))
    world.request(result_end=False)
    world.journal[-1] = replace(world.journal[-1], fault=drift)
    world.request(result_end=True)
    if also is not None:
        world.request(fault=also, status=503)
    window = world.end()
    world.notify([first], window)
    world.window(at(30))
    return world, str(second)


def test_by_default_a_window_whose_pages_shifted_is_not_clean_so_nothing_there_is_required() -> None:
    world, _ = drifted_world()
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 0
    assert "faulted: seq" in verdict.windows[0]


def test_with_strict_drift_what_the_poller_skipped_there_is_missing() -> None:
    world, skipped = drifted_world()
    verdict = replace(world.case(), strict_drift=True).judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.MISSING, skipped)]
    assert verdict.required == 2


def test_strict_drift_does_not_excuse_other_faults() -> None:
    world, _ = drifted_world(also="status")
    verdict = replace(world.case(), strict_drift=True).judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 0, "a failed request still makes the window unclean"


def test_strict_drift_excuses_a_page_changed_by_several_drifts() -> None:
    """Two changes injected between the same pages: the journal names the fault once per change."""
    world, skipped = drifted_world(drift="mutate_between_pages,mutate_between_pages")
    verdict = replace(world.case(), strict_drift=True).judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.MISSING, skipped)]


def test_strict_drift_does_not_excuse_another_fault_on_the_drifted_page() -> None:
    """A page answered 200 but also shaped by another fault (here a delay) is not a drift-only page."""
    world, _ = drifted_world(drift="mutate_between_pages,latency")
    verdict = replace(world.case(), strict_drift=True).judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 0, "the delayed page still makes the window unclean"


def test_called_without_saying_the_judge_does_not_hold_a_poller_to_strict_drift() -> None:
    """`judge()`'s default, as a judge written against the API gets it: strict drift is for a poller that claims it."""
    verdict = judged_by_default(drifted_world()[0].case())
    assert verdict.passed, verdict.report()
    assert verdict.required == 0


def test_window_statuses_judge_a_shifted_page_as_a_fault_unless_asked_otherwise() -> None:
    """Its other callers (the timeline, the live session) pass no `strict_drift`: drift safety is claimed, never
    assumed (cwmock policy)."""
    world, _ = drifted_world()
    case = world.case()
    first = window_statuses(case.windows, case.journal, case.instance.id)[0]
    assert (first.clean, first.hub_clean) == (False, False)
    strict = window_statuses(case.windows, case.journal, case.instance.id, strict_drift=True)[0]
    assert (strict.clean, strict.hub_clean) == (True, True)


def test_a_window_with_two_faults_lists_both() -> None:
    world, _ = drifted_world(also="hub-503")
    line = next(line for line in world.judge().report().splitlines() if line.strip().startswith("window 1 ("))
    assert "; faulted: seq 5 GET /elements/api-v2/hubs/crm/contacts -> 200 (fault 'mutate_between_pages'); seq 7 " in (
        line
    ), line
