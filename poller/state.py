"""The poller's durable state in one SQLite file inside the state directory: cursors, the seen-versions set
and the transactional outbox. A window's cursor advance, its seen versions and the notifications it produced
commit in one transaction, so a crash leaves either all of them or none."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cwmock.core.timestamps import EPOCH, iso_z

STATE_FILE = "cwmock-poller.sqlite3"
STATE_FORMAT = "cwmock-poller-state/1"
PENDING = "pending"
PARKED = "parked"
_TABLES = {"meta", "cursors", "seen", "outbox"}
_SIDE_FILES = ("-wal", "-shm")
DUE_BATCH = 200  # outbox entries read at a time by a delivery pass

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (resource TEXT PRIMARY KEY, last_poll_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS seen (
    resource TEXT NOT NULL, object_id TEXT NOT NULL, stamp_text TEXT NOT NULL, stamp_us INTEGER NOT NULL,
    PRIMARY KEY (resource, object_id, stamp_text)
);
CREATE INDEX IF NOT EXISTS seen_by_stamp ON seen (resource, stamp_us);
CREATE TABLE IF NOT EXISTS outbox (
    number INTEGER PRIMARY KEY,
    webhook_id TEXT NOT NULL UNIQUE,
    resource TEXT NOT NULL,
    url TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    events INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_us INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_us);
"""
_OUTBOX_COLUMNS = "number, webhook_id, resource, url, headers, body, events, created_us, status, attempts, "
_OUTBOX_COLUMNS += "next_attempt_us, last_error"


def to_us(instant: datetime) -> int:
    """Microseconds since the epoch (exact, so stored due times compare exactly)."""
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(value: int) -> datetime:
    """The instant `value` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True)
class NewNotification:
    """A notification ready to enter the outbox: exact headers and body, fixed for every attempt."""

    number: int
    webhook_id: str
    resource: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    events: int


@dataclass(frozen=True)
class OutboxEntry(NewNotification):
    """A notification in the outbox: pending (due at `next_attempt`) or parked (all attempts refused)."""

    created: datetime
    status: str
    attempts: int
    next_attempt: datetime | None
    last_error: str | None

    def to_json(self) -> dict[str, object]:
        """A listing entry (no body)."""
        return {
            "id": str(self.number),
            "webhookId": self.webhook_id,
            "resource": self.resource,
            "url": self.url,
            "events": self.events,
            "status": self.status,
            "attempts": self.attempts,
            "nextAttempt": iso_z(self.next_attempt) if self.next_attempt else None,
            "lastError": self.last_error,
        }


def _entry(row: tuple[object, ...]) -> OutboxEntry:
    number, webhook_id, resource, url, headers, body, events, created, status, attempts, next_us, error = row
    assert isinstance(headers, str), "outbox rows hold their headers as JSON text"
    assert isinstance(body, bytes), "outbox rows hold their body as a BLOB"
    return OutboxEntry(
        number=int(str(number)),
        webhook_id=str(webhook_id),
        resource=str(resource),
        url=str(url),
        headers=tuple((str(k), str(v)) for k, v in json.loads(headers)),
        body=body,
        events=int(str(events)),
        created=from_us(int(str(created))),
        status=str(status),
        attempts=int(str(attempts)),
        next_attempt=None if next_us is None else from_us(int(str(next_us))),
        last_error=None if error is None else str(error),
    )


class StateTransaction:
    """The writes of one window, inside one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._last_number: int | None = None
        """The last number handed out in this transaction, stored by `store_numbers` (a window hands out one per
        notification as they are made: a statement each would hand the interpreter lock away each time)."""

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that an exception undoes alone (and is raised on), leaving the rest."""
        self.store_numbers()
        self._db.execute("SAVEPOINT part")
        try:
            yield
            self.store_numbers()
        except BaseException:
            self._db.execute("ROLLBACK TO part")
            self._db.execute("RELEASE part")
            self._last_number = None
            raise
        self._db.execute("RELEASE part")

    def next_numbers(self, count: int, floor: int = 0) -> list[int]:
        """`count` fresh notification numbers, each above `floor` and above every number handed out before."""
        if self._last_number is None:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'last_number'").fetchone()
            self._last_number = int(row[0]) if row else 0
        last = max(self._last_number, floor)
        self._last_number = last + count
        return list(range(last + 1, last + count + 1))

    def store_numbers(self) -> None:
        """Store the last number handed out (the transaction does so before it commits)."""
        if self._last_number is not None:
            self.set_meta("last_number", str(self._last_number))

    def enqueue(self, notification: NewNotification, now: datetime) -> None:
        """Add a notification, due at once."""
        self.enqueue_many([notification], now)

    def enqueue_many(self, notifications: Sequence[NewNotification], now: datetime) -> None:
        """Add notifications, due at once, in one statement."""
        due = to_us(now)
        self._db.executemany(
            f"INSERT INTO outbox ({_OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL)",
            [
                (
                    notification.number,
                    notification.webhook_id,
                    notification.resource,
                    notification.url,
                    json.dumps([list(pair) for pair in notification.headers]),
                    notification.body,
                    notification.events,
                    due,
                    PENDING,
                    due,
                )
                for notification in notifications
            ],
        )

    def remember(self, resource: str, versions: Iterable[tuple[str, str, datetime]]) -> None:
        """Record delivered-to-outbox versions (objectId, stamp text, stamp)."""
        self._db.executemany(
            "INSERT OR IGNORE INTO seen (resource, object_id, stamp_text, stamp_us) VALUES (?, ?, ?, ?)",
            [(resource, object_id, text, to_us(stamp)) for object_id, text, stamp in versions],
        )

    def forget_through(self, resource: str, bound: datetime) -> None:
        """Drop seen versions stamped at or before `bound`: no later window can fetch them again."""
        self._db.execute("DELETE FROM seen WHERE resource = ? AND stamp_us <= ?", (resource, to_us(bound)))

    def set_last_poll(self, resource: str, instant: datetime) -> None:
        """The start (server time) of the last complete window of `resource`."""
        self._db.execute(
            "INSERT INTO cursors (resource, last_poll_us) VALUES (?, ?) "
            "ON CONFLICT (resource) DO UPDATE SET last_poll_us = excluded.last_poll_us",
            (resource, to_us(instant)),
        )

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting of the state directory."""
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class StateError(RuntimeError):
    """The state file cannot be used (empty, truncated, corrupt, or not a poller's); the message gives the way out."""


class StateBusyError(StateError):
    """Another process held the state's write lock for longer than `BUSY_TIMEOUT`; the file is fine: try again."""


# Seconds a connection waits for another process's write lock (a window holds it from its first page to its commit).
BUSY_TIMEOUT = 30.0


def unusable(path: Path, error: sqlite3.DatabaseError, doing: str) -> StateError:
    """The error for SQLite's `error` while `doing` something with the state: busy when another process holds the
    file's lock ("database is locked", or table-locked), else damaged."""
    # SQLite's own texts for SQLITE_BUSY and SQLITE_LOCKED; Python < 3.11 gives no error code to read instead.
    if not isinstance(error, sqlite3.OperationalError) or "is locked" not in str(error):
        return damaged(path, f"{doing} ({error})")
    return StateBusyError(
        f"the poller state {path} is busy: another process (a poller window, from its first page to its commit) held "
        f"its write lock for more than {BUSY_TIMEOUT:g} s. Nothing is wrong with the file; run again when that "
        "window has ended."
    )


def damaged(path: Path, why: str) -> StateError:
    """The error for a state file that cannot be used, saying why and what to do."""
    return StateError(
        f"the poller state {path} {why}, so it cannot be used; starting afresh instead would deliver every version "
        "again under new webhook ids. Keep the file to inspect it, then run again with --reset-state: the damaged "
        f"file is moved aside (to {path.name}.damaged-N) and a new state is started."
    )


def _create(path: Path) -> None:
    """Make a new, complete state file at `path`: built under another name and renamed, so it never exists half
    made (a crash while creating it leaves no empty file for the next run to trip on)."""
    for stale in path.parent.glob(f".{path.name}.new-*"):
        stale.unlink(missing_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.new-", dir=path.parent)
    os.close(fd)
    try:
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.executescript(_SCHEMA)
            connection.execute("INSERT INTO meta (key, value) VALUES ('format', ?)", (STATE_FORMAT,))
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()  # the last close checkpoints the WAL into the file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _set_aside(path: Path) -> Path:
    """Move a damaged state file (and its WAL files) to the first free `<name>.damaged-N`; returns where."""
    number = 1
    while (aside := path.with_name(f"{path.name}.damaged-{number}")).exists():
        number += 1
    os.replace(path, aside)
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    return aside


def _check(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse a state file that is not a whole poller state (the checks read it; they change nothing)."""
    if path.stat().st_size == 0:
        raise damaged(path, "is empty (0 bytes)")
    try:
        verdict = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
        tables = {str(row[0]) for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise damaged(path, f"is not a readable SQLite database ({error})") from None
    if verdict != ["ok"]:
        raise damaged(path, f"is corrupt (SQLite's check: {'; '.join(verdict)[:300]})")
    if not tables >= _TABLES:
        raise damaged(
            path, f"is a SQLite database but not a poller state (it lacks {', '.join(sorted(_TABLES - tables))})"
        )
    row = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    if row is not None and row[0] != STATE_FORMAT:
        raise damaged(path, f"has format {row[0]!r}, not {STATE_FORMAT!r}")


def _settings(connection: sqlite3.Connection) -> None:
    """Each connection's settings: commits wait for the disk; a deleted row's content is overwritten only where that
    costs no extra writes (`secure_delete=FAST`), so a delivered body's overflow pages go to the free list as they
    are, to be reused. Debian builds SQLite with secure_delete on, which wrote zeros over every acknowledged body
    (about 26 KB each in a burst): most of each acknowledgement's time (docs/benchmarks.md#poller-burst-session-6)."""
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA secure_delete=FAST")


@contextmanager
def _atomic(connection: sqlite3.Connection) -> Iterator[StateTransaction]:
    """A transaction on `connection`: committed with the numbers it handed out, or rolled back whole."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        tx = StateTransaction(connection)
        yield tx
        tx.store_numbers()
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


class PollerState:
    """The state directory's database."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._path = path
        self._writer: sqlite3.Connection | None = None

    @classmethod
    def open(cls, state_dir: Path, *, reset_damaged: bool = False) -> PollerState:
        """Open the state in `state_dir`, creating it when there is none.

        A state file that cannot be used raises `StateError`, never a silent fresh start; with `reset_damaged`
        (`--reset-state`) such a file is moved aside to `<name>.damaged-N` and a new state is started instead.
        """
        state_dir.mkdir(parents=True, exist_ok=True)
        path = state_dir / STATE_FILE
        if not path.exists():
            _create(path)
        try:
            return cls._open_existing(path)
        except StateBusyError:
            raise  # a file in use is not damaged: never set aside
        except StateError:
            if not reset_damaged:
                raise
        _set_aside(path)
        _create(path)
        return cls._open_existing(path)

    @classmethod
    def _open_existing(cls, path: Path) -> PollerState:
        connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
        try:
            _check(connection, path)
            connection.execute("PRAGMA journal_mode=WAL")
            _settings(connection)
            # Files made before the format was recorded get it now (their tables were checked above).
            connection.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('format', ?)", (STATE_FORMAT,))
        except sqlite3.DatabaseError as error:
            connection.close()
            raise unusable(path, error, "could not be opened") from None
        except BaseException:
            connection.close()
            raise
        return cls(connection, path)

    def close(self) -> None:
        """Close the database."""
        if self._writer is not None:
            self._writer.close()
        self._db.close()

    def transaction(self) -> AbstractContextManager[StateTransaction]:
        """One atomic unit: everything written inside commits together, or nothing does."""
        return _atomic(self._db)

    def window(self) -> AbstractContextManager[StateTransaction]:
        """`transaction()` on a connection of its own, for a window that writes while it still awaits pages: what it
        wrote is seen by no reader of this state (the outbox listings, a delivery pass) until it commits."""
        if self._writer is None:
            self._writer = sqlite3.connect(self._path, isolation_level=None, timeout=BUSY_TIMEOUT)
            _settings(self._writer)
        return _atomic(self._writer)

    # reading
    def meta(self, key: str) -> str | None:
        """A stored setting, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def last_poll(self, resource: str) -> datetime | None:
        """The start of the last complete window of `resource`, or None before the first one."""
        row = self._db.execute("SELECT last_poll_us FROM cursors WHERE resource = ?", (resource,)).fetchone()
        return None if row is None else from_us(int(row[0]))

    def seen_keys(self, resource: str) -> set[tuple[str, str]]:
        """The remembered versions of `resource`: (objectId, stamp text)."""
        rows = self._db.execute("SELECT object_id, stamp_text FROM seen WHERE resource = ?", (resource,))
        return {(str(object_id), str(text)) for object_id, text in rows}

    def seen_count(self) -> int:
        """How many versions are remembered (bounded by the window, not by history)."""
        return int(self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0])

    def _entries(
        self, where: str, parameters: tuple[object, ...] = (), *, limit: int | None = None
    ) -> list[OutboxEntry]:
        query = f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE {where} ORDER BY number"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [_entry(tuple(row)) for row in self._db.execute(query, parameters)]

    def due(self, now: datetime) -> list[OutboxEntry]:
        """Pending notifications whose next attempt is due at `now`, oldest first."""
        return self._entries("status = ? AND next_attempt_us <= ?", (PENDING, to_us(now)))

    def iter_due(self, now: datetime, batch: int = DUE_BATCH) -> Iterator[OutboxEntry]:
        """`due(now)`, read `batch` entries at a time as it is consumed: a burst's outbox is not held in memory at
        once. Entries taken are never read again in the pass (each batch starts after the last number read), whatever
        their attempts changed meanwhile."""
        after = 0
        while True:
            found = self._entries(
                "status = ? AND next_attempt_us <= ? AND number > ?", (PENDING, to_us(now), after), limit=batch
            )
            yield from found
            if len(found) < batch:
                return
            after = found[-1].number

    def pending(self) -> list[OutboxEntry]:
        """Every pending notification."""
        return self._entries("status = ?", (PENDING,))

    def parked(self) -> list[OutboxEntry]:
        """Notifications refused on every attempt (kept, redeliverable with `redeliver`)."""
        return self._entries("status = ?", (PARKED,))

    def next_due(self) -> datetime | None:
        """The earliest pending attempt, or None when nothing is pending."""
        row = self._db.execute("SELECT MIN(next_attempt_us) FROM outbox WHERE status = ?", (PENDING,)).fetchone()
        return None if row is None or row[0] is None else from_us(int(row[0]))

    # outbox bookkeeping, each its own small transaction
    def mark_delivered(self, number: int) -> None:
        """A 2xx came: the notification leaves the outbox (`mark_delivered_many` of one)."""
        self.mark_delivered_many([number])

    def mark_delivered_many(self, numbers: Sequence[int]) -> None:
        """A 2xx came for each of `numbers`: they leave the outbox together, in one transaction.

        Committed without waiting for the disk (atomic, but a power cut may undo it): an acknowledgement lost that
        way only resends the notification with the same webhook id and bytes, which is the same delivery. Syncing
        each one took most of a burst's delivery time; the window's commit (cursor, seen versions, outbox) still
        waits for the disk.
        """
        if not numbers:
            return
        self._db.execute("PRAGMA synchronous=NORMAL")
        try:
            with self.transaction() as tx:
                self._db.executemany("DELETE FROM outbox WHERE number = ?", [(number,) for number in numbers])
                delivered = int(self.meta("delivered") or 0)
                tx.set_meta("delivered", str(delivered + len(numbers)))
        finally:
            self._db.execute("PRAGMA synchronous=FULL")

    def mark_failed(self, number: int, attempts: int, next_attempt: datetime | None, error: str) -> None:
        """An attempt failed: retry at `next_attempt`, or park the notification when it is None."""
        status = PENDING if next_attempt is not None else PARKED
        due = None if next_attempt is None else to_us(next_attempt)
        with self.transaction():
            self._db.execute(
                "UPDATE outbox SET status = ?, attempts = ?, next_attempt_us = ?, last_error = ? WHERE number = ?",
                (status, attempts, due, error[:1000], number),
            )

    def redeliver(self, numbers: Iterable[int] | None = None) -> int:
        """Put parked notifications (all, or those numbered) back in the queue, due at once, attempts reset."""
        wanted = None if numbers is None else list(numbers)
        with self.transaction():
            if wanted is None:
                cursor = self._db.execute(
                    "UPDATE outbox SET status = ?, attempts = 0, next_attempt_us = ? WHERE status = ?",
                    (PENDING, 0, PARKED),
                )
                return cursor.rowcount
            changed = 0
            for number in wanted:
                cursor = self._db.execute(
                    "UPDATE outbox SET status = ?, attempts = 0, next_attempt_us = ? WHERE status = ? AND number = ?",
                    (PENDING, 0, PARKED, number),
                )
                changed += cursor.rowcount
            return changed

    def delivered_count(self) -> int:
        """How many notifications were acknowledged with a 2xx since the state was created."""
        return int(self.meta("delivered") or 0)
