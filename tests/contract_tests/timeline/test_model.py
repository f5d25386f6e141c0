"""The timeline's content: bands from windows, versions required or optional, deliveries, findings placed."""

from __future__ import annotations

from cwmock.contract_tests.oracle.verdict import FindingKind
from cwmock.contract_tests.timeline.model import MAX_ROWS, build_timeline

from support.oracle import Scenario, at


def test_windows_become_bands_from_the_previous_start_with_the_oracles_clean_and_complete() -> None:
    world = Scenario()
    world.window(at(15))
    world.window(at(30), fault="status")
    world.window(at(45), complete=False)
    case = world.case()
    timeline = build_timeline(case, case.judge())
    assert [(b.index, b.begin, b.start) for b in timeline.bands] == [
        (1, at(0), at(15)),
        (2, at(15), at(30)),
        (3, at(30), at(45)),
    ]
    assert [(b.clean, b.complete) for b in timeline.bands] == [(True, True), (False, True), (True, False)]
    assert "fault 'status'" in timeline.bands[1].faults[0]


def test_a_delivered_required_version_is_marked_required_and_carried() -> None:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    window = world.window(at(15))
    world.notify([key], window)
    case = world.case()
    timeline = build_timeline(case, case.judge())
    [version] = timeline.versions
    assert version.key == key
    assert version.required
    assert version.required_by == 1
    assert version.carried_by == (1,)
    [delivery] = timeline.deliveries
    assert delivery.acknowledged
    assert delivery.versions == (key,)
    assert timeline.passed
    assert not timeline.findings
    assert timeline.rows == (1,)


def test_a_version_no_clean_window_saw_is_optional() -> None:
    world = Scenario()
    world.now = at(5)
    world.write(1, at(5))
    world.window(at(15), fault="status")
    case = world.case()
    [version] = build_timeline(case, case.judge()).versions
    assert not version.required
    assert version.required_by is None


def test_findings_are_numbered_as_the_report_lists_them_and_placed_where_they_happened() -> None:
    world = Scenario()
    world.now = at(5)
    missing = world.write(2, at(6))
    twice = world.write(3, at(7))
    window = world.window(at(15))
    world.now = at(16)
    world.notify([twice], window)
    world.now = at(17)
    world.notify([twice], window)
    case = world.case()
    verdict = case.judge()
    timeline = build_timeline(case, verdict)
    assert [(f.number, f.kind, f.version) for f in timeline.findings] == [
        (1, FindingKind.MISSING, missing),
        (2, FindingKind.DUPLICATED, twice),
    ]
    first, second = timeline.findings
    assert (first.at, first.contact, first.windows) == (at(15), 2, (1,))
    assert (second.at, second.contact, second.deliveries) == (at(17), 3, (1, 2))
    assert first.evidence == verdict.missing[0].evidence
    by_key = {v.key: v for v in timeline.versions}
    assert by_key[missing].findings == (1,)
    assert by_key[twice].findings == (2,)


def test_a_malformed_notification_is_placed_on_the_deliveries_row_at_its_arrival() -> None:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    window = world.window(at(15))
    world.now = at(16)
    world.notify([key], window, event_type="SOMETHING")
    case = world.case()
    [finding] = build_timeline(case, case.judge()).findings
    assert finding.kind is FindingKind.MALFORMED
    assert finding.contact is None
    assert finding.at == at(16)
    assert finding.deliveries == (1,)


def test_old_undelivered_versions_are_counted_not_drawn() -> None:
    world = Scenario()
    world.write(1, at(-10))
    world.window(at(15))
    case = world.case()
    timeline = build_timeline(case, case.judge())
    assert timeline.versions == ()
    assert timeline.hidden_versions == 1


def test_rows_are_capped_keeping_those_with_findings() -> None:
    world = Scenario()
    world.now = at(5)
    keys = [world.write(contact, at(5)) for contact in range(1, MAX_ROWS + 11)]
    window = world.window(at(15))
    world.notify(keys[1:], window)  # contact 1 is missing
    case = world.case()
    timeline = build_timeline(case, case.judge())
    assert len(timeline.rows) == MAX_ROWS
    assert timeline.hidden_rows == 10
    assert 1 in timeline.rows
    assert len(timeline.versions) == MAX_ROWS + 10


def test_the_axis_covers_s0_every_window_arrival_and_finding() -> None:
    world = Scenario()
    world.now = at(5)
    key = world.write(1, at(5))
    window = world.window(at(15))
    world.now = at(90)
    world.notify([key], window)
    case = world.case()
    timeline = build_timeline(case, case.judge())
    assert timeline.begin < at(0)
    assert timeline.end > at(90)
