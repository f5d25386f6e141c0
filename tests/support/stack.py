"""`cwmock up`'s stack in the test's event loop, on free ports, with a frozen clock: its parts stay reachable."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from cwmock.cli.stack import Stack, StackOptions
from cwmock.core.clock import ManualClock
from cwmock.emulator.config import EmulatorConfig

from support.ports import free_ports

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@contextlib.asynccontextmanager
async def running_stack(state_dir: Path, config: EmulatorConfig | None = None) -> AsyncIterator[Stack]:
    """The stack served and seeded, its seed instance created (id 1, createdDate = START); stopped afterwards."""
    clock = ManualClock(START)
    port, receiver_port = free_ports(2)
    options = StackOptions(
        host="127.0.0.1",
        port=port,
        receiver_port=receiver_port,
        clock=clock,
        follow_wall=False,
        config=config or EmulatorConfig(),
        state_dir=state_dir,
        print_line=lambda text: None,
    )
    stack = Stack(options, state_dir)
    stack.seed()
    ready, stop = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(stack.serve(ready, stop))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait([serving, waiting], return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        waiting.cancel()
        await serving
    try:
        await stack.create_seed_instance()
        yield stack
    finally:
        stop.set()
        await asyncio.wait_for(serving, 20)
        clock.close()


async def advance(stack: Stack, seconds: float) -> None:
    """Advance the stack's clock through the admin API, running every window due on the way."""
    async with httpx.AsyncClient(base_url=stack.emulator_url, timeout=30) as client:
        response = await client.post("/__admin/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text


async def change_and_poll(stack: Stack, first_name: str = "Ada", *, after: float = 840) -> dict[str, Any]:
    """A minute after s₀, create a contact in the seed instance's tenant; then advance `after` seconds more (to the
    first window, 15 minutes after s₀, by default). Returns the contact as written."""
    await advance(stack, 60)
    created = stack.emulator.store.create_contact("cloudelements", {"firstName": first_name})
    await advance(stack, after)
    return created
