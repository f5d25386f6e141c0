"""Stored contacts as key-sharing dictionaries: plain dicts whose key table is shared by every contact.

A million stored contacts have a handful of shapes: the same keys, mostly in the same order. CPython shares the key
table of instance dictionaries among the instances of a class (PEP 412, "Key-Sharing Dictionary"), so a dict lent by
an instance holds only its values: about 240 bytes for a contact's 17 fields instead of 470, 100 instead of 190 for
its `_info`. What comes out is an ordinary `dict` (same keys, order, values, equality, JSON), so no reader can tell;
where the interpreter cannot share a key (over 30 keys in a table, another implementation) it is an unshared dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ContactKeys:
    """Lends its instances' dictionaries to stored contacts (one class per shape keeps one key table per shape)."""


class InfoKeys:
    """Lends its instances' dictionaries to stored contacts' `_info`."""


class CommunicationItemKeys:
    """Lends its instances' dictionaries to stored communication items."""


def shared_keys_dict(shape: type, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A dict holding `fields` in their order, its key table shared with every other dict of `shape`.

    Stored records are never changed in place; one that were would stay a correct dict, only an unshared one.
    """
    values: dict[str, Any] = shape().__dict__
    # Pairs, not the mapping: given a dict, `update` would copy its key table into the empty target, unshared.
    values.update(fields.items())
    return values


def stored_contact(record: Mapping[str, Any]) -> dict[str, Any]:
    """`record` (a contact with its `id` and `_info`) as it is kept: it and its `_info` with shared keys.

    Its communication items are shared-key dicts from the start (`build_contact` makes them so); the references
    it embeds are shared objects already (`ReferenceData.embedded`).
    """
    stored = shared_keys_dict(ContactKeys, record)
    info = stored.get("_info")
    if isinstance(info, Mapping):
        stored["_info"] = shared_keys_dict(InfoKeys, info)
    return stored
