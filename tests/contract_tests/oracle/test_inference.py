"""Clause tests of the inference rules (docs/contract-suite/live-judge.md#windows-inferred): one test per rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cwmock.contract_tests.oracle.inference import (
    STOPPED_BY_JUDGE,
    InferenceSettings,
    RequestLog,
    infer_windows,
    is_first_page,
)
from cwmock.contract_tests.oracle.inputs import JournalRecord
from cwmock.emulator.model.versions import Moment

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
CONTACTS = "/elements/api-v2/hubs/crm/contacts"
ACCOUNTS = "/elements/api-v2/hubs/crm/accounts"


def page(
    seq: int,
    seconds: float,
    *,
    end: bool = True,
    query: str = "pageSize=200",
    status: int = 200,
    fault: str | None = None,
    path: str = CONTACTS,
) -> JournalRecord:
    """A hub list request of instance 1 at T0 + seconds."""
    at = T0 + timedelta(seconds=seconds)
    return JournalRecord(Moment(at, seq), "GET", path, status, query, "cwmock", 1, fault, end, 1)


def log(*records: JournalRecord, refused: int = 0) -> RequestLog:
    return RequestLog(1, records, refused)


def test_a_run_starts_with_the_first_request_and_its_start_is_that_requests_server_time() -> None:
    inferred = infer_windows(log(page(5, 10.25)))
    [window] = inferred.windows
    assert (window.index, window.start, window.begin_seq, window.end_seq) == (1, T0 + timedelta(seconds=10.25), 4, 5)
    assert inferred.reasons == ()


def test_a_first_page_after_a_complete_run_starts_the_next_run_however_soon() -> None:
    inferred = infer_windows(log(page(1, 0), page(2, 0.01)))
    assert [w.begin_seq for w in inferred.windows] == [0, 1]


def test_pages_of_one_read_within_the_gap_are_one_run() -> None:
    first = page(1, 0, end=False, query="pageSize=1")
    second = page(2, 0.2, query="pageSize=1&nextPage=abc")
    inferred = infer_windows(log(first, second))
    assert [(w.begin_seq, w.end_seq) for w in inferred.windows] == [(0, 2)]
    assert inferred.reasons == ()


def test_more_idle_time_than_the_gap_ends_an_incomplete_run() -> None:
    failed = page(1, 0, end=False, status=503, fault="status")
    inferred = infer_windows(log(failed, page(2, 5)), InferenceSettings(gap=timedelta(seconds=1)))
    assert [w.end_seq for w in inferred.windows] == [1, 2]


def test_a_run_is_complete_only_when_every_resource_it_read_ended() -> None:
    # Contacts ended, then accounts began: one run, incomplete until accounts ends too.
    records = (page(1, 0), page(2, 0.1, end=False, path=ACCOUNTS))
    inferred = infer_windows(log(*records))
    assert len(inferred.windows) == 1
    assert any("never completed" in reason and ACCOUNTS in reason for reason in inferred.reasons)
    ended = infer_windows(log(*records, page(3, 0.2, path=ACCOUNTS, query="nextPage=x"), page(4, 0.3)))
    assert [(w.begin_seq, w.end_seq) for w in ended.windows] == [(0, 3), (3, 4)]
    assert ended.reasons == ()


def test_a_faulted_request_makes_the_run_unclean_and_the_judge_sees_it_in_the_journal() -> None:
    inferred = infer_windows(log(page(1, 0, status=429, end=False)))
    assert inferred.journal.entries[0].faulted
    assert inferred.reasons == ()  # faulted and incomplete: the poller gave up, nothing ambiguous


def test_a_clean_run_that_never_completes_is_inconclusive() -> None:
    inferred = infer_windows(log(page(1, 0, end=False)))
    assert len(inferred.reasons) == 1
    assert "run 1" in inferred.reasons[0]
    assert "never completed" in inferred.reasons[0]


def test_a_run_the_judge_cut_by_stopping_the_poller_is_unclean_not_inconclusive() -> None:
    inferred = infer_windows(log(page(1, 0), page(2, 5, end=False)), InferenceSettings(stopped_seq=2))
    assert inferred.reasons == ()
    crash = inferred.windows[-1].crash
    assert crash is not None
    assert crash.injected
    assert crash.cause == STOPPED_BY_JUDGE


def test_only_the_last_run_can_have_been_cut_by_the_judge() -> None:
    records = (page(1, 0, end=False), page(2, 5), page(3, 10))
    inferred = infer_windows(log(*records), InferenceSettings(gap=timedelta(seconds=1), stopped_seq=3))
    assert any("run 1" in reason for reason in inferred.reasons)


def test_a_new_first_page_while_a_read_is_open_is_interleaving() -> None:
    records = (page(1, 0, end=False, query="pageSize=1"), page(2, 0.1, query="pageSize=1"))
    inferred = infer_windows(log(*records))
    assert any("interleaved" in reason for reason in inferred.reasons)


def test_a_continuation_with_no_first_page_in_its_run_is_inconclusive() -> None:
    records = (page(1, 0, end=False, query="pageSize=1"), page(2, 9, query="pageSize=1&nextPage=abc"))
    inferred = infer_windows(log(*records), InferenceSettings(gap=timedelta(seconds=1)))
    assert any("first page is not in it" in reason for reason in inferred.reasons)


def test_a_continuation_retrying_a_failed_page_is_part_of_the_read() -> None:
    records = (
        page(1, 0, end=False, query="pageSize=1"),
        page(2, 0.1, end=False, query="pageSize=1&page=2", status=500, fault="status"),
        page(3, 0.2, query="pageSize=1&page=2"),
    )
    inferred = infer_windows(log(*records))
    assert len(inferred.windows) == 1
    assert inferred.reasons == ()


def test_requests_with_unknown_tokens_make_it_inconclusive() -> None:
    stray = JournalRecord(Moment(T0, 9), "GET", CONTACTS, 401)
    inferred = infer_windows(log(page(1, 0)), unattributed=RequestLog(None, (stray,)))
    assert any("named no instance's token" in reason for reason in inferred.reasons)


def test_a_full_request_log_makes_it_inconclusive() -> None:
    inferred = infer_windows(log(page(1, 0), refused=3))
    assert any("refused 3" in reason for reason in inferred.reasons)


def test_windows_take_the_start_tolerance() -> None:
    [window] = infer_windows(log(page(1, 10.5))).windows
    assert (window.earliest_poll_date(), window.s) == (T0 + timedelta(seconds=9), T0 + timedelta(seconds=10))


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("", True),
        ("pageSize=5", True),
        ("page=1", True),
        ("Page=1&PageSize=5", True),
        ("page=2", False),
        ("PAGE=2", False),
        ("nextPage=x", False),
        ("pageId=40&pageSize=5", False),
        # Keyset paging through the filter continues a read (the reference poller's drift-safe paging).
        ("where=id+%3E+40&orderBy=id+asc", False),
        ("where=%28lastUpdated+%3E%3D+%272026-01-01T00%3A00%3A00Z%27%29+and+id+%3E+40", False),
        ("conditions=%28lastUpdated%3E%3D%5B2026-01-01T00%3A00%3A00Z%5D%29+AND+id%3E40", False),
        # A filter that merely mentions an id bound elsewhere is a first page.
        ("where=id+%3E+40+and+lastUpdated+%3E%3D+%272026-01-01T00%3A00%3A00Z%27", True),
        ("where=lastUpdated+%3E%3D+%272026-01-01T00%3A00%3A00Z%27", True),
    ],
)
def test_a_first_page_has_no_cursor_and_no_later_page_number(query: str, first: bool) -> None:
    assert is_first_page(page(1, 0, query=query)) is first


def test_the_unattributed_log_is_not_a_subject() -> None:
    with pytest.raises(ValueError, match="one instance"):
        infer_windows(RequestLog(None, ()))


def test_a_request_log_parses_from_the_admin_json() -> None:
    data = {
        "instance": 1,
        "refused": 0,
        "requests": [
            {"at": "2026-01-01T00:00:01Z", "seq": 2, "method": "GET", "path": CONTACTS, "status": 200,
             "instance": 1, "resultEnd": True},
            {"at": "2026-01-01T00:00:00Z", "seq": 1, "method": "GET", "path": CONTACTS, "status": 200,
             "instance": 1, "resultEnd": True},
        ],
    }  # fmt: skip
    parsed = RequestLog.from_json(data)
    assert [r.moment.seq for r in parsed.requests] == [1, 2]
    with pytest.raises(ValueError, match="requests"):
        RequestLog.from_json({"instance": 1})
