"""The zoo poller's state survives a save and a load whole, and a save replaces the file."""

from __future__ import annotations

import json
from pathlib import Path

from cwmock.contract_tests.zoo.state import STATE_FILE, ZooState, load_state, save_state


def a_state() -> ZooState:
    notification = {"id": "w-1", "body": '{"message": {"events": []}}', "attempts": 2, "due": "2026-01-01T00:08:00Z"}
    return ZooState(
        cursor="2026-01-01T00:00:00Z",
        seen=["7@2026-01-01T00:01:00Z"],
        known_ids=[7, 9],
        number=3,
        outbox=[notification],
        parked=[{**notification, "id": "w-0", "status": 410}],
    )


def test_a_saved_state_loads_equal(tmp_path: Path) -> None:
    save_state(tmp_path, a_state())
    assert load_state(tmp_path) == a_state()


def test_a_save_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    state = a_state()
    save_state(tmp_path, state)
    state.outbox.clear()
    state.number = 4
    save_state(tmp_path, state)
    assert [path.name for path in tmp_path.iterdir()] == [STATE_FILE]
    assert json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))["outbox"] == []
    assert load_state(tmp_path).number == 4


def test_no_file_is_a_fresh_state(tmp_path: Path) -> None:
    assert load_state(tmp_path) == ZooState()
