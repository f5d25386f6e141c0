"""Keyset paging over a result in ascending id order: where the page after a given id starts."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from cwmock.emulator.model.contacts import Record


def keyset_start(records: Sequence[Record], last_id: int) -> int:
    """Where paging by id resumes in `records` (in ascending id order): the index of the first id above `last_id`.

    Forward-only native pages and hub cursor pages both resume here.
    """
    return bisect.bisect_right(records, last_id, key=_record_id)


def _record_id(record: Record) -> int:
    found: int = record["id"]
    return found
