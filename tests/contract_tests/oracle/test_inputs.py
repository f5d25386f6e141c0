"""The oracle's inputs parse from the emulator's and receiver's own JSON, and the oracle stays independent."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import cwmock.contract_tests
from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import (
    History,
    HistoryVersion,
    JournalLog,
    JournalRecord,
    ServedLog,
    Window,
    arrival_from_json,
    version_key,
)
from cwmock.contract_tests.oracle.inputs import ServedVersion as ServedRecord
from cwmock.emulator.journal.ring import JournalEntry
from cwmock.emulator.model.instances import ServedVersion
from cwmock.emulator.model.versions import Moment, Version
from cwmock.receiver.app import arrival_json
from cwmock.receiver.records import Arrival
from cwmock.receiver.signatures import SignatureStatus, SignatureVerdict, sign, verify

UTC = timezone.utc
T = datetime(2026, 1, 1, 0, 15, tzinfo=UTC)


def test_history_parses_the_emulators_version_json() -> None:
    later = Moment(datetime(2026, 1, 1, 0, 20, tzinfo=UTC), 9)
    version = Version("cwmock", 17, T, {"id": 17}, Moment(T, 3), T, Moment(T, 4), later, None, 2)
    history = History.from_json(json.loads(json.dumps({"sequence": 12, "versions": [version.to_json()]})))
    parsed = history.versions[0]
    assert history.sequence == 12
    assert (parsed.key, parsed.became_visible, parsed.ended, parsed.writes) == (
        version_key(17, T),
        Moment(T, 4),
        later,
        2,
    )


def test_served_and_journal_parse_the_emulators_json() -> None:
    served = ServedVersion(17, "2026-01-01T00:15:00Z", Moment(T, 5), Moment(T, 8), 2)
    log = ServedLog.from_json({"instance": 4242, "versions": [served.to_json()]})
    assert log.versions[0].key == version_key(17, T)
    entry = JournalEntry(Moment(T, 5), "GET", "/elements/api-v2/hubs/crm/contacts", "", 503, "cwmock", 4242, "x")
    journal = JournalLog.from_json({"capacity": 10, "dropped": 2, "entries": [entry.to_json()]})
    assert journal.dropped == 2
    assert journal.entries[0].faulted
    assert journal.entries[0].instance == 4242


def test_how_often_a_version_was_served_is_read_and_is_once_when_not_said() -> None:
    served = ServedVersion(17, "2026-01-01T00:15:00Z", Moment(T, 5), Moment(T, 8), 3)
    assert ServedLog.from_json({"instance": 4242, "versions": [served.to_json()]}).versions[0].times == 3
    entry = {key: value for key, value in served.to_json().items() if key != "times"}
    assert ServedLog.from_json({"instance": 4242, "versions": [entry]}).versions[0].times == 1


def test_how_many_writes_a_version_took_is_read_and_is_one_when_not_said() -> None:
    """`writes` (same-stamp writes folded into one version) from an emulator that reports it; one from one that
    does not."""
    version = Version("cwmock", 17, T, {"id": 17}, Moment(T, 3), T, Moment(T, 4), None, None, 3).to_json()
    assert HistoryVersion.from_json(version).writes == 3
    assert HistoryVersion.from_json({k: v for k, v in version.items() if k != "writes"}).writes == 1


HUB_PAGE = JournalEntry(
    Moment(T, 5),
    "GET",
    "/elements/api-v2/hubs/crm/contacts",
    "where=lastUpdated>'2026-01-01T00:00:00Z'&pageSize=200",
    200,
    "cwmock",
    4242,
    "latency",
    True,
    3,
    T + timedelta(seconds=2),
)


def test_a_journal_entry_parses_field_for_field_as_the_emulator_wrote_it() -> None:
    """Every field the oracle reads: the query (first page or continuation, docs/contract-suite/live-judge.md), the
    fault and result end (clean and complete windows), and when the response started (`answeredAt`: the latest
    instant a pollDate may name for what it served)."""
    parsed = JournalLog.from_json({"entries": [json.loads(json.dumps(HUB_PAGE.to_json()))]}).entries[0]
    assert asdict(parsed) == asdict(HUB_PAGE)
    assert parsed.answered_at == T + timedelta(seconds=2)


def test_a_journal_entry_without_query_or_nullable_fields_reads_as_none_of_them() -> None:
    """An entry of an emulator that predates a field: no query string, no tenant, instance, fault, result end, count
    of records returned or response time (then the request's own time stands for it)."""
    entry = {"at": "2026-01-01T00:15:00Z", "seq": 5, "method": "GET", "path": "/x", "status": 200}
    assert JournalRecord.from_json(entry) == JournalRecord(Moment(T, 5), "GET", "/x", 200)
    assert JournalRecord.from_json(entry).answered_at == T


GOOD_ENTRY: dict[str, Any] = HUB_PAGE.to_json()


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"at": None}, "entry.at: expected an ISO-8601 instant string"),
        ({"seq": "5"}, "entry.seq: expected an integer"),
        ({"method": None}, "entry.method: expected a string"),
        ({"method": 1}, "entry.method: expected a string"),
        ({"path": None}, "entry.path: expected a string"),
        ({"query": ["pageSize=1"]}, "entry.query: expected a string"),
        ({"status": "200"}, "entry.status: expected an integer"),
        ({"tenant": 7}, "entry.tenant: expected a string"),
        ({"instance": "4242"}, "entry.instance: expected an integer"),
        ({"fault": ["latency"]}, "entry.fault: expected a string"),
        ({"resultEnd": "false"}, "entry.resultEnd: expected true, false or null"),
        ({"resultEnd": 0}, "entry.resultEnd: expected true, false or null"),
        ({"returned": True}, "entry.returned: expected an integer"),
        ({"answeredAt": "later"}, "entry.answeredAt: "),
    ],
)
def test_a_malformed_journal_entry_is_refused_naming_the_field(change: dict[str, Any], refusal: str) -> None:
    """A journal the oracle misreads would judge the wrong requests: a wrong type is refused, never coerced (a
    `"false"` result end read as true would make an incomplete window complete)."""
    entry = {key: value for key, value in {**GOOD_ENTRY, **change}.items() if value is not None}
    with pytest.raises(ValueError, match="^" + re.escape(refusal)):
        JournalRecord.from_json(entry)
    with pytest.raises(ValueError, match=re.escape("journal.entries[0]." + refusal.partition(".")[2])):
        JournalLog.from_json({"entries": [entry]})


GOOD_VERSION: dict[str, Any] = Version("cwmock", 17, T, {}, Moment(T, 3), T, Moment(T, 4), None, None, 1).to_json()


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"tenant": None}, "version.tenant: expected a string"),
        ({"id": "17"}, "version.id: expected an integer"),
        ({"stamp": 17}, "version.stamp: expected an ISO-8601 instant string"),
        ({"written": None}, "version.written: a moment is required here"),
        ({"writes": "2"}, "version.writes: expected an integer"),
    ],
)
def test_a_malformed_history_version_is_refused_naming_the_field(change: dict[str, Any], refusal: str) -> None:
    """A version without its tenant would silently drop out of the versions the instance is judged on."""
    version = {key: value for key, value in {**GOOD_VERSION, **change}.items() if value is not None}
    with pytest.raises(ValueError, match="^" + re.escape(refusal)):
        HistoryVersion.from_json(version)


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"stamp": None}, "served.stamp: expected the stamp string as served, got None"),
        ({"stamp": "yesterday"}, "served.stamp: "),
        ({"id": None}, "served.id: expected an integer"),
        ({"last": None}, "served.last: a moment is required here"),
    ],
)
def test_a_malformed_served_version_is_refused_naming_the_field(change: dict[str, Any], refusal: str) -> None:
    served = ServedVersion(17, "2026-01-01T00:15:00Z", Moment(T, 5), Moment(T, 8), 2).to_json()
    entry = {key: value for key, value in {**served, **change}.items() if value is not None}
    with pytest.raises(ValueError, match="^" + re.escape(refusal)):
        ServedRecord.from_json(entry)


def test_a_journal_that_does_not_say_it_dropped_entries_dropped_none() -> None:
    """`dropped` > 0 makes windows whose entries may be lost unknown: absent, it is 0, never a loss."""
    assert (JournalLog.from_json({"entries": []}).dropped, JournalLog.from_json({"entries": []}).capacity) == (0, None)
    assert JournalLog.from_json({"entries": [], "dropped": 3, "capacity": 10}) == JournalLog((), 3, 10)


@pytest.mark.parametrize(
    ("parse", "data", "refusal"),
    [
        (
            History.from_json,
            {"sequence": 1},
            "history: expected {'sequence': int, 'versions': [...]} from GET /__admin/history",
        ),
        (History.from_json, {"sequence": "1", "versions": []}, "history.sequence: expected an integer, got '1'"),
        (History.from_json, {"sequence": 1, "versions": [{}]}, "history.versions[0].tenant: expected a string"),
        (
            ServedLog.from_json,
            {"instance": 1},
            "served: expected {'instance': int, 'versions': [...]} from GET /__admin/instances/{id}/served",
        ),
        (ServedLog.from_json, {"instance": None, "versions": []}, "served.instance: expected an integer, got None"),
        (ServedLog.from_json, {"instance": 1, "versions": [{}]}, "served.versions[0].stamp: expected the stamp string"),
        (
            JournalLog.from_json,
            {"dropped": 0},
            "journal: expected {'capacity', 'dropped', 'entries': [...]} from GET /__admin/journal",
        ),
        (JournalLog.from_json, {"entries": [], "dropped": "2"}, "journal.dropped: expected an integer, got '2'"),
        (JournalLog.from_json, {"entries": [], "capacity": 1.5}, "journal.capacity: expected an integer, got 1.5"),
    ],
)
def test_an_answer_of_the_wrong_shape_is_refused_saying_which_call_and_field(
    parse: Any, data: dict[str, Any], refusal: str
) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(refusal)):
        parse(data)


@pytest.mark.parametrize(
    ("moment", "refusal"),
    [
        ({"at": "2026-01-01T00:15:00Z", "seq": "4"}, "version.becameVisible: expected {'at': ISO instant, 'seq': int}"),
        ("2026-01-01T00:15:00Z", "version.becameVisible: expected {'at': ISO instant, 'seq': int} or null"),
        ({"seq": 4}, "version.becameVisible.at: expected an ISO-8601 instant string, got None"),
        ({"at": "soon", "seq": 4}, "version.becameVisible.at: "),
    ],
)
def test_a_malformed_moment_is_refused_naming_it(moment: Any, refusal: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(refusal)):
        HistoryVersion.from_json({**GOOD_VERSION, "becameVisible": moment})


def test_a_moment_reads_its_instant_and_sequence_number() -> None:
    version = HistoryVersion.from_json({**GOOD_VERSION, "becameVisible": {"at": "2026-01-01T00:16:00+01:00", "seq": 7}})
    assert version.became_visible == Moment(datetime(2025, 12, 31, 23, 16, tzinfo=UTC), 7)
    assert HistoryVersion.from_json({**GOOD_VERSION, "becameVisible": None}).became_visible is None


def test_a_window_holds_the_sequence_numbers_after_its_begin_through_its_end() -> None:
    window = Window(1, T, 5, 9)
    assert [seq for seq in range(3, 12) if window.holds(seq)] == [6, 7, 8, 9]
    assert Window(2, T, 9, 9).holds(9) is False, "a window that made no request holds nothing"


@pytest.mark.parametrize(
    ("make", "refusal"),
    [
        (lambda: Window(3, T, 5, 4), "window 3: end_seq 4 is before begin_seq 5"),
        (lambda: Window(3, T, 5, 9, start_tolerance=-timedelta(seconds=1)), "window 3: start_tolerance -1 day"),
    ],
)
def test_a_window_a_harness_got_wrong_is_refused(make: Any, refusal: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(refusal)):
        make()


def test_an_arrival_round_trips_through_the_receivers_json() -> None:
    body = b'{"id": "1"}'
    arrival = Arrival(3, T, "POST", "/", "", (("elements-webhook-id", "a"),), body, 200, verify(None, body, []))
    assert arrival_from_json(json.loads(json.dumps(arrival_json(arrival)))) == arrival


def test_a_signed_arrival_round_trips_with_its_verdict_method_path_and_query() -> None:
    body = b'{"id": "2"}'
    headers = (("elements-webhook-id", "b"), ("elements-webhook-signature", sign("k2", body)))
    verdict = verify(headers[1][1], body, ["k1", "k2"])
    assert verdict.status is SignatureStatus.VALID
    assert verdict.matched_key_index == 1
    arrival = Arrival(4, T, "PUT", "/hooks/contacts", "tenant=a", headers, body, 503, verdict)
    assert arrival_from_json(json.loads(json.dumps(arrival_json(arrival)))) == arrival


def test_an_arrival_missing_optional_fields_reads_as_an_unsigned_post_to_the_root() -> None:
    parsed = arrival_from_json({"seq": 1, "arrived_at": "2026-01-01T00:15:00Z", "status": 200})
    assert (parsed.method, parsed.path, parsed.query, parsed.headers, parsed.body) == ("POST", "/", "", (), b"")
    assert parsed.signature == SignatureVerdict(SignatureStatus.UNSIGNED_EXPECTED, "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seq": "1"}, "arrival.seq"),
        ({"status": None}, "arrival.status"),
        ({"arrived_at": "soon"}, "arrival.arrived_at"),
    ],
)
def test_a_bad_arrival_field_is_named_in_the_refusal(change: dict[str, object], field: str) -> None:
    data = {"seq": 1, "arrived_at": "2026-01-01T00:15:00Z", "status": 200, **change}
    with pytest.raises(ValueError, match=f"^{field}: "):
        arrival_from_json(data)


def test_instance_facts_parse_the_seed_shape_with_strings() -> None:
    instance = {
        "id": 4242,
        "token": "t",
        "tenant": "cwmock",
        "createdDate": "2026-01-01T00:00:00.250Z",
        "configuration": {
            "event.notification.signature.key": "k",
            "event.poller.refresh_interval": "15",
            "event.poller.configuration": json.dumps(
                {
                    "contacts": {
                        "url": "/hubs/crm/contacts?where=lastUpdated>'${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'",
                        "idField": "id",
                        "pollDelay": "30",
                        "filterByCurrentDate": "true",
                        "filterByUpdatedDate": "false",
                        "datesConfiguration": {
                            "updatedDateField": "_info.lastUpdated",
                            "createdDateField": "_info.lastUpdated",
                        },
                    }
                }
            ),
        },
    }
    facts = InstanceFacts.from_instance_json(instance)
    assert facts.created == datetime(2026, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)
    assert (facts.poll_delay, facts.filter_by_current_date, facts.filter_by_updated_date) == (30.0, True, False)
    assert (facts.signature_key, facts.refresh_interval_minutes, facts.tenant) == ("k", 15.0, "cwmock")
    assert facts.unsupported() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"filterByCurrentDate": "yes"}, "expected true or false"),
        ({"pollDelay": "soon"}, "expected a number"),
        ({"pollDelay": -1}, "≥ 0"),
    ],
)
def test_instance_facts_refuse_bad_settings_with_the_fix(change: dict[str, object], message: str) -> None:
    instance = {
        "id": 1,
        "createdDate": "2026-01-01T00:00:00Z",
        "configuration": {"event.poller.configuration": {"contacts": {"url": "/hubs/crm/contacts", **change}}},
    }
    with pytest.raises(ValueError, match=message):
        InstanceFacts.from_instance_json(instance)


def test_windows_out_of_order_are_refused() -> None:
    from cwmock.contract_tests.oracle.windows import check_windows

    with pytest.raises(ValueError, match="in the order they ran"):
        check_windows([Window(1, T, 5, 9), Window(2, T, 3, 4)])
    with pytest.raises(ValueError, match=re.escape("window indexes must be distinct, got [1, 2, 1]")):
        check_windows([Window(1, T, 1, 2), Window(2, T, 2, 3), Window(1, T, 3, 4)])
    later = T + timedelta(seconds=1)
    refusal = (
        "windows must be given in the order they ran: window 2 (begin_seq 9, start 2026-01-01T00:15:00+00:00) comes "
        "after window 1 (end_seq 9, start 2026-01-01T00:15:01+00:00)"
    )
    with pytest.raises(ValueError, match="^" + re.escape(refusal) + "$"):
        check_windows([Window(1, later, 5, 9), Window(2, T, 9, 12)])
    # One after the other, even at the same instant (a frozen clock) and with no request between them: admitted.
    check_windows([Window(1, T, 5, 9), Window(2, T, 9, 9), Window(3, T, 9, 12)])
    with pytest.raises(ValueError, match="naive"):
        Window(1, datetime(2026, 1, 1), 0, 1)


def test_the_oracle_imports_nothing_from_the_poller() -> None:
    package = Path(cwmock.contract_tests.__file__).parent / "oracle"
    modules = sorted(package.glob("*.py"))
    assert len(modules) >= 5
    for module in modules:
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert "poller" not in name, f"{module.name} imports {name}: the judge must not lean on the poller"
