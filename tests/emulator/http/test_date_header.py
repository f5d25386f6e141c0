"""The `Date` header: server time at the response, formatted once a second and never stale."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from starlette.types import Receive, Scope, Send

from cwmock.core.timestamps import http_date
from cwmock.emulator.http.date_header import ClockDateHeader

START = datetime(2026, 1, 1, 12, 0, 0, 999_999, tzinfo=timezone.utc)


async def _nothing(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("not called")


def test_the_value_follows_the_clock_across_seconds_and_back() -> None:
    now = [START]
    header = ClockDateHeader(_nothing, lambda: now[0])
    seen = []
    for step in (timedelta(0), timedelta(microseconds=1), timedelta(seconds=1), timedelta(hours=-3), timedelta(0)):
        now[0] += step
        seen.append(header.date_value())
        assert seen[-1] == http_date(now[0]).encode("latin-1")
    assert seen[0] == b"Thu, 01 Jan 2026 12:00:00 GMT"
    assert seen[1] == b"Thu, 01 Jan 2026 12:00:01 GMT"  # a microsecond later is the next second
    assert seen[2] == b"Thu, 01 Jan 2026 12:00:02 GMT"
    assert seen[3] == seen[4] == b"Thu, 01 Jan 2026 09:00:02 GMT"


def test_an_offset_clock_is_written_in_gmt() -> None:
    plus_two = START.astimezone(timezone(timedelta(hours=2)))
    assert ClockDateHeader(_nothing, lambda: plus_two).date_value() == b"Thu, 01 Jan 2026 12:00:00 GMT"
