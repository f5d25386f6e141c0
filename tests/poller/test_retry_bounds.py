"""A receiver asking for an absurd Retry-After, or a huge retry base, holds the poller's retry at 36,500 days
instead of overflowing the date arithmetic and stopping the delivery loop."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cwmock.core.validation import MAX_DURATION_SECONDS
from cwmock.poller.delivery import RetryPolicy, retry_after_value

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
LONGEST = timedelta(seconds=MAX_DURATION_SECONDS)


@pytest.mark.parametrize(
    ("header", "delay"),
    [("30", timedelta(seconds=30)), ("9" * 5000, LONGEST), (str(10**15), LONGEST),
     ("Fri, 31 Dec 9999 23:59:59 GMT", LONGEST), ("Thu, 01 Jan 2026 00:01:00 GMT", timedelta(minutes=1))],
)  # fmt: skip
def test_retry_after_is_bounded(header: str, delay: timedelta) -> None:
    assert retry_after_value(header, NOW) == delay


def test_a_huge_retry_base_is_held_at_the_longest_delay() -> None:
    assert RetryPolicy(base_seconds=1e200, retries=5).delay_after(5) == LONGEST
