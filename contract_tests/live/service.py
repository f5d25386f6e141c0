"""The judged poller as a service: the user's command, started with the variables that tell it where things are.

The variables (docs/contract-suite/live-judge.md#the-service-environment) are those of the external-poller protocol
a long-running poller also needs (`CWMOCK_INSTANCE`, `CWMOCK_HUB_URL`, `CWMOCK_HUB_AUTH`, `CWMOCK_STATE_DIR`,
`CWMOCK_START`), plus the emulator's and receiver's URLs and the instance's id and token. Its output goes to files
in the work directory (a pipe nobody reads would stall it); the tail of its stderr is evidence when it dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

STOP_GRACE_SECONDS = 5.0
TAIL_LINES = 20


@dataclass(frozen=True)
class ServiceExit:
    """How the service ended: its status (negative: the signal that ended it), whether the judge stopped it, and
    the last lines of its stderr."""

    status: int
    stopped_by_judge: bool
    stderr_tail: tuple[str, ...]


class Service:
    """One run of the user's command, in its own process group so stopping it stops its children too."""

    def __init__(self, command: Sequence[str], environment: Mapping[str, str], work_dir: Path) -> None:
        if not command:
            raise ValueError("no command to judge: give it after `--`, e.g. `cwmock judge -- ./my-poller`")
        self.command = list(command)
        self.environment = dict(environment)
        self.stdout_path = work_dir / "service.stdout"
        self.stderr_path = work_dir / "service.stderr"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the command with the judge's variables added to this process's environment."""
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            try:
                self._process = await asyncio.create_subprocess_exec(
                    *self.command,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    env={**os.environ, **self.environment},
                    start_new_session=True,
                )
            except OSError as error:
                raise RuntimeError(f"cannot start {self.command[0]!r}: {error}") from None

    @property
    def exited(self) -> int | None:
        """The exit status once it has ended on its own or been stopped, else None."""
        return None if self._process is None else self._process.returncode

    def tail(self) -> tuple[str, ...]:
        """The last lines it wrote on stderr."""
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ()
        return tuple(line for line in text.splitlines() if line.strip())[-TAIL_LINES:]

    async def stop(self) -> ServiceExit:
        """SIGTERM its process group, SIGKILL after a grace period; how it ended (it may have ended already)."""
        process = self._process
        if process is None:
            raise RuntimeError("the service was never started")
        stopped = process.returncode is None
        if stopped:
            self._signal(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
            except asyncio.TimeoutError:
                self._signal(process.pid, signal.SIGKILL)
                await process.wait()
        status = process.returncode
        assert status is not None
        return ServiceExit(status, stopped, self.tail())

    @staticmethod
    def _signal(pid: int, which: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, which)  # its own session: the group id is its pid
