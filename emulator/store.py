"""The emulated ConnectWise's state: tenants and their contacts, stamped from an injected clock.

Knows nothing of HTTP. Every write gets a global sequence number and an `_info.lastUpdated` stamp.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .clock import Clock
from .contact_table import ContactTable, StampBound
from .contacts import ContactContext, Record, apply_patch, build_contact, display_name
from .errors import NotFound
from .reference_data import ReferenceData
from .tenants import DEFAULT_TENANTS, TenantCredentials
from .timestamps import format_cw, to_utc_second

Predicate = Callable[[Record], bool]


@dataclass
class Tenant:
    """One login company's data."""

    credentials: TenantCredentials
    reference: ReferenceData
    first_id: int
    contacts: ContactTable = field(default_factory=ContactTable)
    next_contact_id: int = 0
    next_item_id: int = 0

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to no contacts and the first ids."""
        self.contacts.clear()
        self.next_contact_id = self.first_id
        self.next_item_id = self.first_id

    def allocate_contact_id(self) -> int:
        """The next contact id (sequential, like ConnectWise's identity column)."""
        allocated = self.next_contact_id
        self.next_contact_id += 1
        return allocated

    def allocate_item_id(self) -> int:
        """The next communication item id."""
        allocated = self.next_item_id
        self.next_item_id += 1
        return allocated

    def context(self) -> ContactContext:
        """What contact validation needs from this tenant."""

        def contact_name(contact_id: int) -> str | None:
            record = self.contacts.get(contact_id)
            return None if record is None else display_name(record)

        return ContactContext(self.reference, contact_name, self.allocate_item_id)


class Store:
    """All tenants of one emulator, one clock, one sequence of writes."""

    def __init__(
        self,
        clock: Clock,
        tenants: Iterable[TenantCredentials] = DEFAULT_TENANTS,
        reference: ReferenceData | None = None,
        first_id: int = 1,
    ) -> None:
        self.clock = clock
        self.reference = reference if reference is not None else ReferenceData.load()
        self._tenants = {
            creds.key: Tenant(credentials=creds, reference=self.reference, first_id=first_id)
            for creds in tenants
        }
        self._sequence = 0

    # -- tenants --------------------------------------------------------------------------

    @property
    def tenants(self) -> list[TenantCredentials]:
        """Credentials of every tenant."""
        return [t.credentials for t in self._tenants.values()]

    def tenant(self, company: str) -> Tenant:
        """The tenant whose login company is `company` (case-insensitive)."""
        found = self._tenants.get(company.lower())
        if found is None:
            raise NotFound(f"no tenant with company id {company!r}")
        return found

    def find_tenant(self, company: str) -> Tenant | None:
        """Like `tenant`, but None when there is no such company."""
        return self._tenants.get(company.lower())

    def authenticate(self, company: str, public_key: str, private_key: str) -> Tenant | None:
        """The tenant these API keys open, or None."""
        found = self.find_tenant(company)
        if found is None:
            return None
        creds = found.credentials
        return found if (creds.public_key, creds.private_key) == (public_key, private_key) else None

    def next_sequence(self) -> int:
        """A new global sequence number (every mutation and request takes one)."""
        self._sequence += 1
        return self._sequence

    def reset(self) -> None:
        """Every tenant back to empty; sequence numbers keep rising."""
        for tenant in self._tenants.values():
            tenant.reset()

    # -- contacts -------------------------------------------------------------------------

    def _stamped(
        self, tenant: Tenant, contact_id: int, body: Record, stamp: datetime | None, updated_by: str | None
    ) -> Record:
        instant = to_utc_second(stamp if stamp is not None else self.clock.now())
        self.next_sequence()
        record: Record = {"id": contact_id, **body}
        record["_info"] = {
            "lastUpdated": format_cw(instant),
            "updatedBy": updated_by if updated_by is not None else tenant.credentials.member,
        }
        tenant.contacts.put(contact_id, record, instant.timestamp())
        return record

    def create_contact(
        self, company: str, body: object, *, stamp: datetime | None = None, updated_by: str | None = None
    ) -> Record:
        """Validate and store a new contact; returns it as stored."""
        tenant = self.tenant(company)
        built = build_contact(body, tenant.context())
        return self._stamped(tenant, tenant.allocate_contact_id(), built, stamp, updated_by)

    def replace_contact(
        self,
        company: str,
        contact_id: int,
        body: object,
        *,
        stamp: datetime | None = None,
        updated_by: str | None = None,
    ) -> Record:
        """Full replace (PUT): fields left out go back to their defaults."""
        tenant = self.tenant(company)
        self.get_contact(company, contact_id)
        built = build_contact(body, tenant.context())
        return self._stamped(tenant, contact_id, built, stamp, updated_by)

    def patch_contact(
        self,
        company: str,
        contact_id: int,
        operations: object,
        *,
        stamp: datetime | None = None,
        updated_by: str | None = None,
    ) -> Record:
        """Apply a PATCH operation list; the whole result is validated before anything changes."""
        tenant = self.tenant(company)
        current = self.get_contact(company, contact_id)
        built = build_contact(apply_patch(current, operations), tenant.context())
        return self._stamped(tenant, contact_id, built, stamp, updated_by)

    def delete_contact(self, company: str, contact_id: int) -> None:
        """Remove a contact (404 if it is not there)."""
        tenant = self.tenant(company)
        if tenant.contacts.remove(contact_id) is None:
            raise NotFound(f"contact {contact_id} not found")
        self.next_sequence()

    def get_contact(self, company: str, contact_id: int) -> Record:
        """One contact, or NotFound."""
        record = self.tenant(company).contacts.get(contact_id)
        if record is None:
            raise NotFound(f"contact {contact_id} not found")
        return record

    def list_contacts(
        self, company: str, *, updated_after: StampBound | None = None, predicate: Predicate | None = None
    ) -> list[Record]:
        """Contacts in id order: those past `updated_after` (from the index) that satisfy `predicate`."""
        table = self.tenant(company).contacts
        candidates: Iterable[Record] = (
            table.updated_after(updated_after) if updated_after is not None else table.in_id_order()
        )
        if predicate is None:
            return list(candidates)
        return [record for record in candidates if predicate(record)]


def seed_contacts(
    store: Store, company: str, bodies: Iterable[object], stamp: datetime | None = None
) -> list[Record]:
    """Create each body as a contact of `company` (stamped `stamp`, or the clock's time)."""
    return [store.create_contact(company, body, stamp=stamp) for body in bodies]
