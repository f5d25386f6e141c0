"""A change to one tenant's contacts, queued to happen between two page requests of a list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from cwmock.core.timestamps import iso_z
from cwmock.emulator.model.store import Store

MutationOp = Literal["create", "update", "delete", "touch"]
MUTATION_OPS: tuple[MutationOp, ...] = ("create", "update", "delete", "touch")


@dataclass(frozen=True)
class PageMutation:
    """Create a contact, update (replace with `contact`, or patch with `operations`), delete or touch one by id.

    `stamp` is the written stamp (server time by default); it is ignored by `delete`, which stamps nothing.
    """

    op: MutationOp
    tenant: str
    contact_id: int | None = None
    contact: Any = None
    operations: Any = None
    stamp: datetime | None = None

    def __post_init__(self) -> None:
        if self.op not in MUTATION_OPS:
            raise ValueError(f"op must be one of {', '.join(MUTATION_OPS)}, got {self.op!r}")
        if self.op == "create" and self.contact is None:
            raise ValueError("a create needs the contact body")
        if self.op != "create" and self.contact_id is None:
            raise ValueError(f"{self.op} needs the contact id")
        if self.op == "update" and (self.contact is None) == (self.operations is None):
            raise ValueError("an update needs exactly one of contact (full replace) or operations (patch)")

    def apply(self, store: Store) -> int:
        """Make the change; returns the id of the contact it changed (raises the store's errors)."""
        if self.op == "create":
            return int(store.create_contact(self.tenant, self.contact, stamp=self.stamp)["id"])
        assert self.contact_id is not None
        if self.op == "update" and self.operations is not None:
            store.patch_contact(self.tenant, self.contact_id, self.operations, stamp=self.stamp)
        elif self.op == "update":
            store.replace_contact(self.tenant, self.contact_id, self.contact, stamp=self.stamp)
        elif self.op == "delete":
            store.delete_contact(self.tenant, self.contact_id)
        else:
            store.touch_contacts(self.tenant, [self.contact_id], stamp=self.stamp)
        return self.contact_id

    def to_json(self) -> dict[str, Any]:
        """The mutation as the admin API lists it."""
        described: dict[str, Any] = {"op": self.op, "tenant": self.tenant}
        if self.contact_id is not None:
            described["id"] = self.contact_id
        if self.contact is not None:
            described["contact"] = self.contact
        if self.operations is not None:
            described["operations"] = self.operations
        if self.stamp is not None:
            described["stamp"] = iso_z(self.stamp)
        return described
