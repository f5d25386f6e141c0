"""How the oracle reads a notification's records by the instance's own settings (docs/contract-suite/oracle.md#rules):
the `raw` clause (Open Connectors, Events Overview: raw carries the records the poll was served, found by the
instance's idField) and the `pollDate` clause (a server instant from a window's start to the record's first serve in
that window), each under a setting or a record shape no other test uses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cwmock.contract_tests.oracle.inputs import VersionKey
from cwmock.contract_tests.oracle.verdict import FindingKind

from support.oracle import Scenario, at, record


def malformed(world: Scenario) -> list[str]:
    verdict = world.judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.MALFORMED], verdict.report()
    return list(verdict.malformed[0].evidence[1:])


def raw_records(edit: Any) -> Any:
    """A change to a notification: each raw record replaced by `edit(record)`."""

    def change(document: dict[str, Any]) -> None:
        raw = document["message"]["raw"]
        raw["contacts"] = [edit(r) for r in raw["contacts"]]

    return change


def one_version(contact: int = 1) -> tuple[Scenario, VersionKey]:
    world = Scenario()
    world.now = at(5)
    return world, world.write(contact, at(5))


# raw: records found by the instance's idField, dates read in its updatedDateFormat


def test_a_dotted_idField_finds_each_record_by_its_nested_id() -> None:
    world, key = one_version()
    world.configure(id_field="contact.id")

    def nested(r: dict[str, Any]) -> dict[str, Any]:
        return {"contact": {"id": r.pop("id")}, **r}

    world.notify([key], world.window(at(15)), change=raw_records(nested))
    verdict = world.judge()
    assert verdict.passed, verdict.report()


def test_epoch_milliseconds_are_read_under_the_milliseconds_format() -> None:
    world, key = one_version()
    world.configure(updated_date_format="milliseconds", created_date_format="milliseconds")

    def epoch_ms(r: dict[str, Any]) -> dict[str, Any]:
        return {**r, "_info": {"lastUpdated": int(key.stamp.timestamp() * 1000)}}

    world.notify([key], world.window(at(15)), change=raw_records(epoch_ms))
    verdict = world.judge()
    assert verdict.passed, verdict.report()


def test_eventType_compares_an_epoch_milliseconds_updated_stamp_with_an_ISO_created_date() -> None:
    """updatedDateFormat `milliseconds`, createdDateFormat ISO: each field is read in its own format, and the two
    instants 30 s apart make the event UPDATED (createdCheckTolerance 10 s), whatever the machine's time zone."""
    world, key = one_version()
    world.configure(updated_date_format="milliseconds", created_date_field="_info.dateEntered")

    def both(r: dict[str, Any]) -> dict[str, Any]:
        stamps = {"lastUpdated": int(key.stamp.timestamp() * 1000), "dateEntered": "2026-01-01T00:04:30Z"}
        return {**r, "_info": stamps}

    window = world.window(at(15))
    world.notify([key], window, change=raw_records(both), event_type="UPDATED")
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    world.arrivals.clear()
    world.notify([key], window, change=raw_records(both), event_type="CREATED")
    assert malformed(world) == [
        "message.events[0].eventType is CREATED but _info.dateEntered and _info.lastUpdated are 30 s apart "
        "(createdCheckTolerance 10 s), so it must be UPDATED"
    ]


def test_epoch_milliseconds_under_an_ISO_format_are_no_readable_date() -> None:
    world, key = one_version()

    def epoch_ms(r: dict[str, Any]) -> dict[str, Any]:
        return {**r, "_info": {"lastUpdated": int(key.stamp.timestamp() * 1000)}}

    world.notify([key], world.window(at(15)), change=raw_records(epoch_ms))
    assert "message.events[0]: its record has no readable _info.lastUpdated; raw must carry the record" in malformed(
        world
    )


def test_a_contact_id_of_zero_is_an_id() -> None:
    world, key = one_version(contact=0)
    world.notify([key], world.window(at(15)))
    verdict = world.judge()
    assert verdict.passed, verdict.report()


def test_a_raw_record_with_a_negative_id_names_no_record() -> None:
    world, key = one_version()

    def negative(document: dict[str, Any]) -> None:
        document["message"]["raw"]["contacts"].append({**record(key), "id": -1})

    world.notify([key], world.window(at(15)), change=negative)
    assert malformed(world) == [
        "message.raw.contacts[1] names no served record: it needs its id and a readable _info.lastUpdated; "
        "raw carries the records the poll was served"
    ]


def test_two_versions_of_one_contact_in_raw_each_event_takes_the_one_its_date_names() -> None:
    """One window served contact 1, then its next version: raw carries both, each event is keyed by its own."""
    world, first = one_version()
    world.begin(at(15))
    world.request(result_end=False)
    world.now = at(16)
    second = world.write(1, at(16))
    world.request()
    window = world.end()
    world.notify([first, second], window)
    verdict = world.judge()
    assert verdict.passed, verdict.report()


# pollDate: bounded by the record's serves in the window, and by what the journal still shows


def poll_date(text: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        for event in document["message"]["events"]:
            event["pollDate"] = text

    return change


def test_a_version_served_just_before_a_window_began_was_not_served_in_it() -> None:
    """Served by a request between windows, the last sequence number before window 1 began: window 1 (whose only
    request failed) served nothing, so no pollDate is from it."""
    world, key = one_version()
    world.now = at(10)
    world.request()
    world.begin(at(15))
    world.request(fault="reset", status=503)
    window = world.end()
    world.notify([key], window)
    evidence = world.judge().malformed[0].evidence
    assert evidence[-1].endswith("first served in that window (it was served in no window)"), evidence


def test_pollDate_in_a_window_that_served_the_version_again_is_bounded_by_that_serve_not_its_last_request() -> None:
    """Window 2 served contact 1 again at 00:30, then made a failing request at 00:33: a poll that found it was at
    00:30 at the latest."""
    world, key = one_version()
    world.window(at(15))
    world.begin(at(30))
    world.request()
    world.now = at(33)
    world.request(fault="reset", status=503)
    second = world.end()
    world.notify([key], second, change=poll_date("2026-01-01T00:31:00Z"))
    evidence = world.judge().malformed[0].evidence
    assert "; window 2: 2026-01-01T00:30:00Z to its first serve at 2026-01-01T00:30:00Z)" in evidence[-1], evidence


def test_a_window_whose_requests_the_journal_lost_is_bounded_by_the_versions_later_serve() -> None:
    """The ring lost windows 1 and 2's requests; contact 1 was served again in window 3 at 00:45. Whatever window 2
    did, it ended before that serve, so a pollDate after it is no poll of window 2's."""
    world, key = one_version()
    world.window(at(15))
    second = world.window(at(30))
    third = world.window(at(45))
    world.notify([key], second, change=poll_date("2026-01-01T00:45:01Z"))
    verdict = world.judge(dropped=5, keep_from=third.begin_seq + 1)
    assert [f.kind for f in verdict.findings] == [FindingKind.MALFORMED], verdict.report()
    ranges = (
        "(window 1: 2026-01-01T00:15:00Z to its first serve at 2026-01-01T00:15:00Z; "
        "window 2: 2026-01-01T00:30:00Z to its first serve at 2026-01-01T00:45:00Z; "
        "window 3: 2026-01-01T00:45:00Z to its first serve at 2026-01-01T00:45:00Z)"
    )
    assert verdict.malformed[0].evidence[-1].endswith(ranges), verdict.report()


def test_an_event_that_names_no_version_shows_its_objectId_and_date() -> None:
    """objectId must be the contact id as a string (Open Connectors, Events Overview): an integer names no version,
    and the finding quotes what the event said."""
    world, key = one_version()

    def integer_id(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["objectId"] = 1

    world.notify([key], world.window(at(15)), change=integer_id)
    verdict = world.judge()
    assert (
        "message.events[0] names no version: objectId 1 must be the id as a string, date '2026-01-01T00:05:00Z'"
        in verdict.malformed[0].evidence
    ), verdict.report()


# deliveries: how a delivery is named, and what of it is judged


def test_an_arrival_refused_as_too_large_is_skipped_and_the_resend_after_it_is_still_judged() -> None:
    """The receiver kept no body of a 413 arrival, so its signature is not judged; the resend's is (Open
    Connectors, Hash Verification)."""
    world, key = one_version()
    world.configure(signature_key="MySecretEventSignatureKey")
    resent = world.notify([key], world.window(at(15)), signature="sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ=")
    refused = replace(resent, seq=1, body=b"", status=413, too_large=True)
    world.arrivals[:] = [refused, replace(resent, seq=2)]
    assert malformed(world) == [
        "arrival #2: Elements-Webhook-Signature invalid: "
        "sha256 signature matches none of the 1 configured key(s) for these body bytes"
    ]


def test_an_unreadable_arrival_without_webhook_id_is_named_as_such() -> None:
    world, _ = one_version()
    world.window(at(15))
    world.arrive(b"not json", (("content-type", "application/json"),))
    verdict = world.judge()
    assert verdict.malformed[0].evidence[0] == (
        "an arrival without webhook id (notification no id; arrivals #1 -> 200) carrying no version"
    ), verdict.report()


def test_one_webhook_id_with_two_bodies_names_both_notification_ids() -> None:
    world, key = one_version()
    window = world.window(at(15))
    world.notify([key], window, webhook_id="same")
    world.notify([key], window, webhook_id="same")
    verdict = world.judge()
    assert (
        verdict.malformed[0]
        .evidence[0]
        .startswith("webhook id same (notification 1001, 1002; arrivals #1 -> 200, #2 -> 200) carrying")
    ), verdict.report()


def test_a_problem_of_the_second_body_under_one_webhook_id_names_that_body() -> None:
    world, key = one_version()
    window = world.window(at(15))
    world.notify([key], window, webhook_id="same")
    world.notify([key], window, webhook_id="same", change=lambda d: d["message"].update(instanceId=1))
    assert "body 2: message.instanceId is 1 but the instance id is 4242" in world.judge().malformed[0].evidence


def test_every_event_of_a_notification_is_judged_by_policy() -> None:
    """Both events' dates differ from their records' stamps: the `event-date` policy names both."""
    world = Scenario()
    world.now = at(5)
    keys = [world.write(1, at(5)), world.write(2, at(5))]

    def shifted(document: dict[str, Any]) -> None:
        for event in document["message"]["events"]:
            event["date"] = "2026-01-01T00:06:00Z"

    world.notify(keys, world.window(at(15)), change=shifted)
    [finding] = world.judge().findings
    assert [line.split(".date")[0] for line in finding.evidence[1:]] == [
        "message.events[0]",
        "message.events[1]",
    ], finding.lines()


def test_raw_may_carry_the_records_of_every_poll_its_events_pollDates_name_and_no_other() -> None:
    """Events from windows 1 and 2 in one notification: raw may carry what either served, not window 3's record."""
    world = Scenario()
    world.now = at(5)
    first = world.write(1, at(5))
    world.window(at(15))
    world.delete(1)
    world.now = at(20)
    second = world.write(2, at(20))
    window = world.window(at(30))
    world.delete(2)
    world.now = at(35)
    third = world.write(3, at(35))
    world.window(at(45))

    def two_polls(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["pollDate"] = "2026-01-01T00:15:00Z"
        document["message"]["raw"]["contacts"] = [record(first), record(second), record(third)]

    world.notify([first, second], window, change=two_polls)
    verdict = world.judge()
    assert [f.kind for f in verdict.findings] == [FindingKind.MISSING, FindingKind.MALFORMED], verdict.report()
    assert verdict.malformed[0].evidence[1:] == (
        "message.raw.contacts[2] is contact 3 @ 2026-01-01T00:35:00Z, served first at seq 11 and last at seq 11, "
        "not in the poll this notification's pollDate names (window 1, window 2); raw carries that poll's records",
    )


def test_every_raw_record_is_judged_after_one_without_an_id() -> None:
    world, key = one_version()

    def extras(document: dict[str, Any]) -> None:
        document["message"]["raw"]["contacts"] += [{"firstName": "Nobody"}, record(VersionKey(99, at(5)))]

    world.notify([key], world.window(at(15)), change=extras)
    problems = malformed(world)
    assert [p.split(" ")[0] for p in problems] == ["message.raw.contacts[1]", "message.raw.contacts[2]"], problems


def test_a_policy_finding_on_a_one_version_delivery_names_that_version() -> None:
    world, key = one_version()
    world.notify(
        [key], world.window(at(15)), change=lambda d: d["message"]["events"][0].update(date="2026-01-01T00:06:00Z")
    )
    [finding] = world.judge().findings
    assert (finding.kind, finding.policy, finding.version) == (FindingKind.MALFORMED, True, key)


def test_pollDate_in_a_window_between_two_serves_is_bounded_by_that_windows_last_request() -> None:
    """Served in windows 1, 2 and 3: window 2 holds neither its first nor its last serve, so its bound is its own
    last hub request (00:30), not the later serve in window 3."""
    world, key = one_version()
    world.window(at(15))
    second = world.window(at(30))
    world.window(at(45))
    world.notify([key], second, change=poll_date("2026-01-01T00:31:00Z"))
    evidence = world.judge().malformed[0].evidence
    assert "; window 2: 2026-01-01T00:30:00Z to its first serve at 2026-01-01T00:30:00Z;" in evidence[-1], evidence


def test_a_hub_request_after_the_last_window_belongs_to_no_window() -> None:
    world, key = one_version()
    window = world.window(at(15))
    world.now = at(20)
    world.request()
    world.notify([key], window)
    verdict = world.judge()
    assert verdict.passed, verdict.report()
