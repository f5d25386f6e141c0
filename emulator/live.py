"""An emulator served on a real socket (over HTTP or HTTPS), with a reset between tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator
from cwmock.emulator.http.server import BackgroundServer


@dataclass
class LiveEmulator:
    """An emulator served on a real socket: its `url`, and the in-process `emulator` behind it."""

    emulator: Emulator
    server: BackgroundServer
    start: datetime

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:54321`."""
        return self.server.url

    @property
    def api_url(self) -> str:
        """The native API root, e.g. `http://127.0.0.1:54321/v4_6_release/apis/3.0`."""
        return f"{self.url}/{self.emulator.config.codebase}apis/3.0"

    def reset(self) -> None:
        """Empty every tenant, forget instances, faults and the journal, and put the clock back at the start."""
        self.emulator.store.reset()
        self.emulator.registry.reset()
        self.emulator.journal.clear()
        self.emulator.faults.clear()
        clock = self.emulator.clock
        assert isinstance(clock, ManualClock), "the live emulator runs on a ManualClock"
        clock.set(self.start, allow_backwards=True)


@dataclass
class TlsLiveEmulator(LiveEmulator):
    """A `LiveEmulator` served over HTTPS; clients must trust the CA bundle at `ca_file`."""

    ca_file: Path
