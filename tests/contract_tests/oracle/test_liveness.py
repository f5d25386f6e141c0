"""Liveness, a rule of the judge (docs/design.md#liveness): a window the poller did not finish is no evidence of
exactly-once. One hand-made history per clause; and the crash case of clause 2 (docs/design.md#required-versions)."""

from __future__ import annotations

import pytest

from cwmock.contract_tests.oracle.inputs import Crash
from cwmock.contract_tests.oracle.verdict import FindingKind, Verdict

from support.oracle import Scenario, at

EXIT_2 = Crash("exit status 2", output="starting\nTraceback (most recent call last):\nKeyError: 'id'")


def kinds(verdict: Verdict) -> list[tuple[FindingKind, str | None]]:
    return [(f.kind, None if f.version is None else str(f.version)) for f in verdict.findings]


def delivered_then_crashed(crash: Crash) -> Scenario:
    """Window 1 delivers the one version; window 2 does not finish; window 3, the settle, is clean and complete."""
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.notify([key], world.window(at(15)))
    world.window(at(30), crash=crash)
    world.window(at(45))
    return world


def test_a_crash_the_suite_did_not_inject_is_crashed_with_its_cause_and_what_the_poller_printed() -> None:
    verdict = delivered_then_crashed(EXIT_2).judge()
    assert not verdict.passed
    assert kinds(verdict) == [(FindingKind.CRASHED, None)]
    [crashed] = verdict.crashed
    assert crashed.windows == (2,)
    assert crashed.lines() == [
        "CRASHED window 2: starts 2026-01-01T00:30:00Z; exit status 2; the suite did not cause it, and a window the "
        "poller did not finish is no evidence of exactly-once; its stderr ends:",
        "    | starting",
        "    | Traceback (most recent call last):",
        "    | KeyError: 'id'",
    ]
    assert verdict.report().startswith("FAIL instance 4242: 1 crashed; 1 required version(s)")
    assert "window 2 (faulted, complete, starts 2026-01-01T00:30:00Z): 1 hub request(s); faulted: the poller " in (
        verdict.report()
    )


def test_a_crash_the_suite_injected_is_no_finding() -> None:
    verdict = delivered_then_crashed(Crash("killed by signal SIGKILL at after_commit", injected=True)).judge()
    assert verdict.passed, verdict.report()
    assert "faulted: a crash the suite injected: killed by signal SIGKILL at after_commit" in verdict.report()


def test_only_the_last_lines_are_shown_and_a_repeat_points_at_the_first() -> None:
    long = Crash("exit status 1", output="\n".join(f"line {n}" for n in range(50)))
    world = delivered_then_crashed(long)
    world.window(at(60), crash=long)
    world.window(at(75), crash=Crash("killed after --poller-timeout 30 s"))
    world.window(at(90))
    first, again, silent = world.judge().crashed
    assert first.output == tuple(f"line {n}" for n in range(30, 50))
    assert again.evidence[-1] == "its stderr ends as window 2's"
    assert again.output == ()
    assert silent.evidence[1:] == (
        "killed after --poller-timeout 30 s",
        "the suite did not cause it, and a window the poller did not finish is no evidence of exactly-once",
        "it printed nothing on stderr",
    )


def test_a_settle_whose_windows_all_crashed_is_unsettled_even_when_the_crashes_were_injected() -> None:
    world = Scenario()
    world.window(at(15), crashed=True)
    verdict = world.judge()
    assert kinds(verdict) == [(FindingKind.UNSETTLED, None)]
    assert verdict.unsettled[0].lines() == [
        "UNSETTLED settle: no window of the settle was clean and complete; window 1 (faulted, complete, starts "
        "2026-01-01T00:15:00Z): a crash the suite injected: killed by signal SIGKILL at after_fetch; so nothing shows "
        "the poller caught up with what was written."
    ]


def test_a_settle_window_that_never_reached_the_end_of_the_result_is_unsettled() -> None:
    world = Scenario()
    world.window(at(15), requests=0)
    assert "window 1 (clean, incomplete, starts 2026-01-01T00:15:00Z): no hub response of its 0 request(s) ended " in (
        world.judge().report()
    )
    assert kinds(world.judge()) == [(FindingKind.UNSETTLED, None)]


def test_an_unsettled_finding_names_every_settle_window_and_each_reason() -> None:
    world = Scenario()
    world.window(at(15))
    world.window(at(30), requests=0, crash=EXIT_2)
    world.window(at(45), fault="hub-503")
    [unsettled] = world.judge(settled_from=2).unsettled
    assert unsettled.windows == (2, 3)
    assert unsettled.evidence[1] == (
        "window 2 (faulted, incomplete, starts 2026-01-01T00:30:00Z): the poller crashed: exit status 2; no hub "
        "response of its 0 request(s) ended a result (a page shorter than pageSize)"
    )


def test_a_settle_that_ran_no_window_is_unsettled() -> None:
    world = Scenario()
    world.window(at(15))
    verdict = world.judge(settled_from=2)
    assert kinds(verdict) == [(FindingKind.UNSETTLED, None)]
    assert "the settle ran no window (its first would be window 2)" in verdict.report()


def test_one_clean_complete_window_anywhere_in_the_settle_is_enough() -> None:
    world = Scenario()
    world.window(at(15))
    world.window(at(30), fault="hub-503")
    world.window(at(31))
    world.window(at(32), complete=False)
    assert world.judge(settled_from=2).passed
    assert kinds(world.judge(settled_from=4)) == [(FindingKind.UNSETTLED, None)]


def test_a_settle_the_journal_dropped_is_inconclusive_not_unsettled() -> None:
    world = Scenario()
    world.window(at(15))
    verdict = world.judge(dropped=1, keep_from=2)
    assert kinds(verdict) == []
    assert verdict.inconclusive
    assert verdict.inconclusive_reasons == (
        "the journal dropped entries of settle window(s) [1], so whether the settle reached a clean, complete window "
        "is unknown; enlarge the journal (or judge sooner)",
    )


# Clause 2's crash case (docs/design.md#required-versions): a window the poller crashed in after being served the
# whole result, with no faulted response, and the clean window right after it.


def crashed_then_retried(*, fault: str | None = None, complete: bool = True) -> tuple[Scenario, str]:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.window(at(15), crashed=True, fault=fault, complete=complete)
    world.window(at(30))
    return world, str(key)


def test_a_version_served_whole_to_a_crashed_window_and_visible_in_the_next_clean_one_is_required() -> None:
    world, key = crashed_then_retried()
    verdict = world.judge()
    assert kinds(verdict) == [(FindingKind.MISSING, key)]
    assert (
        "the poller crashed in window 1 after being served the whole result, no response faulted, and it stayed "
        "visible throughout window 2 (clean, complete, starts 2026-01-01T00:30:00Z): a poller that committed in "
        "window 1 holds it, one that did not fetches it again"
    ) in verdict.report()


def test_not_when_a_response_of_the_crashed_window_was_faulted() -> None:
    world, _ = crashed_then_retried(fault="hub-503")
    assert world.judge().passed


def test_not_when_the_crashed_window_never_reached_the_end_of_the_result() -> None:
    world, key = crashed_then_retried(complete=False)
    # Incomplete, window 1 does not move the lower bound: window 2 requires it on its own.
    assert kinds(world.judge()) == [(FindingKind.MISSING, key)]
    assert "throughout window 2 (clean, complete" in world.judge().report()
    assert "after being served the whole result" not in world.judge().report()


def test_not_when_the_next_window_is_not_clean() -> None:
    world = Scenario()
    world.now = at(5)
    world.write(1, at(5))
    world.window(at(15), crashed=True)
    world.window(at(30), fault="hub-503")
    world.window(at(45))
    assert world.judge().passed


@pytest.mark.parametrize("clean_window_first", [False, True])
def test_not_when_the_version_is_gone_before_the_next_window_ends(clean_window_first: bool) -> None:
    # With a clean window before the crash too: "the next window" is the one after the crash, not the one before.
    world = Scenario()
    if clean_window_first:
        world.window(at(10))
    world.now = at(12)
    world.write(1, at(12))
    world.window(at(15), crashed=True)
    world.begin(at(30))
    world.request()
    world.delete(1)
    world.end()
    world.window(at(45))
    assert world.judge().passed, world.judge().report()


def test_a_crash_after_being_served_whole_in_the_last_window_has_no_next_window_to_require_it() -> None:
    world = Scenario()
    world.now = at(5)
    world.write(1, at(5))
    world.window(at(15), crashed=True)
    verdict = world.judge()
    assert kinds(verdict) == [(FindingKind.UNSETTLED, None)], verdict.report()


def crashed_with_its_first_request_dropped_from_the_journal() -> Scenario:
    """Window 1 crashed (injected) after two requests; the journal lost the first, so whether a response of it was
    faulted is unknown, while the kept second one proves the result ended. Window 2 is clean and complete."""
    world = Scenario()
    world.now = at(5)
    world.write(1, at(5))
    world.begin(at(15))
    world.request(result_end=False)
    world.request()
    world.end(crashed=True)
    world.window(at(30))
    return world


def test_a_crashed_window_with_lost_journal_entries_may_have_been_served_whole_so_the_verdict_is_inconclusive() -> None:
    # Clause 2's crash case when the journal cannot tell whether the crashed window was served whole: the version is
    # possibly required (not MISSING, and not a pass either).
    world = crashed_with_its_first_request_dropped_from_the_journal()
    verdict = world.judge(dropped=1, keep_from=world.windows[0].begin_seq + 2)
    assert verdict.findings == (), verdict.report()
    assert verdict.inconclusive
    assert "contact 1 @ 2026-01-01T00:05:00Z would be required" in verdict.inconclusive_reasons[0]


def test_a_version_required_through_a_crashed_window_names_the_complete_window_before_it() -> None:
    """The lower bound comes from window 1 (complete, before the version was written): the MISSING finding names
    window 2 (the crashed one that was served it whole) and window 1."""
    world = Scenario()
    world.window(at(10))
    world.now = at(12)
    world.write(1, at(12))
    world.window(at(15), crashed=True)
    world.window(at(30))
    [finding] = world.judge().findings
    assert (finding.kind, finding.windows) == (FindingKind.MISSING, (2, 1))
