"""The documented `raw` and `pollDate` clauses (Open Connectors, Events Overview; Element Builder Events).

raw: every event's record is in raw, and every raw record was served to the instance in the notification's window;
nothing more, and never aligned with events. pollDate: any server instant from a window's start to the moment the
event's record was first served in that window. Each passing case here failed under the old rule (raw = exactly the
events' records in order; pollDate = exactly a window's start).
"""

from __future__ import annotations

from typing import Any

from cwmock.contract_tests.oracle.inputs import VersionKey, Window
from cwmock.contract_tests.oracle.verdict import FindingKind

from support.oracle import Scenario, at, record


def malformed(world: Scenario) -> list[str]:
    verdict = world.judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.MALFORMED], verdict.report()
    return list(verdict.malformed[0].evidence[1:])


def raw_of(keys: list[VersionKey]) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["message"]["raw"]["contacts"] = [record(key) for key in keys]

    return change


def poll_date(text: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        for event in document["message"]["events"]:
            event["pollDate"] = text

    return change


def page_world(count: int) -> tuple[Scenario, list[VersionKey], Window]:
    world = Scenario()
    world.now = at(5)
    keys = [world.write(contact, at(5)) for contact in range(1, count + 1)]
    return world, keys, world.window(at(15))


# raw


def test_the_whole_page_repeated_in_each_notification_of_a_split_passes() -> None:
    world, keys, window = page_world(11)
    world.notify(keys[:10], window, change=raw_of(keys))
    world.notify(keys[10:], window, change=raw_of(keys))
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    assert verdict.required == 11


def test_raw_in_another_order_than_the_events_passes() -> None:
    world, keys, window = page_world(3)
    world.notify(keys, window, change=raw_of(list(reversed(keys))))
    assert world.judge().passed


def test_an_event_whose_record_is_not_in_raw_is_malformed() -> None:
    world, keys, window = page_world(2)
    world.notify(keys, window, change=raw_of(keys[:1]))
    assert malformed(world) == [
        "message.events[1].objectId is '2' but no record in message.raw.contacts has id '2'; "
        "raw must carry every event's record"
    ]


def test_a_raw_record_never_served_is_malformed() -> None:
    world, keys, window = page_world(1)
    world.notify(keys, window, change=raw_of([*keys, VersionKey(99, at(5))]))
    assert malformed(world) == [
        "message.raw.contacts[1] is contact 99 @ 2026-01-01T00:05:00Z, never served to the instance; "
        "raw carries only served records"
    ]


def test_a_raw_record_of_another_version_of_a_served_contact_is_malformed() -> None:
    world, keys, window = page_world(1)
    world.notify(keys, window, change=raw_of([keys[0], VersionKey(1, at(6))]))
    assert "message.raw.contacts[1] is contact 1 @ 2026-01-01T00:06:00Z, never served" in malformed(world)[0]


def test_a_raw_record_served_only_in_another_window_is_malformed() -> None:
    world, keys, first = page_world(1)
    world.now = at(20)
    later = world.write(2, at(20))
    world.window(at(30))
    world.notify(keys, first, change=raw_of([keys[0], later]))
    verdict = world.judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.MISSING, FindingKind.MALFORMED], verdict.report()
    assert verdict.missing[0].version == later
    assert (
        "message.raw.contacts[1] is contact 2 @ 2026-01-01T00:20:00Z, served first at seq 6 and last at seq 6, "
        "not in the poll this notification's pollDate names (window 1); raw carries that poll's records"
        in verdict.malformed[0].evidence
    )


def test_a_raw_record_without_its_id_is_malformed() -> None:
    world, keys, window = page_world(1)

    def anonymous_extra(document: dict[str, Any]) -> None:
        document["message"]["raw"]["contacts"].append({"firstName": "Nobody", "_info": {}})

    world.notify(keys, window, change=anonymous_extra)
    assert malformed(world) == [
        "message.raw.contacts[1] names no served record: it needs its id and a readable _info.lastUpdated; "
        "raw carries the records the poll was served"
    ]


# pollDate


def late_serve_world() -> tuple[Scenario, VersionKey, Window]:
    """Contact 1 first served 90 s after its window started (emulated latency)."""
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.begin(at(15))
    world.now = at(16, 30)
    world.request()
    return world, key, world.end()


def test_pollDate_at_the_windows_start_passes() -> None:
    world, key, window = late_serve_world()
    world.notify([key], window, change=poll_date("2026-01-01T00:15:00Z"))
    assert world.judge().passed


def test_pollDate_at_the_first_serve_passes() -> None:
    world, key, window = late_serve_world()
    world.notify([key], window, change=poll_date("2026-01-01T00:16:30Z"))
    assert world.judge().passed


def test_pollDate_after_the_first_serve_is_malformed() -> None:
    world, key, window = late_serve_world()
    world.notify([key], window, change=poll_date("2026-01-01T00:16:31Z"))
    assert malformed(world) == [
        "message.events[0].pollDate 2026-01-01T00:16:31Z is not the time of a poll that found contact 1 @ "
        "2026-01-01T00:05:00Z: pollDate must be a server instant from a window's start to the moment the record was "
        "first served in that window (window 1: 2026-01-01T00:15:00Z to its first serve at 2026-01-01T00:16:30Z)"
    ]


def test_pollDate_before_the_windows_start_is_malformed() -> None:
    world, key, window = late_serve_world()
    world.notify([key], window, change=poll_date("2026-01-01T00:14:59Z"))
    assert "pollDate 2026-01-01T00:14:59Z is not the time of a poll that found contact 1" in malformed(world)[0]


def test_pollDate_of_a_poll_before_the_version_was_served_is_malformed() -> None:
    world = Scenario()
    first = world.window(at(15))
    world.now = at(20)
    key = world.write(1, at(20))
    world.window(at(30))
    world.notify([key], first)
    assert malformed(world) == [
        "message.events[0].pollDate 2026-01-01T00:15:00Z is not the time of a poll that found contact 1 @ "
        "2026-01-01T00:20:00Z: pollDate must be a server instant from a window's start to the moment the record was "
        "first served in that window (window 2: 2026-01-01T00:30:00Z to its first serve at 2026-01-01T00:30:00Z)"
    ]


def served_again_world(*, and_after: bool, then_gone: bool = False) -> tuple[Scenario, VersionKey, Window]:
    """Contact 1 served in window 1 and again in window 2 at 00:31; `then_gone`: deleted, and window 2 reads again
    at 00:32; `and_after`: served once more in window 3."""
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.window(at(15))
    world.begin(at(30))
    world.now = at(31)
    world.request()
    if then_gone:
        world.delete(1)
        world.now = at(32)
        world.request()
    second = world.end()
    if and_after:
        world.window(at(45))
    return world, key, second


def test_pollDate_in_a_later_window_that_served_it_again_is_bounded_by_that_windows_requests() -> None:
    world, key, second = served_again_world(and_after=False)
    world.notify([key], second, change=poll_date("2026-01-01T00:31:00Z"))
    assert world.judge().passed
    world.arrivals.clear()
    world.notify([key], second, change=poll_date("2026-01-01T00:31:01Z"))
    assert (
        "(window 1: 2026-01-01T00:15:00Z to its first serve at 2026-01-01T00:15:00Z; window 2: "
        in (malformed(world)[0])
    )


def test_pollDate_in_a_window_between_the_first_and_last_serve_is_bounded_by_its_last_request() -> None:
    """Served in windows 1, 2 and 3: the served log keeps only the first and last serve, so window 2's bound is its
    own last hub request."""
    world, key, second = served_again_world(and_after=True)
    world.notify([key], second, change=poll_date("2026-01-01T00:31:00Z"))
    assert world.judge().passed
    world.arrivals.clear()
    world.notify([key], second, change=poll_date("2026-01-01T00:31:01Z"))
    assert "window 2: 2026-01-01T00:30:00Z to its first serve at 2026-01-01T00:31:00Z;" in malformed(world)[0]


def latency_world() -> tuple[Scenario, VersionKey, Window]:
    """Contact 1 served by a response that started after 90 s of emulated latency (its `Date` shows 00:16:30)."""
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.begin(at(15))
    world.now = at(15)
    world.request(latency=90)
    return world, key, world.end()


def test_pollDate_from_the_date_header_after_emulated_latency_passes() -> None:
    world, key, window = latency_world()
    world.notify([key], window, change=poll_date("2026-01-01T00:16:30Z"))
    assert world.judge().passed


def test_pollDate_after_the_latent_response_is_malformed() -> None:
    world, key, window = latency_world()
    world.notify([key], window, change=poll_date("2026-01-01T00:16:31Z"))
    assert "(window 1: 2026-01-01T00:15:00Z to its first serve at 2026-01-01T00:16:30Z)" in malformed(world)[0]


def test_pollDate_of_a_version_served_only_between_windows_is_malformed_saying_so() -> None:
    """Served by a request outside every window the harness ran, then deleted: no poll of a window found it."""
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.now = at(10)
    world.request()
    world.delete(1)
    world.notify([key], world.window(at(15)))
    [finding] = world.judge().findings
    assert finding.kind is FindingKind.MALFORMED
    assert finding.lines()[-1].endswith(
        "pollDate must be a server instant from a window's start to the moment the record was first served in that "
        "window (it was served in no window)"
    )


def test_a_window_that_made_no_request_served_nothing_so_no_pollDate_is_from_it() -> None:
    """Served in windows 1 and 3, the version's served span covers window 2, which made no request (say, the poller
    crashed before its first): window 2 bounds nothing, so a pollDate hours after every window is not a poll's."""
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    first = world.window(at(15))
    world.begin(at(30))
    world.end()
    world.window(at(45))
    world.notify([key], first, change=poll_date("2026-01-01T05:00:00Z"))
    assert malformed(world) == [
        "message.events[0].pollDate 2026-01-01T05:00:00Z is not the time of a poll that found contact 1 @ "
        "2026-01-01T00:05:00Z: pollDate must be a server instant from a window's start to the moment the record was "
        "first served in that window (window 1: 2026-01-01T00:15:00Z to its first serve at 2026-01-01T00:15:00Z; "
        "window 3: 2026-01-01T00:45:00Z to its first serve at 2026-01-01T00:45:00Z)"
    ]


def test_a_window_whose_requests_the_journal_lost_may_have_served_it() -> None:
    """Where the ring dropped a window's requests, what it served is unknown: a pollDate from it is accepted, never
    failed on a guess (docs/contract-suite/oracle.md#poll-date)."""
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.window(at(15))
    second = world.window(at(30))
    third = world.window(at(45))
    world.notify([key], second)
    verdict = world.judge(dropped=5, keep_from=third.begin_seq + 1)
    assert verdict.passed, verdict.report()


def test_a_window_that_read_one_page_without_reaching_the_end_did_serve_it() -> None:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    world.notify([key], world.window(at(15), complete=False))
    world.window(at(30))
    verdict = world.judge()
    assert verdict.passed, verdict.report()


def test_pollDate_in_the_window_of_the_last_serve_is_bounded_by_that_serve_not_by_later_requests() -> None:
    """Window 2 served contact 1 at 00:31, then (the contact deleted) read again at 00:32: the poll that found it is
    the 00:31 one."""
    world, key, second = served_again_world(and_after=False, then_gone=True)
    world.notify([key], second, change=poll_date("2026-01-01T00:31:30Z"))
    assert "window 2: 2026-01-01T00:30:00Z to its first serve at 2026-01-01T00:31:00Z)" in malformed(world)[0]


def test_a_raw_record_without_a_readable_stamp_names_no_served_record() -> None:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))

    def undated(document: dict[str, Any]) -> None:
        del document["message"]["raw"]["contacts"][0]["_info"]

    world.notify([key], world.window(at(15)), change=undated)
    assert malformed(world)[-1] == (
        "message.raw.contacts[0] names no served record: it needs its id and a readable _info.lastUpdated; raw "
        "carries the records the poll was served"
    )


def test_pollDate_of_the_window_after_the_last_serve_is_malformed() -> None:
    """Served last by window 1's last request, whose seq is window 2's begin_seq: window 2 never served it."""
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    first = world.window(at(15))
    world.begin(at(30))
    world.delete(1)
    world.request()
    second = world.end()
    assert second.begin_seq == first.end_seq == world.served[key].last.seq
    world.notify([key], second)
    assert malformed(world)[0].endswith("(window 1: 2026-01-01T00:15:00Z to its first serve at 2026-01-01T00:15:00Z)")


def test_raw_with_two_versions_of_a_contact_gives_each_event_the_record_its_date_names() -> None:
    """One window read contact 1 twice, before and after it changed (raw carries every record the reads served):
    an event finds its record by id, and among several by its date."""
    world = Scenario()
    world.begin(at(15))
    world.now = at(15)
    old = world.write(1, at(15))
    world.request(result_end=False)
    world.now = at(15, 30)
    new = world.write(1, at(15, 30))
    world.request()
    window = world.end()
    world.window(at(30))
    world.notify([new], window, change=raw_of([old, new]))
    assert world.judge().passed, world.judge().report()
    world.arrivals.clear()
    world.notify([new], window, change=raw_of([new, old]))
    assert world.judge().passed, world.judge().report()
