"""Keyset paging through the `where` clause: exactly-once paging even when the hub's own pages shift.

The platform's `elements-next-page-token` wraps the provider's page numbers (Cloud Elements, "Handling Non-Standard
Cursor Pagination"), so a record written, deleted or moved between two page fetches shifts every later page: a record
is skipped or served twice (docs/emulator/hub.md#paging). Beyond the platform, the reference poller orders the
result by id (`orderBy=id asc`) and asks each next page for the records after the last one it read, in CEQL
`(<the url's where>) and id > I`, I being that record's id, as ConnectWise's own forward-only paging does. Every
record present from the first fetch to the last is read exactly once whatever changes in between
(docs/reference-poller.md#drift).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote

KEYSET_ORDER = "id asc"
# A url that pages or orders itself cannot be paged by keyset: its own paging is followed instead.
OWN_PAGING = ("orderBy", "page", "nextPage")


@dataclass(frozen=True)
class KeysetQuery:
    """A rendered resource url split into its path and parameters, for pages after a given record."""

    path: str
    params: tuple[tuple[str, str], ...]
    where: str | None

    @classmethod
    def of(cls, rendered: str) -> KeysetQuery | None:
        """The url as a keyset query, or None when it pages or orders itself."""
        path, _, query = rendered.partition("?")
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key in OWN_PAGING for key, _ in pairs):
            return None
        where = next((value for key, value in pairs if key == "where"), None)
        return cls(path, tuple((k, v) for k, v in pairs if k != "where"), where)

    def first(self) -> str:
        """The first page's url: the url's own query, in id order."""
        return self._url(self.where)

    def after(self, last_id: int) -> str:
        """The url of the records after id `last_id`."""
        bound = f"id > {last_id}"
        return self._url(bound if self.where is None else f"({self.where}) and {bound}")

    def _url(self, where: str | None) -> str:
        params = [*self.params, *([("where", where)] if where is not None else []), ("orderBy", KEYSET_ORDER)]
        return self.path + "?" + "&".join(f"{key}={quote(value, safe='')}" for key, value in params)


def keyset_position(record: Any) -> int | None:
    """The record's id, or None when it has no whole-number `id`."""
    record_id = record.get("id") if isinstance(record, dict) else None
    return None if isinstance(record_id, bool) or not isinstance(record_id, int) else record_id
