"""The poller's state directory: a damaged file refused with the way out, and what it stores read back exactly.

Issue 19, breakage 8: a zero-byte state file used to restart the poller from scratch without a word (every version
delivered again under new webhook ids); other damage ended in a raw sqlite3 traceback. And the outbox: entries read
back as written and failed, redelivery by number, instants to the microsecond.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import pytest

from cwmock.cli.main import main
from cwmock.fixtures import read_fixture
from cwmock.poller import state as state_module
from cwmock.poller.state import (
    STATE_FILE,
    STATE_FORMAT,
    NewNotification,
    PollerState,
    StateBusyError,
    StateError,
    StateTransaction,
    from_us,
    to_us,
)

NOW = S0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def used_state(directory: Path) -> Path:
    """A state directory a poller has written to: a cursor and a delivered count."""
    state = PollerState.open(directory)
    with state.transaction() as tx:
        tx.set_last_poll("contacts", NOW)
        tx.set_meta("instance_id", "1")
    state.close()
    return directory / STATE_FILE


def damage(path: Path, how: str) -> None:
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    elif how == "garbage":
        path.write_bytes(b"not a database at all\n" * 200)
    elif how == "format":  # a poller state, but of a format this poller does not read
        other = sqlite3.connect(path)
        other.execute("UPDATE meta SET value = '99' WHERE key = 'format'")
        other.commit()
        other.close()
    else:  # a SQLite database, but not a poller's state
        path.unlink()
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE notes (text TEXT)")
        other.commit()
        other.close()


@pytest.mark.parametrize("how", ["empty", "truncated", "garbage", "foreign"])
def test_a_damaged_state_file_is_refused_with_the_way_out(tmp_path: Path, how: str) -> None:
    path = used_state(tmp_path)
    damage(path, how)
    kept = path.read_bytes()
    with pytest.raises(StateError) as refused:
        PollerState.open(tmp_path)
    message = str(refused.value)
    assert str(path) in message
    assert "Keep the file to inspect it, then run again with --reset-state: the damaged file is moved aside" in message
    assert path.read_bytes() == kept, "the damaged file is left as it was, for inspection"


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("empty", "is empty (0 bytes)"),
        ("truncated", "is not a readable SQLite database (database disk image is malformed)"),
        ("garbage", "is not a readable SQLite database (file is not a database)"),
        ("foreign", "is a SQLite database but not a poller state (it lacks cursors, meta, outbox, seen)"),
        ("format", "has format '99', not 'cwmock-poller-state/1'"),
    ],
)
def test_a_damaged_state_file_is_refused_saying_what_is_wrong_with_it(tmp_path: Path, how: str, reason: str) -> None:
    path = used_state(tmp_path)
    damage(path, how)
    with pytest.raises(StateError) as refused:
        PollerState.open(tmp_path)
    assert f"the poller state {path} {reason}, so it cannot be used" in str(refused.value)


def test_a_sqlite_error_while_opening_a_readable_state_is_refused_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = used_state(tmp_path)

    def failing(connection: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(state_module, "_settings", failing)
    with pytest.raises(StateError) as refused:
        PollerState.open(tmp_path)
    assert f"the poller state {path} could not be opened (disk I/O error), so it cannot be used" in str(refused.value)


def test_a_state_file_half_made_by_a_crash_is_cleared_when_the_state_is_made(tmp_path: Path) -> None:
    """A kill while the file was being made leaves only the temporary copy, never a half-made state file: the next
    run removes it as it makes the state (and a file merely named alike is left alone)."""
    leftover = tmp_path / f".{STATE_FILE}.new-k1ll3d"
    leftover.write_bytes(b"half a database")
    unrelated = tmp_path / f"{STATE_FILE}.new-notes"
    unrelated.write_bytes(b"mine")
    PollerState.open(tmp_path).close()
    assert not leftover.exists()
    assert unrelated.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir() if ".new-" in p.name) == [unrelated.name]


def test_the_state_file_is_made_under_a_name_the_next_run_clears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a kill mid-way leaves behind must be what the next run looks for."""
    renamed: list[tuple[str, str]] = []
    replace = os.replace

    def recording(source: str, destination: str) -> None:
        renamed.append((Path(source).name, Path(destination).name))
        replace(source, destination)

    monkeypatch.setattr(os, "replace", recording)
    PollerState.open(tmp_path).close()
    [(temporary, made)] = renamed
    assert made == STATE_FILE
    assert temporary.startswith(f".{STATE_FILE}.new-")


def test_a_new_state_file_records_its_format_and_nothing_else(tmp_path: Path) -> None:
    """The format is what a later poller reads to know the file (the `meta` table is the file's own contract)."""
    PollerState.open(tmp_path).close()
    connection = sqlite3.connect(tmp_path / STATE_FILE)
    try:
        assert connection.execute("SELECT key, value FROM meta").fetchall() == [("format", STATE_FORMAT)]
    finally:
        connection.close()


def test_a_state_made_before_the_format_was_recorded_is_kept_and_gets_it(tmp_path: Path) -> None:
    path = used_state(tmp_path)
    older = sqlite3.connect(path)
    older.execute("DELETE FROM meta WHERE key = 'format'")
    older.commit()
    older.close()
    state = PollerState.open(tmp_path)
    assert (state.meta("format"), state.meta("instance_id")) == (STATE_FORMAT, "1")
    assert state.last_poll("contacts") == NOW
    state.close()


@pytest.mark.parametrize("how", ["empty", "garbage"])
def test_reset_state_moves_the_damaged_file_aside_and_starts_afresh(tmp_path: Path, how: str) -> None:
    path = used_state(tmp_path)
    damage(path, how)
    kept = path.read_bytes()
    state = PollerState.open(tmp_path, reset_damaged=True)
    assert state.last_poll("contacts") is None
    state.close()
    assert (tmp_path / f"{STATE_FILE}.damaged-1").read_bytes() == kept
    again = PollerState.open(tmp_path, reset_damaged=True)  # a usable state is kept, not reset
    again.close()
    assert not (tmp_path / f"{STATE_FILE}.damaged-2").exists()


def test_a_state_damaged_again_is_moved_to_the_next_free_name_keeping_the_first(tmp_path: Path) -> None:
    path = used_state(tmp_path)
    kept = []
    for how in ("garbage", "empty"):
        damage(path, how)
        kept.append(path.read_bytes())
        PollerState.open(tmp_path, reset_damaged=True).close()
    assert [(tmp_path / f"{STATE_FILE}.damaged-{n}").read_bytes() for n in (1, 2)] == kept
    assert not (tmp_path / f"{STATE_FILE}.damaged-3").exists()


def test_a_usable_state_opens_as_it_was(tmp_path: Path) -> None:
    used_state(tmp_path)
    state = PollerState.open(tmp_path, reset_damaged=True)
    assert state.last_poll("contacts") == NOW
    assert state.meta("instance_id") == "1"
    state.close()


def test_a_new_state_is_never_seen_half_made(tmp_path: Path) -> None:
    """The file appears complete or not at all, so a crash while creating it cannot leave an empty one."""
    PollerState.open(tmp_path).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_FILE]
    assert (tmp_path / STATE_FILE).stat().st_size > 0


def write_protocol_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    body = json.loads(read_fixture("instances/seed_example_polling.json"))
    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps({**body, "id": 1, "token": "t", "createdDate": "2026-01-01T00:00:00Z"}))
    env = {
        "CWMOCK_INSTANCE": str(instance),
        "CWMOCK_HUB_URL": "http://127.0.0.1:9/elements/api-v2",
        "CWMOCK_HUB_AUTH": "x",
        "CWMOCK_STATE_DIR": str(tmp_path / "state"),
        "CWMOCK_NOW": "2026-01-01T00:00:00Z",
        "CWMOCK_START": "2026-01-01T00:00:00Z",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return tmp_path / "state"


@pytest.mark.parametrize("verb", [["once"], ["parked", "--state-dir", "{dir}"], ["redeliver", "--state-dir", "{dir}"]])
def test_the_poller_command_refuses_a_damaged_state_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], verb: list[str]
) -> None:
    state_dir = write_protocol_env(tmp_path, monkeypatch)
    damage(used_state(state_dir), "empty")
    assert main(["poller", *(part.format(dir=state_dir) for part in verb)]) == 2
    error = capsys.readouterr().err
    assert "--reset-state" in error
    assert "Traceback" not in error


@pytest.fixture
def held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A used state directory whose write lock another connection holds (as a window does until its commit)."""
    monkeypatch.setattr(state_module, "BUSY_TIMEOUT", 0.05)
    state_dir = tmp_path / "state"
    used_state(state_dir)
    holder = sqlite3.connect(state_dir / STATE_FILE, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield state_dir
    holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.parametrize("reset_damaged", [False, True])
def test_a_state_in_use_is_refused_as_busy_and_never_set_aside(held: Path, reset_damaged: bool) -> None:
    with pytest.raises(StateBusyError, match="is busy: another process") as refused:
        PollerState.open(held, reset_damaged=reset_damaged)
    assert "--reset-state" not in str(refused.value)
    assert sorted(path.name for path in held.iterdir() if "damaged" in path.name) == []
    state = PollerState.open(held.parent / "elsewhere")  # the lock was this file's alone
    state.close()


def test_redeliver_on_a_state_in_use_says_it_is_busy_not_damaged(
    held: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["poller", "redeliver", "--state-dir", str(held), "--id", "1"]) == 2
    error = capsys.readouterr().err
    assert "is busy" in error
    assert "--reset-state" not in error
    assert "Traceback" not in error


def redeliver_meeting(
    message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, str]:
    """`cwmock poller redeliver` on a usable state whose write fails with SQLite's `message`: the path and stderr."""
    state_dir = tmp_path / "state"
    used_state(state_dir)

    def failing(self: PollerState, ids: object) -> int:
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr(PollerState, "redeliver", failing)
    assert main(["poller", "redeliver", "--state-dir", str(state_dir), "--id", "1"]) == 2
    return state_dir / STATE_FILE, capsys.readouterr().err


def test_a_lock_met_after_opening_is_reported_busy_not_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, error = redeliver_meeting("database is locked", tmp_path, monkeypatch, capsys)
    assert f"the poller state {path} is busy" in error
    assert "Nothing is wrong with the file; run again when that window has ended." in error
    assert "--reset-state" not in error


def test_any_other_sqlite_error_after_opening_is_still_reported_as_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, error = redeliver_meeting("disk I/O error", tmp_path, monkeypatch, capsys)
    assert "failed (disk I/O error)" in error
    assert "--reset-state" in error
    assert "is busy" not in error


def supervised(root: Path, prepare: Callable[[Path], object], caplog: pytest.LogCaptureFixture) -> str:
    """What `cwmock up`'s supervisor logs when an instance is created whose state directory `prepare` made."""
    from cwmock.core.clock import ManualClock
    from cwmock.core.instance.config import parse_instance
    from cwmock.emulator.model.instances import InstanceRegistry
    from cwmock.poller.supervisor import PollerSupervisor

    registry = InstanceRegistry()
    registered = registry.create("cloudelements", "i", NOW)
    prepare(root / f"instance-{registered.id}")
    supervisor = PollerSupervisor(ManualClock(NOW), "http://127.0.0.1:9", "u", "o", root)
    instance = parse_instance(read_fixture("instances/seed_example_polling.json"))
    with caplog.at_level(logging.ERROR, logger="cwmock.poller.supervisor"):
        supervisor.instance_created(registered, instance)
    assert supervisor.events(registered.id) == []
    return caplog.text


def test_the_supervisor_of_cwmock_up_leaves_a_damaged_instance_state_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    logged = supervised(tmp_path, lambda directory: damage(used_state(directory), "garbage"), caplog)
    assert "--reset-state" in logged


def test_the_supervisor_of_cwmock_up_reports_a_busy_instance_state_without_reset_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(state_module, "BUSY_TIMEOUT", 0.05)
    holders: list[sqlite3.Connection] = []

    def hold(directory: Path) -> None:
        used_state(directory)
        holders.append(sqlite3.connect(directory / STATE_FILE, isolation_level=None))
        holders[0].execute("BEGIN IMMEDIATE")

    logged = supervised(tmp_path, hold, caplog)
    holders[0].close()
    assert "is not polled" in logged
    assert "is busy" in logged
    assert "--reset-state" not in logged


@pytest.fixture
def state(tmp_path: Path) -> PollerState:
    """A fresh state directory with three notifications in its outbox, due at S0."""
    opened = PollerState.open(tmp_path / "nested" / "state")  # its parents are made too
    with opened.transaction() as tx:
        for number in tx.next_numbers(3):
            headers = (("Elements-Webhook-Id", f"hook-{number}"),)
            tx.enqueue(NewNotification(number, f"hook-{number}", "contacts", "http://r/", headers, b"{}", 1), S0)
    return opened


def test_an_entry_reads_back_as_it_was_written_and_failed(state: PollerState) -> None:
    first = state.pending()[0]
    assert (first.number, first.webhook_id, first.resource, first.status) == (1, "hook-1", "contacts", "pending")
    assert (first.attempts, first.next_attempt, first.last_error) == (0, S0, None)
    due = S0 + timedelta(seconds=8, microseconds=5)
    state.mark_failed(1, 1, due, "HTTP 500: " + "x" * 2000)
    failed = state.pending()[0]
    assert (failed.attempts, failed.next_attempt) == (1, due)
    assert failed.last_error == ("HTTP 500: " + "x" * 2000)[:1000], "the error is kept, cut at 1,000 characters"
    state.mark_failed(2, 6, None, "HTTP 410: gone")
    [parked] = state.parked()
    assert (parked.number, parked.status, parked.next_attempt) == (2, "parked", None)


def test_parked_notifications_are_redelivered_by_number(state: PollerState) -> None:
    for number in (1, 2, 3):
        state.mark_failed(number, 6, None, "refused")
    assert state.redeliver([1, 3, 4]) == 2, "4 is not parked: it is not counted"
    assert [e.number for e in state.pending()] == [1, 3]
    assert all(e.attempts == 0 for e in state.pending()), "attempts start again"
    assert state.redeliver() == 1
    assert state.parked() == []


def test_a_fresh_state_delivered_nothing(state: PollerState) -> None:
    assert state.delivered_count() == 0
    state.mark_delivered(2)
    assert state.delivered_count() == 1
    assert [e.number for e in state.pending()] == [1, 3]


def test_instants_are_stored_to_the_microsecond() -> None:
    instant = S0 + timedelta(days=400, seconds=5, microseconds=999_999)
    assert to_us(instant) == 1_801_785_605_999_999
    assert from_us(to_us(instant)) == instant


def test_a_listing_entry_is_what_cwmock_poller_parked_prints(state: PollerState) -> None:
    state.mark_failed(1, 2, S0 + timedelta(seconds=64), "HTTP 503: busy")
    state.mark_failed(2, 6, None, "HTTP 410: gone")
    pending, parked = state.pending()[0], state.parked()[0]
    assert pending.to_json() == {
        "id": "1",
        "webhookId": "hook-1",
        "resource": "contacts",
        "url": "http://r/",
        "events": 1,
        "status": "pending",
        "attempts": 2,
        "nextAttempt": "2026-01-01T00:01:04Z",
        "lastError": "HTTP 503: busy",
    }
    assert (parked.to_json()["nextAttempt"], parked.to_json()["status"]) == (None, "parked")


def test_due_entries_are_read_a_batch_at_a_time_oldest_first_each_once(tmp_path: Path) -> None:
    state = PollerState.open(tmp_path / "state")
    with state.transaction() as tx:
        for number in tx.next_numbers(7):
            headers = (("Elements-Webhook-Id", f"hook-{number}"),)
            tx.enqueue(NewNotification(number, f"hook-{number}", "contacts", "http://r/", headers, b"{}", 1), S0)
    state.mark_failed(3, 1, S0 + timedelta(seconds=8), "HTTP 500")  # not due at S0
    assert [e.number for e in state.iter_due(S0, batch=2)] == [e.number for e in state.due(S0)] == [1, 2, 4, 5, 6, 7]
    # Each batch starts after the last number of the one before, whatever the batch size (not after its second).
    assert [e.number for e in state.iter_due(S0, batch=3)] == [1, 2, 4, 5, 6, 7]
    taken = []
    for entry in state.iter_due(S0, batch=2):
        taken.append(entry.number)
        if entry.number == 2:
            state.mark_failed(2, 1, S0, "HTTP 500")  # due again at once: not read again in this pass
            state.mark_failed(3, 1, S0, "HTTP 500")  # due now, ahead of the pass: taken in its turn
            state.mark_delivered(5)  # gone before its batch was read
    assert taken == [1, 2, 3, 4, 6, 7]
    assert [e.number for e in state.due(S0)] == [1, 2, 3, 4, 6, 7]  # none was delivered
    state.close()


class QuickCheckAnswer:
    """A connection whose `PRAGMA quick_check` reports these rows (what a corrupt file's check prints)."""

    def __init__(self, rows: list[str]) -> None:
        self.rows = rows

    def execute(self, sql: str) -> list[tuple[str]]:
        return [(row,) for row in self.rows] if "quick_check" in sql else [("meta",), ("outbox",)]


def test_a_corrupt_state_is_refused_quoting_sqlites_check_joined_and_cut_at_300_characters(tmp_path: Path) -> None:
    path = tmp_path / STATE_FILE
    path.write_bytes(b"x")
    check = cast(Callable[[object, Path], None], state_module._check)
    with pytest.raises(StateError) as two_lines:
        check(QuickCheckAnswer(["page 3 is never used", "row 7 missing from index"]), path)
    assert "is corrupt (SQLite's check: page 3 is never used; row 7 missing from index)" in str(two_lines.value)
    with pytest.raises(StateError) as long_line:
        check(QuickCheckAnswer(["a" * 299 + "bc"]), path)
    assert "(SQLite's check: " + "a" * 299 + "b)" in str(long_line.value), "the first 300 characters, no more"


def test_a_new_state_is_built_beside_its_name_and_is_whole_before_it_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.replace is atomic only within one file system: the file is built in the state directory, not in /tmp.
    built_in: list[Path] = []
    connect = sqlite3.connect

    def recording(database: str, **options: Any) -> sqlite3.Connection:
        built_in.append(Path(database).parent)
        connection: sqlite3.Connection = connect(database, **options)
        return connection

    monkeypatch.setattr(sqlite3, "connect", recording)
    path = tmp_path / STATE_FILE
    state_module._create(path)
    monkeypatch.undo()
    assert built_in == [tmp_path]
    # Whole as made, not repaired on open: its format recorded (committed, not rolled back on close) and in WAL mode.
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("SELECT value FROM meta WHERE key = 'format'").fetchall() == [(STATE_FORMAT,)]
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        raw.close()


def _notification(number: int, body: bytes = b"{}") -> NewNotification:
    return NewNotification(number, f"hook-{number}", "contacts", "http://r/", (), body, 1)


def test_a_windows_writes_are_seen_by_no_reader_until_it_commits(tmp_path: Path) -> None:
    state = PollerState.open(tmp_path)
    with state.window() as tx:
        (number,) = tx.next_numbers(1)
        tx.enqueue(_notification(number), S0)
        tx.set_last_poll("contacts", NOW)
        assert state.pending() == []
        assert state.last_poll("contacts") is None
        assert state.meta("last_number") is None
    assert [entry.number for entry in state.pending()] == [1]
    assert state.meta("last_number") == "1"

    def broken_window() -> None:
        with state.window() as tx:
            tx.enqueue(_notification(tx.next_numbers(1)[0]), S0)
            raise RuntimeError("the window breaks off")

    with pytest.raises(RuntimeError):
        broken_window()
    assert [entry.number for entry in state.pending()] == [1]
    assert state.meta("last_number") == "1"
    state.close()


def test_a_savepoint_undoes_its_own_writes_and_numbers_alone(tmp_path: Path) -> None:
    state = PollerState.open(tmp_path)

    def broken_part(tx: StateTransaction) -> None:
        with tx.savepoint():
            tx.enqueue_many([_notification(n) for n in tx.next_numbers(2)], S0)
            tx.set_last_poll("accounts", NOW)
            raise RuntimeError("this resource breaks off")

    with state.window() as tx:
        tx.enqueue(_notification(tx.next_numbers(1)[0]), S0)
        with pytest.raises(RuntimeError):
            broken_part(tx)
        with tx.savepoint():
            tx.enqueue_many([_notification(n) for n in tx.next_numbers(2)], S0)
            tx.set_last_poll("contacts", NOW)
    assert [entry.number for entry in state.pending()] == [1, 2, 3]
    assert (state.last_poll("accounts"), state.last_poll("contacts")) == (None, NOW)
    assert state.meta("last_number") == "3"
    state.close()


def test_an_acknowledged_body_is_not_written_again_to_be_erased(tmp_path: Path) -> None:
    """Deleting a delivered row frees its body's pages without writing zeros over them: with SQLite's secure_delete
    on (Debian's build), each acknowledgement wrote its body's size again into the log."""
    state = PollerState.open(tmp_path)
    with state.transaction() as tx:
        tx.enqueue(_notification(1, b"x" * 400_000), S0)
    checkpoint = sqlite3.connect(tmp_path / STATE_FILE)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    state.mark_delivered(1)
    assert os.path.getsize(tmp_path / f"{STATE_FILE}-wal") < 100_000
    checkpoint.close()
    state.close()
