"""Fixtures shared by the emulator's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cwmock.emulator.app import Emulator


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the test module's own `emulator` fixture, in-process and without default headers."""
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        yield client
