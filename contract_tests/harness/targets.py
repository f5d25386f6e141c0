"""Pollers the suite can judge: an in-process `PollerTarget`, or any external command.

External commands follow the external-poller protocol: docs/contract-suite/protocol.md.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import subprocess
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cwmock.contract_tests.harness.options import DEFAULT_POLLER_TIMEOUT
from cwmock.core.timestamps import iso_z, parse_iso
from cwmock.core.validation import InputError, read_json_document

DEFAULT_HTTP_TIMEOUT = 2.0
# A zone with a 45-minute offset makes local-time formatting bugs visible.
NON_UTC_TZ = "Asia/Kathmandu"
# How much of a crashed poller's stderr (or traceback) a window keeps for the report.
OUTPUT_TAIL = 4000


@dataclass(frozen=True)
class WindowContext:
    """Everything one window (one invocation of the poller) is given."""

    instance: Mapping[str, Any]
    instance_path: Path
    hub_url: str
    hub_auth: str
    state_dir: Path
    now: datetime
    start: datetime
    http_timeout: float = DEFAULT_HTTP_TIMEOUT

    def environment(self) -> dict[str, str]:
        """The external-poller protocol's variables."""
        return {
            "CWMOCK_INSTANCE": str(self.instance_path),
            "CWMOCK_HUB_URL": self.hub_url,
            "CWMOCK_HUB_AUTH": self.hub_auth,
            "CWMOCK_STATE_DIR": str(self.state_dir),
            "CWMOCK_NOW": iso_z(self.now),
            "CWMOCK_START": iso_z(self.start),
            "CWMOCK_HTTP_TIMEOUT": f"{self.http_timeout:g}",
            "TZ": NON_UTC_TZ,
        }


@dataclass(frozen=True)
class PollOutcome:
    """How a window ended: when the poller next has work (None = nothing pending), and whether it crashed.

    For a crash, `detail` is its cause (exit status, timeout, protocol error, exception), `output` the tail of what
    the poller printed on stderr (or its traceback), and `injected` says the suite made it crash on purpose.
    """

    next_due: datetime | None = None
    crashed: bool = False
    detail: str = ""
    output: str = ""
    injected: bool = False


class PollerTarget(Protocol):
    """A poller under test: one call = one window (poll once, deliver what is due, return)."""

    @property
    def name(self) -> str:
        """What to call it in reports."""
        ...

    async def poll_once(self, context: WindowContext) -> PollOutcome:
        """Run one window."""
        ...


def parse_next_due(stdout: str) -> datetime | None:
    """The `{"next_due": ISO | null}` last line of an external poller's output."""
    lines = [line for line in stdout.strip().splitlines() if line.strip()]
    if not lines:
        raise ValueError('the poller printed nothing; its last line must be {"next_due": ISO-8601 or null}')
    try:
        last = read_json_document(lines[-1], key="the last line")
    except InputError:
        raise ValueError(f'the last line must be {{"next_due": ...}} JSON, got {lines[-1][:200]!r}') from None
    if not isinstance(last, dict) or "next_due" not in last:
        raise ValueError(f'the last line must be an object with "next_due", got {lines[-1][:200]!r}')
    value = last["next_due"]
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"next_due must be an ISO-8601 string or null, got {value!r}")
    return parse_iso(value)


@dataclass
class ExternalCommandTarget:
    """Any poller as a command, run once per window with the `CWMOCK_*` environment.

    `injected_crash` is set only by the suite, when `extra_env` arms a crash point of cwmock's reference poller
    (`cwmock poller once` kills itself there with SIGKILL): that kill is then reported as injected, not as the
    poller's own crash.
    """

    command: Sequence[str] | str
    timeout: float = DEFAULT_POLLER_TIMEOUT
    extra_env: Mapping[str, str] = field(default_factory=dict)
    injected_crash: str | None = None

    @property
    def name(self) -> str:
        """The command line."""
        return self.command if isinstance(self.command, str) else shlex.join(self.command)

    def _argv(self) -> list[str]:
        return shlex.split(self.command) if isinstance(self.command, str) else list(self.command)

    async def poll_once(self, context: WindowContext) -> PollOutcome:
        """Run the command; a non-zero exit, a timeout or a protocol error is a crash (the state directory is kept)."""
        env = {**os.environ, **context.environment(), **self.extra_env}
        return await asyncio.to_thread(self._run, env)

    def _run(self, env: dict[str, str]) -> PollOutcome:
        try:
            done = subprocess.run(
                self._argv(), env=env, capture_output=True, text=True, timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            return PollOutcome(
                crashed=True, detail=f"killed after --poller-timeout {self.timeout:g} s", output=_tail(exc.stderr)
            )
        except OSError as exc:
            return PollOutcome(crashed=True, detail=f"could not start {self.name!r}: {exc}")
        if done.returncode != 0:
            injected = self.injected_crash is not None and done.returncode == -signal.SIGKILL
            cause = _exit_cause(done.returncode) + (f" at {self.injected_crash}" if injected else "")
            return PollOutcome(crashed=True, detail=cause, output=_tail(done.stderr), injected=injected)
        try:
            return PollOutcome(next_due=parse_next_due(done.stdout))
        except ValueError as exc:
            return PollOutcome(crashed=True, detail=f"protocol error: {exc}", output=_tail(done.stderr))


def crash_outcome(error: BaseException, *, injected: bool = False) -> PollOutcome:
    """An in-process target's exception as a crashed window: its type and message, and the traceback's tail."""
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    cause = f"raised {type(error).__name__}" + (f": {error}" if str(error) else "")
    return PollOutcome(crashed=True, detail=cause, output=trace.strip()[-OUTPUT_TAIL:], injected=injected)


def _exit_cause(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def _tail(stderr: str | bytes | None) -> str:
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else (stderr or "")
    return text.strip()[-OUTPUT_TAIL:]
