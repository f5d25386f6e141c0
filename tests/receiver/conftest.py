"""The receiver under test, on a ManualClock, with an in-process client; and one whose clock always fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver

from support.receiver import START


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def receiver(clock: ManualClock) -> Receiver:
    return Receiver(clock)


@pytest.fixture
async def client(receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_receiver_app(receiver))
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver.test") as http:
        yield http


class BrokenClock:
    """A clock whose source is gone: every read fails, as a handler error inside the receiver would."""

    def now(self) -> datetime:
        raise OSError("clock source unavailable")

    async def sleep_until(self, deadline: datetime) -> None:
        raise OSError("clock source unavailable")


@pytest.fixture
def broken() -> Receiver:
    return Receiver(BrokenClock())
