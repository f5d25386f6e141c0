"""The bug-zoo poller's state: one JSON file in the state directory, replaced atomically."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cwmock.core.timestamps import parse_iso

STATE_FILE = "zoo-state.json"


@dataclass
class ZooState:
    """Cursor (last complete window's start), seen versions, ids met, notification counter, outbox, parked."""

    cursor: str | None = None
    seen: list[str] = field(default_factory=list)
    known_ids: list[int] = field(default_factory=list)
    number: int = 0
    outbox: list[dict[str, Any]] = field(default_factory=list)
    parked: list[dict[str, Any]] = field(default_factory=list)

    def prune(self, lower: datetime) -> None:
        """Forget versions stamped at or before the next lower bound: no query returns them again."""
        kept = []
        for key in self.seen:
            _, at, stamp = key.partition("@")
            if not at or parse_iso(stamp) > lower:
                kept.append(key)
        self.seen = kept


def load_state(directory: Path) -> ZooState:
    """The saved state, or a fresh one."""
    path = directory / STATE_FILE
    if not path.exists():
        return ZooState()
    return ZooState(**json.loads(path.read_text(encoding="utf-8")))


def save_state(directory: Path, state: ZooState) -> None:
    """Write the state so a crash leaves either the old file or the new one."""
    path = directory / STATE_FILE
    temporary = path.with_suffix(".tmp")
    # The fields as they are: asdict would deep-copy every list and dict first, on each save (with 5,000 versions seen,
    # 8.75 ms a save against 1.88).
    temporary.write_text(json.dumps(vars(state)), encoding="utf-8")
    os.replace(temporary, path)
