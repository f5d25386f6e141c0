"""Stopping promptly: requests that hold their connection open learn that the server is stopping and answer.

A clock long-poll may wait 300 s, a scripted receiver delay or a real latency fault as long; a server that
waited for them would not stop on Ctrl-C. The server sets its app's `Draining` as it begins to stop, and those
requests, which wait on it as well as on their own condition, answer at once; anything still running after
`server.SHUTDOWN_GRACE_SECONDS` is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Draining:
    """Set, from any thread, when the server serving an app begins to stop; cleared when it starts again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def is_set(self) -> bool:
        """Whether the server is stopping."""
        return self._set

    def set(self) -> None:
        """The server is stopping: wake every waiter, on whichever loop it waits."""
        with self._lock:
            self._set = True
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # its loop has closed: nobody waits there any more
                loop.call_soon_threadsafe(_resolve, future)

    def clear(self) -> None:
        """The server (re)started."""
        with self._lock:
            self._set = False

    async def wait(self) -> None:
        """Return once the server is stopping."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._set:
                return
            self._waiters.append((loop, future))
        try:
            await future
        finally:
            with self._lock, contextlib.suppress(ValueError):
                self._waiters.remove((loop, future))

    async def unless_stopping(self, work: Awaitable[T]) -> T | None:
        """`work`'s result, or None (with `work` cancelled) when the server begins to stop first."""
        task = asyncio.ensure_future(work)
        stopping = asyncio.ensure_future(self.wait())
        try:
            await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not task.done():
                task.cancel()
        if task.cancelled() or not task.done():
            return None
        return task.result()


def draining_of(app: Any) -> Draining | None:
    """The `Draining` of an app that has one (`app.state.draining`), else None."""
    found = getattr(getattr(app, "state", None), "draining", None)
    return found if isinstance(found, Draining) else None
