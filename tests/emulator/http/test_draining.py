"""Draining: work that holds a connection open ends when the server begins to stop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from cwmock.emulator.http.draining import Draining

pytestmark = pytest.mark.anyio


async def test_work_is_cut_short_when_the_server_stops() -> None:
    draining = Draining()
    held = asyncio.ensure_future(draining.unless_stopping(asyncio.sleep(3600, result="slept")))
    await asyncio.sleep(0)
    threading.Thread(target=draining.set).start()  # a signal handler or another thread
    assert await asyncio.wait_for(held, 10) is None


async def test_work_that_finishes_first_gives_its_result() -> None:
    draining = Draining()
    assert await draining.unless_stopping(asyncio.sleep(0, result="done")) == "done"
    draining.set()
    assert await draining.unless_stopping(asyncio.sleep(3600, result="slept")) is None, "once stopping, nothing waits"
    draining.clear()
    assert await draining.unless_stopping(asyncio.sleep(0, result="again")) == "again"
