"""The oracle's rules (docs/design.md#the-exactly-once-oracle), one hand-made history per clause."""

from __future__ import annotations

from typing import Any

from cwmock.contract_tests.oracle.inputs import version_key
from cwmock.contract_tests.oracle.verdict import FindingKind

from support.oracle import Scenario, at


def kinds(scenario: Scenario) -> list[tuple[FindingKind, str | None]]:
    verdict = scenario.judge()
    return [(f.kind, None if f.version is None else str(f.version)) for f in verdict.findings]


def one_version_world() -> tuple[Scenario, str]:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    return world, str(key)


def test_a_clean_pass() -> None:
    world, _ = one_version_world()
    window = world.window(at(15))
    world.notify([world.write(1, at(5))], window)
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 1
    assert verdict.report().startswith("PASS instance 4242: 1 required version(s), 1 delivery(ies)")


def test_a_required_version_no_delivery_carried_is_missing() -> None:
    world, key = one_version_world()
    world.window(at(15))
    verdict = world.judge()
    assert not verdict.passed
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.MISSING, key)]
    line = verdict.missing[0].lines()[0]
    assert line.startswith("MISSING contact 1 @ 2026-01-01T00:05:00Z: visible from 2026-01-01T00:05:00Z (seq 2)")
    assert "window 1 (clean, complete, starts 2026-01-01T00:15:00Z)" in line
    assert "served to the token first at 2026-01-01T00:15:00Z (seq 3), in window 1" in line
    assert line.endswith("no delivery carried it.")
    assert verdict.missing[0].lines() == [
        "MISSING contact 1 @ 2026-01-01T00:05:00Z: visible from 2026-01-01T00:05:00Z (seq 2), still current, so "
        "throughout window 1 (clean, complete, starts 2026-01-01T00:15:00Z); no complete window before it, so every "
        "stamp after s₀ = 2026-01-01T00:00:00Z was due; so it was required; served to the token first at "
        "2026-01-01T00:15:00Z (seq 3), in window 1, 1 time(s); no delivery carried it."
    ], "the whole chain of evidence, in order"


def test_a_resend_after_a_receiver_timeout_with_the_same_id_and_bytes_counts_once() -> None:
    world, _ = one_version_world()
    window = world.window(at(15))
    first = world.notify([world.write(1, at(5))], window)  # answered 200 after the sender gave up
    world.resend(first)
    world.resend(first, status=500)
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    assert verdict.deliveries == 1
    assert verdict.arrivals == 3


def test_the_same_id_with_a_different_body_is_malformed_not_a_duplicate() -> None:
    world, key = one_version_world()
    window = world.window(at(15))
    first = world.notify([world.write(1, at(5))], window)
    changed = first.body.replace(b'"Contact1"', b'"Contact1b"')
    world.arrive(changed, first.headers)
    verdict = world.judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.MALFORMED, key)]
    assert "hook-1 arrived with 2 different bodies (arrivals #1, #2)" in verdict.report()


def test_each_body_of_a_webhook_id_sent_with_several_is_checked_and_named() -> None:
    """A resend with other bytes: both bodies are judged, the second's problems prefixed `body 2`."""
    world, key = one_version_world()
    window = world.window(at(15))
    world.notify([world.write(1, at(5))], window)

    def unknown_type(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["eventType"] = "SOMETHING"

    world.notify([world.write(1, at(5))], window, webhook_id="hook-1", change=unknown_type)
    [finding] = world.judge().findings
    assert (finding.kind, str(finding.version)) == (FindingKind.MALFORMED, key)
    assert finding.evidence[1:] == (
        "webhook id hook-1 arrived with 2 different bodies (arrivals #1, #2); a resend must repeat the same id with "
        "the same bytes",
        "body 2: message.events[0].eventType: 'SOMETHING' is not one of ['CREATED', 'UPDATED', 'DELETED', 'UNKNOWN']",
        "body 2: message.events[0].eventType is SOMETHING but _info.lastUpdated and _info.lastUpdated are 0 s apart "
        "(createdCheckTolerance 10 s), so it must be CREATED",
    )


def test_a_policy_problem_of_the_first_of_several_bodies_is_kept() -> None:
    world, _ = one_version_world()
    window = world.window(at(15))

    def emitted_later(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["date"] = "2026-01-01T00:15:02Z"

    world.notify([world.write(1, at(5))], window, change=emitted_later)
    world.notify([world.write(1, at(5))], window, webhook_id="hook-1")
    policy = [f for f in world.judge().findings if f.policy]
    assert [f.evidence[1:] for f in policy] == [
        (
            "body 1: message.events[0].date is 2026-01-01T00:15:02Z but its record's _info.lastUpdated is "
            "2026-01-01T00:05:00Z: date is the record's updated stamp (cwmock policy)",
        )
    ]


def test_a_version_first_visible_mid_window_is_optional_there_and_required_in_the_next() -> None:
    world = Scenario()
    world.begin(at(15))
    world.request()
    key = world.write(1, at(15))
    world.request()  # it is served, but was not visible throughout window 1
    world.end()
    assert world.judge().passed  # optional: no delivery is fine
    world.window(at(30))
    verdict = world.judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.MISSING, str(key))]
    assert "so throughout window 2 (clean" in verdict.report()


def test_an_optional_version_delivered_once_passes_and_twice_is_duplicated_said_optional() -> None:
    world = Scenario()
    world.begin(at(15))
    key = world.write(1, at(15))
    world.request()
    window = world.end()
    world.notify([key], window)
    assert world.judge().passed
    world.notify([key], window)
    verdict = world.judge()
    assert (verdict.required, kinds(world)) == (0, [(FindingKind.DUPLICATED, str(key))])
    assert f"DUPLICATED {key}: optional, in 2 deliveries;" in verdict.report()


def test_a_version_in_two_deliveries_is_duplicated() -> None:
    world, key = one_version_world()
    window = world.window(at(15))
    world.notify([world.write(1, at(5))], window)
    world.notify([world.write(1, at(5))], window)
    verdict = world.judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.DUPLICATED, key)]
    assert verdict.duplicated[0].webhook_ids == ("hook-1", "hook-2")
    assert "required, in 2 deliveries" in verdict.report()


def test_a_version_twice_in_one_notification_is_duplicated() -> None:
    world, key = one_version_world()
    window = world.window(at(15))
    version = world.write(1, at(5))
    world.notify([version, version], window)
    assert (FindingKind.DUPLICATED, key) in kinds(world)
    assert (
        f"DUPLICATED {key}: required, twice in one notification; carried by webhook id hook-1" in world.judge().report()
    )


def test_arrivals_without_a_webhook_id_are_separate_deliveries() -> None:
    world, key = one_version_world()
    window = world.window(at(15))
    first = world.notify([world.write(1, at(5))], window, webhook_id=None)
    world.resend(first)
    verdict = world.judge()
    assert verdict.deliveries == 2
    assert kinds(world) == [(FindingKind.DUPLICATED, key)]


def test_an_event_for_a_never_served_version_is_fabricated() -> None:
    world, _ = one_version_world()
    window = world.window(at(15))
    world.notify([world.write(1, at(5))], window)
    world.notify([version_key(1, at(6))], window)
    verdict = world.judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [
        (FindingKind.FABRICATED, "contact 1 @ 2026-01-01T00:06:00Z"),
        (FindingKind.MALFORMED, "contact 1 @ 2026-01-01T00:06:00Z"),
    ]
    assert "stamps served for contact 1: 2026-01-01T00:05:00Z" in verdict.report()
    assert "message.raw.contacts[0] is contact 1 @ 2026-01-01T00:06:00Z, never served to the instance" in (
        verdict.report()
    )


def test_a_fabricated_event_lists_the_stamps_that_were_served_for_its_contact() -> None:
    world = Scenario()
    world.now = at(5)
    first = world.write(1, at(5))
    window = world.window(at(15))
    world.now = at(20)
    second = world.write(1, at(20))
    later = world.window(at(30))
    world.notify([first], window)
    world.notify([second], later)
    world.notify([version_key(1, at(6))], later)
    assert (
        world.judge()
        .findings[0]
        .lines()[0]
        .startswith(
            "FABRICATED contact 1 @ 2026-01-01T00:06:00Z: never served to the instance's token; stamps served for "
            "contact 1: 2026-01-01T00:05:00Z, 2026-01-01T00:20:00Z; carried by webhook id hook-3"
        )
    )


def test_an_event_for_a_contact_never_served_at_all_is_fabricated_saying_so() -> None:
    world, _ = one_version_world()
    window = world.window(at(15))
    world.notify([world.write(1, at(5))], window)
    world.notify([version_key(99, at(6))], window)
    line = world.judge().findings[0].lines()[0]
    assert line.startswith(
        "FABRICATED contact 99 @ 2026-01-01T00:06:00Z: never served to the instance's token; contact 99 was never "
        "served; carried by webhook id hook-2 (notification 1002"
    )


def test_a_missing_version_the_poller_was_never_served_says_so() -> None:
    """Visible throughout a clean, complete window the emulator never served it in (say, a query that filtered it
    out): required all the same, and the evidence says it never reached the poller."""
    world, key = one_version_world()
    world.window(at(15))
    world.served.clear()
    [finding] = world.judge().findings
    assert (finding.kind, str(finding.version)) == (FindingKind.MISSING, key)
    assert finding.lines()[0].endswith(
        "so it was required; it was never served to the instance's token; no delivery carried it."
    )


def test_a_missing_version_first_served_between_windows_says_where() -> None:
    world, key = one_version_world()
    world.now = at(10)
    world.request()  # a request of the instance outside every window the harness ran
    world.window(at(15))
    [finding] = world.judge().findings
    assert (finding.kind, str(finding.version)) == (FindingKind.MISSING, key)
    assert (
        "served to the token first at 2026-01-01T00:10:00Z (seq 3), outside every window, 2 time(s)"
        in (finding.lines()[0])
    )


def test_an_event_whose_objectId_is_a_number_names_no_version_so_it_delivers_nothing() -> None:
    """objectId is the id as a string (the platform's events): `1` is malformed, and the version stays missing."""
    world, key = one_version_world()
    window = world.window(at(15))

    def numeric(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["objectId"] = 1

    world.notify([world.write(1, at(5))], window, change=numeric)
    verdict = world.judge()
    assert [(f.kind, None if f.version is None else str(f.version)) for f in verdict.findings] == [
        (FindingKind.MISSING, key),
        (FindingKind.MALFORMED, None),
    ]
    assert "message.events[0] names no version: objectId 1 must be the id as a string" in verdict.report()


def test_a_malformed_arrival_without_webhook_id_is_labelled_so() -> None:
    world, key = one_version_world()
    world.notify([world.write(1, at(5))], world.window(at(15)), webhook_id=None, event_type="SOMETHING")
    lines = world.judge().findings[0].lines()
    assert lines[:2] == [
        "MALFORMED notification 1001 (webhook id none):",
        f"    - an arrival without webhook id (notification 1001; arrivals #1 -> 200) carrying {key}",
    ]


def test_an_event_stamped_at_or_before_s0_is_forbidden_and_never_required() -> None:
    world = Scenario()
    world.now = at(1)
    early = world.write(1, at(0))  # stamped exactly s₀, written after it
    window = world.window(at(15))
    assert world.judge().passed
    world.notify([early], window)
    verdict = world.judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.EARLY, str(early))]
    assert "stamped at or before s₀ = 2026-01-01T00:00:00Z" in verdict.report()


def test_a_skewed_start_is_rounded_down_to_the_second_for_pollDate() -> None:
    world, key = one_version_world()
    window = world.window(at(15, seconds=0.75))
    world.notify([world.write(1, at(5))], window)
    assert world.judge().passed
    world, key = one_version_world()
    window = world.window(at(15, seconds=0.75))

    def rounded_up(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["pollDate"] = "2026-01-01T00:15:01Z"

    world.notify([world.write(1, at(5))], window, change=rounded_up)
    assert kinds(world) == [(FindingKind.MALFORMED, key)]


def test_a_stamp_skewed_ahead_of_the_window_start_waits_for_the_next_window_under_filterByCurrentDate() -> None:
    world = Scenario().configure(filter_by_current_date=True)
    world.now = at(14)
    key = world.write(1, at(16))  # the server's write clock ran 2 minutes ahead
    world.window(at(15))
    assert world.judge().passed  # stamp > s₁: excluded from window 1
    world.window(at(30))
    assert kinds(world) == [(FindingKind.MISSING, str(key))]


def test_filterByCurrentDate_off_requires_a_stamp_ahead_of_the_start() -> None:
    world = Scenario()
    world.now = at(14)
    key = world.write(1, at(16))
    world.window(at(15))
    assert kinds(world) == [(FindingKind.MISSING, str(key))]


def minute_precision_world(poll_delay: float) -> tuple[Scenario, str]:
    world = Scenario().configure(poll_delay=poll_delay)
    world.window(at(14, seconds=30))
    world.now = at(14, seconds=45)
    key = world.write(1, at(14))  # minute precision: written 00:14:45, stamped 00:14:00
    world.window(at(15))
    return world, str(key)


def test_minute_precision_within_pollDelay_is_required() -> None:
    world, key = minute_precision_world(60)
    verdict = world.judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.MISSING, key)]
    assert "stamps ≥ 2026-01-01T00:13:30Z (sⱼ − pollDelay 60 s) were due" in verdict.report()


def test_minute_precision_beyond_pollDelay_is_optional() -> None:
    world, _ = minute_precision_world(0)
    assert world.judge().passed
    world, _ = minute_precision_world(14)  # 00:14:30 − 14 s = 00:14:16 > 00:14:00
    assert world.judge().passed


def test_a_version_stamped_on_the_boundary_second_of_the_previous_window_start_is_required() -> None:
    world = Scenario()
    world.window(at(15))
    world.now = at(15, seconds=0.5)
    on_boundary = world.write(1, at(15))  # stamp == s₁, visible only after window 1
    before = world.write(2, at(14, seconds=59))  # one second earlier: a strict cursor may skip it legitimately
    world.window(at(30))
    assert kinds(world) == [(FindingKind.MISSING, str(on_boundary))]
    assert str(before) not in world.judge().report()


UNSETTLED_ONLY = [(FindingKind.UNSETTLED, None)]  # nothing required: only the settle's own finding


def test_a_faulted_window_does_not_make_a_version_required() -> None:
    world, key = one_version_world()
    world.window(at(15), fault="hub-503", complete=False)
    verdict = world.judge()
    assert kinds(world) == UNSETTLED_ONLY, verdict.report()
    assert "window 1 (faulted, incomplete, starts 2026-01-01T00:15:00Z)" in verdict.report()
    assert "(fault 'hub-503')" in verdict.report()
    world.window(at(30))
    assert kinds(world) == [(FindingKind.MISSING, key)]


def test_a_faulted_window_that_reached_the_end_of_the_result_still_advances_j() -> None:
    world, _ = one_version_world()
    world.window(at(15), fault="hub-latency")
    world.window(at(30))
    verdict = world.judge()
    assert verdict.passed, verdict.report()  # stamp 00:05 < s₁ = 00:15: window 2 need not deliver it
    assert "window 1 (faulted, complete, starts 2026-01-01T00:15:00Z)" in verdict.report()


def seen_only_by_window_one(crashed: bool) -> tuple[Scenario, str]:
    """A version visible through window 1 only: it is deleted before window 2."""
    world, key = one_version_world()
    world.window(at(15), crashed=crashed)
    world.now = at(20)
    world.delete(1)
    world.window(at(30))
    return world, key


def test_a_window_in_which_the_poller_crashed_does_not_make_a_version_required() -> None:
    world, _ = seen_only_by_window_one(crashed=True)
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    assert "window 1 (faulted, complete, starts 2026-01-01T00:15:00Z)" in verdict.report()
    assert "a crash the suite injected: killed by signal SIGKILL at after_fetch" in verdict.report()


def test_the_same_window_without_a_crash_makes_it_required() -> None:
    world, key = seen_only_by_window_one(crashed=False)
    assert kinds(world) == [(FindingKind.MISSING, key)]


def test_a_429_or_5xx_without_a_named_fault_also_makes_a_window_unclean() -> None:
    world, _ = one_version_world()
    world.begin(at(15))
    world.request()
    world.request(status=429)
    world.end()
    assert kinds(world) == UNSETTLED_ONLY


def late_commit_world(second_window_complete: bool) -> tuple[Scenario, str]:
    world = Scenario()
    world.window(at(15))
    world.window(at(30), complete=second_window_complete)
    world.now = at(35)
    key = world.write(1, at(25))  # a late commit: stamped 00:25, visible at 00:35
    world.window(at(45))
    return world, str(key)


def test_an_incomplete_window_does_not_advance_j() -> None:
    world, key = late_commit_world(second_window_complete=False)
    verdict = world.judge()
    assert [(f.kind, str(f.version)) for f in verdict.findings] == [(FindingKind.MISSING, key)]
    assert "previous complete window 1 starts 2026-01-01T00:15:00Z" in verdict.report()


def test_a_complete_window_advances_j() -> None:
    world, _ = late_commit_world(second_window_complete=True)
    assert world.judge().passed


def test_a_superseded_version_is_required_only_where_it_was_visible_throughout() -> None:
    world = Scenario()
    world.now = at(5)
    old = world.write(1, at(5))
    window = world.window(at(15))
    world.now = at(20)
    new = world.write(1, at(20))
    world.window(at(30))
    assert kinds(world) == [(FindingKind.MISSING, str(old)), (FindingKind.MISSING, str(new))]
    line = world.judge().findings[0].lines()[0]
    assert line.startswith(
        f"MISSING {old}: visible from 2026-01-01T00:05:00Z (seq 2), superseded at 2026-01-01T00:20:00Z (seq 5), "
        "so throughout window 1 (clean, complete"
    )
    world.notify([old], window)
    assert kinds(world) == [(FindingKind.MISSING, str(new))]


def test_a_deleted_version_stops_being_required() -> None:
    world = Scenario()
    world.begin(at(15))
    world.write(1, at(15))
    world.request()
    world.end()
    world.delete(1)
    world.window(at(30))
    assert world.judge().passed


def test_a_deleted_version_visible_throughout_a_window_before_is_missing_saying_when_it_was_deleted() -> None:
    world, key = one_version_world()
    world.window(at(15))
    world.now = at(20)
    world.delete(1)
    world.window(at(30))
    [finding] = world.judge().findings
    assert (finding.kind, str(finding.version)) == (FindingKind.MISSING, key)
    assert finding.lines()[0].startswith(
        f"MISSING {key}: visible from 2026-01-01T00:05:00Z (seq 2), deleted at 2026-01-01T00:20:00Z (seq 4), so "
        "throughout window 1 (clean, complete"
    )


def test_a_write_keeping_the_stamp_extends_the_version() -> None:
    world, _ = one_version_world()
    window = world.window(at(15))
    world.now = at(20)
    same = world.write(1, at(5))
    world.window(at(30))
    world.notify([same], window)
    assert world.judge().passed


def test_a_window_made_unclean_by_an_unnamed_5xx_says_which_status() -> None:
    world, _ = one_version_world()
    world.begin(at(15))
    world.request(status=503)
    world.request()
    world.end()
    assert "faulted: seq 3 GET /elements/api-v2/hubs/crm/contacts -> 503 (status 503)" in world.judge().report()


# Each finding names its version's carriers: every delivery, by webhook id and notification id (the `duplicated`,
# `fabricated` and `early` rules, docs/contract-suite/oracle.md#rules)


def test_a_duplicate_names_every_delivery_that_carried_it() -> None:
    world, key = one_version_world()
    window = world.window(at(15))
    world.notify([world.write(1, at(5))], window)
    world.notify([world.write(1, at(5))], window)
    [finding] = world.judge().findings
    assert (finding.webhook_ids, finding.notification_ids) == (("hook-1", "hook-2"), ("1001", "1002"))
    assert finding.lines() == [
        f"DUPLICATED {key}: required, in 2 deliveries; carried by webhook id hook-1 (notification 1001; arrivals "
        "#1 -> 200); webhook id hook-2 (notification 1002; arrivals #2 -> 200)."
    ]


def test_a_duplicate_of_an_optional_version_says_it_was_optional() -> None:
    """Delivered twice, a version no window required (first visible mid-window) is still DUPLICATED, as optional."""
    world = Scenario()
    world.begin(at(15))
    world.request()
    key = world.write(1, at(15))
    world.request()
    window = world.end()
    world.notify([key], window)
    world.notify([key], window)
    assert (
        "DUPLICATED contact 1 @ 2026-01-01T00:15:00Z: optional, in 2 deliveries; carried by" in world.judge().report()
    )


def test_a_fabricated_version_lists_every_stamp_served_for_its_contact_and_its_carrier() -> None:
    world = Scenario()
    world.now = at(5)
    world.write(1, at(5))
    world.window(at(15))
    world.now = at(20)
    world.write(1, at(20))
    window = world.window(at(30))
    world.notify([version_key(1, at(25))], window)
    fabricated = world.judge().fabricated[0]
    assert (fabricated.webhook_ids, fabricated.notification_ids) == (("hook-1",), ("1001",))
    assert "stamps served for contact 1: 2026-01-01T00:05:00Z, 2026-01-01T00:20:00Z" in fabricated.lines()[0]


def test_an_early_version_names_its_carrier() -> None:
    world = Scenario()
    world.now = at(1)
    early = world.write(1, at(0))
    world.notify([early], world.window(at(15)))
    [finding] = world.judge().findings
    assert (finding.kind, finding.webhook_ids, finding.notification_ids) == (FindingKind.EARLY, ("hook-1",), ("1001",))


# `missing` and `parked`: the finding names the windows that required the version, and the refused carriers


def test_a_missing_version_names_the_window_that_required_it_and_the_complete_window_before() -> None:
    world = Scenario()
    world.window(at(10))
    world.now = at(12)
    world.write(1, at(12))
    world.window(at(15))
    [finding] = world.judge().findings
    assert (finding.kind, finding.windows) == (FindingKind.MISSING, (2, 1))


def test_a_parked_version_names_its_window_and_webhook_id() -> None:
    world, _ = one_version_world()
    window = world.window(at(15))
    first = world.notify([world.write(1, at(5))], window, status=500)
    world.resend(first, status=503)
    [finding] = world.judge().findings
    assert (finding.kind, finding.windows, finding.webhook_ids) == (FindingKind.PARKED, (1,), ("hook-1",))
    assert finding.notification_ids == ("1001",)


def test_a_version_refused_in_two_deliveries_names_both() -> None:
    world, _ = one_version_world()
    window = world.window(at(15))
    world.notify([world.write(1, at(5))], window, status=500)
    world.notify([world.write(1, at(5))], window, status=500)
    missing = [f for f in world.judge(settle=1).findings if f.kind is FindingKind.MISSING]
    assert (missing[0].webhook_ids, missing[0].notification_ids) == (("hook-1", "hook-2"), ("1001", "1002"))
    assert (
        missing[0]
        .lines()[0]
        .endswith(
            "every attempt was refused, some after the settle began: webhook id hook-1 (notification 1001; arrivals "
            "#1 -> 500); webhook id hook-2 (notification 1002; arrivals #2 -> 500)."
        )
    ), missing[0].lines()


def test_a_version_deleted_by_the_last_change_of_a_window_was_not_visible_throughout_it() -> None:
    """Deleted at the window's last sequence number (after the window's request served it): not required there."""
    world, _ = one_version_world()
    world.begin(at(15))
    world.request()
    world.delete(1)
    world.end()
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 0
