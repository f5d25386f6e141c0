"""Fixtures of the dashboard's tests: an in-process emulator with the dashboard mounted, or the whole stack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from cwmock.cli.stack import Stack
from cwmock.dashboard.app import mount_dashboard
from cwmock.emulator.app import Emulator, create_emulator

from support.stack import running_stack


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator (frozen clock, no receiver, no poller) with the dashboard at /__ui."""
    built = create_emulator()
    mount_dashboard(built)
    return built


@pytest.fixture
async def ui(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `emulator`'s dashboard, in process, addressed to 127.0.0.1 as a browser on this machine is."""
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1/__ui") as client:
        yield client


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """`cwmock up`'s stack on free ports: emulator with dashboard, receiver, our poller polling instance 1."""
    async with running_stack(tmp_path) as running:
        yield running


@pytest.fixture
async def stack_ui(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the stack's dashboard over its socket."""
    async with httpx.AsyncClient(base_url=f"{stack.emulator_url}/__ui", timeout=30) as client:
        yield client
