"""A write keeps its moments in its own slots and hands back moments equal to the ones it was given."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cwmock.emulator.model.versions import Moment, Write

AT = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def _write(**changes: object) -> Write:
    fields: dict[str, object] = {
        "tenant": "cwmock",
        "id": 7,
        "stamp": AT,
        "record": {"id": 7},
        "written": Moment(AT, 3),
        "visible_from": AT + timedelta(seconds=5),
    }
    fields.update(changes)
    return Write(**fields)  # type: ignore[arg-type]


def test_a_write_hands_back_its_moments() -> None:
    write = _write(became_visible=Moment(AT + timedelta(seconds=5), 9), superseded=Moment(AT, 12))
    assert write.written == Moment(AT, 3)
    assert write.written_seq == 3
    assert write.became_visible == Moment(AT + timedelta(seconds=5), 9)
    assert write.superseded == Moment(AT, 12)
    assert write.is_visible


def test_a_pending_write_becomes_visible_once_told() -> None:
    write = _write()
    assert write.became_visible is None
    assert not write.is_visible
    for moment in (Moment(AT + timedelta(seconds=6), 4), None):
        write.became_visible = moment
        assert write.became_visible == moment
        assert write.is_visible is (moment is not None)


def test_writes_compare_by_value() -> None:
    assert _write() == _write()
    assert _write() != _write(written=Moment(AT, 4))
    assert _write() != _write(became_visible=Moment(AT, 4))
    assert _write(record=None).is_delete
    assert "written=Moment(" in repr(_write())
