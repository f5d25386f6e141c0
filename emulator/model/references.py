"""Which record a reference in a request body names: by `id`, or by `identifier` or `name`.

The PSA Developer Guide's PATCH example replaces `company` with `{"identifier": "New Company"}`, and clients send
references with a name (django-connectwise sends `{"id", "name"}` and `{"id", "identifier", "name"}`). An `id`
decides when present; otherwise `identifier`, then `name`, matched ignoring case as SQL Server compares text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cwmock.emulator.model.errors import InvalidObject, invalid_field

Rows = Mapping[int, Mapping[str, Any]]
NAMING_KEYS = ("identifier", "name")


def reference_id(field: str, value: object, rows: Rows, hint: str = "") -> int:
    """The id of the row of `rows` that `value` names; a 400 naming `field` when it names none or several."""
    if not isinstance(value, Mapping):
        raise _refused(field, f'{field} must be an object naming a record, e.g. {{"id": 2}} or {{"name": "..."}}')
    given = value.get("id")
    if given is not None:
        if not isinstance(given, int) or isinstance(given, bool):
            raise _refused(field, f"{field}/id must be an integer, got {given!r}")
        if given not in rows:
            raise _refused(field, f"{field} id {given} does not exist{hint}")
        return given
    for key in NAMING_KEYS:
        wanted = value.get(key)
        if wanted is None:
            continue
        if not isinstance(wanted, str):
            raise _refused(field, f"{field}/{key} must be a string, got {type(wanted).__name__}")
        folded = wanted.casefold()
        found = [row_id for row_id, row in rows.items() if str(row.get(key, "")).casefold() == folded]
        if len(found) == 1:
            return found[0]
        if not found:
            raise _refused(field, f"no {field} has {key} {wanted!r}{hint}")
        raise _refused(field, f"{len(found)} records have {key} {wanted!r}; name the one you mean by id")
    raise _refused(field, f'{field} must name a record by id, identifier or name, e.g. {{"id": 2}}')


def _refused(field: str, message: str) -> InvalidObject:
    return invalid_field(field, message)
