"""The oracle's format, parked and inconclusive clauses, from hand-made histories."""

from __future__ import annotations

from typing import Any

from cwmock.contract_tests.oracle.verdict import FindingKind

from support.oracle import Scenario, at


def delivered_world(**config: Any) -> tuple[Scenario, Any, Any]:
    world = Scenario().configure(**config)
    world.now = at(5)
    key = world.write(1, at(5))
    window = world.window(at(15))
    return world, key, window


def malformed_problems(world: Scenario) -> list[str]:
    verdict = world.judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.MALFORMED], verdict.report()
    return list(verdict.malformed[0].evidence[1:])


def test_a_valid_signature_passes() -> None:
    world, key, window = delivered_world(signature_key="MySecretEventSignatureKey")
    world.notify([key], window)
    assert world.judge().passed


def test_a_bad_signature_is_malformed() -> None:
    world, key, window = delivered_world(signature_key="MySecretEventSignatureKey")
    world.notify([key], window, signature="sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ=")
    problems = malformed_problems(world)
    assert problems == [
        "arrival #1: Elements-Webhook-Signature invalid: "
        "sha256 signature matches none of the 1 configured key(s) for these body bytes"
    ]


def test_a_missing_signature_is_malformed_when_a_key_is_set() -> None:
    world, key, window = delivered_world()
    arrival = world.notify([key], window)
    world.configure(signature_key="MySecretEventSignatureKey")
    assert arrival.header("elements-webhook-signature") is None
    assert "missing" in malformed_problems(world)[0]


def test_eleven_events_are_malformed_but_each_version_still_counts_once() -> None:
    world = Scenario()
    world.now = at(5)
    keys = [world.write(contact, at(5)) for contact in range(1, 12)]
    window = world.window(at(15))
    world.notify(keys, window)
    verdict = world.judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.MALFORMED]
    assert "message.events: 11 items, more than the maximum of 10" in verdict.report()
    assert verdict.required == 11


def test_ten_events_split_over_two_notifications_pass() -> None:
    world = Scenario()
    world.now = at(5)
    keys = [world.write(contact, at(5)) for contact in range(1, 12)]
    window = world.window(at(15))
    world.notify(keys[:10], window)
    world.notify(keys[10:], window)
    assert world.judge().passed


def test_a_wrong_event_type_is_malformed() -> None:
    world, key, window = delivered_world()
    world.notify([key], window, event_type="UPDATED")
    assert malformed_problems(world) == [
        "message.events[0].eventType is UPDATED but _info.lastUpdated and _info.lastUpdated are 0 s apart "
        "(createdCheckTolerance 10 s), so it must be CREATED"
    ]


def test_updated_beyond_the_created_check_tolerance_must_be_updated() -> None:
    world, key, window = delivered_world(created_date_field="_info.dateEntered")

    def entered_earlier(document: dict[str, Any]) -> None:
        document["message"]["raw"]["contacts"][0]["_info"]["dateEntered"] = "2026-01-01T00:04:49Z"

    world.notify([key], window, change=entered_earlier, event_type="UPDATED")
    assert world.judge().passed
    world, key, window = delivered_world(created_date_field="_info.dateEntered")

    def entered_within_tolerance(document: dict[str, Any]) -> None:
        document["message"]["raw"]["contacts"][0]["_info"]["dateEntered"] = "2026-01-01T00:04:50Z"

    world.notify([key], window, change=entered_within_tolerance, event_type="UPDATED")
    assert "so it must be CREATED" in malformed_problems(world)[0]


def test_an_instance_id_of_another_instance_is_malformed() -> None:
    world, key, window = delivered_world()

    def other_instance(document: dict[str, Any]) -> None:
        document["message"]["instanceId"] = document["message"]["instance_id"] = 7
        document["topic"] = "instance-7-connectwisecrmrest-events"

    world.notify([key], window, change=other_instance)
    assert malformed_problems(world) == [
        "message.instanceId is 7 but the instance id is 4242",
        "message.instance_id is 7 but the instance id is 4242",
    ]


def test_a_body_that_is_not_json_is_malformed_and_carries_nothing() -> None:
    world, _, _ = delivered_world()
    world.arrive(b"not json", (("elements-webhook-id", "x"),))
    verdict = world.judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.MISSING, FindingKind.MALFORMED]
    assert verdict.malformed[0].subject == "notification without id (webhook id x)"


def test_refused_on_every_attempt_before_the_settle_is_parked_not_missing() -> None:
    world, key, window = delivered_world()
    first = world.notify([key], window, status=500)
    world.resend(first, status=503)
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    assert [(f.kind, f.version) for f in verdict.findings] == [(FindingKind.PARKED, key)]
    assert "every attempt was refused before the settle: webhook id hook-1" in verdict.report()
    assert "arrivals #1 -> 500, #2 -> 503" in verdict.report()


def test_refused_again_after_the_settle_began_is_missing() -> None:
    world, key, window = delivered_world()
    first = world.notify([key], window, status=500)
    world.resend(first, status=500)
    verdict = world.judge(settle=1)
    assert [(f.kind, f.version) for f in verdict.findings] == [(FindingKind.MISSING, key)]
    assert "every attempt was refused, some after the settle began" in verdict.report()


def test_a_refused_delivery_then_a_new_id_is_a_duplicate() -> None:
    world, key, window = delivered_world()
    world.notify([key], window, status=500)
    world.notify([key], window)
    assert [f.kind for f in world.judge().findings] == [FindingKind.DUPLICATED]


def dropped_world() -> tuple[Scenario, Any]:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.window(at(15))  # the only window it was visible throughout
    world.delete(1)
    world.window(at(30))
    return world, key


def test_journal_drops_that_hide_a_window_a_verdict_needs_are_inconclusive() -> None:
    world, key = dropped_world()
    assert [f.kind for f in world.judge().findings] == [FindingKind.MISSING]
    verdict = world.judge(dropped=3, keep_from=world.windows[1].begin_seq + 1)
    assert verdict.inconclusive
    assert not verdict.passed
    assert verdict.findings == ()
    assert verdict.report().startswith("INCONCLUSIVE instance 4242")
    assert f"INCONCLUSIVE: {key} would be required if the windows with dropped journal entries ([1])" in (
        verdict.report()
    )
    assert "window 1 (clean unknown, complete unknown" in verdict.report()
    assert verdict.inconclusive_reasons == (
        f"{key} would be required if the windows with dropped journal entries ([1]) were clean and not complete "
        "(first: window 1 (clean unknown, complete unknown, starts 2026-01-01T00:15:00Z)), and no acknowledged "
        "delivery carried it; enlarge the journal (or judge sooner) so it keeps every window's hub requests",
    ), "what is unknown, and the way out"


def test_journal_drops_no_judgement_depends_on_leave_the_verdict_decided() -> None:
    world, key = dropped_world()
    world.notify([key], world.windows[0])
    verdict = world.judge(dropped=3, keep_from=world.windows[1].begin_seq + 1)
    assert verdict.passed, verdict.report()


def test_kept_entries_still_prove_a_fault_in_a_window_with_drops() -> None:
    world = Scenario()
    world.now = at(5)
    world.write(1, at(5))
    world.begin(at(15))
    world.request()
    world.request(fault="hub-503", status=503)
    world.end()
    verdict = world.judge(dropped=1, keep_from=4)  # seq 3, the result end, was dropped
    # Nothing required and conclusive: only the settle's own finding, since its one window was faulted.
    assert [f.kind for f in verdict.findings] == [FindingKind.UNSETTLED], verdict.report()
    assert not verdict.inconclusive, verdict.report()
    assert "window 1 (faulted, complete unknown" in verdict.report()


def test_an_unsupported_filter_field_is_inconclusive() -> None:
    world, key, window = delivered_world(filter_by_updated_date=False, created_date_field="_info.dateEntered")
    world.notify([key], window)
    verdict = world.judge()
    assert verdict.inconclusive
    assert "the filter field is '_info.dateEntered'" in verdict.inconclusive_reasons[0]


def test_a_failing_verdict_reads_at_a_glance() -> None:
    world = Scenario()
    world.now = at(5)
    kept = world.write(1, at(5))
    lost = world.write(2, at(5))
    first = world.window(at(15))
    world.notify([kept], first)
    world.notify([kept], first)
    report = world.judge().report()
    assert report.splitlines()[0] == (
        "FAIL instance 4242: 1 missing, 1 duplicated; 2 required version(s), 2 delivery(ies) from 2 arrival(s), "
        "1 window(s)"
    )
    assert f"MISSING {lost}: visible from" in report
    assert f"DUPLICATED {kept}: required, in 2 deliveries; carried by webhook id hook-1" in report
    assert report.splitlines()[-1] == ("  window 1 (clean, complete, starts 2026-01-01T00:15:00Z): 1 hub request(s)")


def test_a_malformed_notification_is_named_by_its_id_and_lists_every_version_it_carries() -> None:
    world = Scenario()
    world.now = at(5)
    keys = [world.write(1, at(5)), world.write(2, at(5))]
    window = world.window(at(15))
    world.notify(keys, window, event_type="UPDATED")
    verdict = world.judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.MALFORMED]
    headline, carrying, *_ = verdict.malformed[0].lines()
    assert headline == "MALFORMED notification 1001 (webhook id hook-1):"
    assert carrying.endswith(f"carrying {keys[0]}, {keys[1]}")


def test_a_malformed_notification_that_names_no_version_says_so() -> None:
    world, _, _ = delivered_world()
    world.arrive(b"not json", (("elements-webhook-id", "x"),))
    evidence = world.judge().malformed[0].evidence
    assert evidence[0].endswith("carrying no version")


def test_a_window_whose_completeness_the_journal_lost_makes_a_backdated_version_inconclusive_not_missing() -> None:
    """Contact 1 is written between the windows with a stamp before window 1's start: had window 1 reached the end of
    the result (unknown: its entries were dropped), window 2's lower bound is after the stamp and nothing is required;
    had it not, window 2 requires it. Neither reading is proven, so the verdict is INCONCLUSIVE, never MISSING."""
    world = Scenario()
    world.window(at(15))
    world.now = at(20)
    key = world.write(1, at(10))
    second = world.window(at(30))
    verdict = world.judge(dropped=3, keep_from=second.begin_seq + 1)
    assert verdict.inconclusive, verdict.report()
    assert not verdict.missing, verdict.report()
    assert f"INCONCLUSIVE: {key} would be required" in verdict.report()
