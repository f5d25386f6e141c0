"""The emulated ConnectWise's state: tenants and their contacts, stamped from an injected clock.

Knows nothing of HTTP. Every write gets a global sequence number, an `_info.lastUpdated` stamp and a place in
the tenant's version history; a write with a visibility delay becomes visible to reads only at stamp + delay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cwmock.core.clock import Clock
from cwmock.core.timestamps import UTC, format_cw
from cwmock.emulator.model.contacts import (
    ContactContext,
    Record,
    ReferencePaths,
    apply_patch,
    build_contact,
    display_name,
    with_type_ids,
)
from cwmock.emulator.model.errors import InvalidObject, NotFound
from cwmock.emulator.model.reference_data import ReferenceData
from cwmock.emulator.model.stamp_policy import StampPolicy
from cwmock.emulator.model.table import ContactTable, StampBound
from cwmock.emulator.model.tenants import DEFAULT_TENANTS, TenantCredentials
from cwmock.emulator.model.versions import Moment, VersionHistory, Write

Predicate = Callable[[Record], bool]


@dataclass
class Tenant:
    """One login company's data: visible contacts, version history, id counters, visibility delay."""

    credentials: TenantCredentials
    reference: ReferenceData
    first_id: int
    contacts: ContactTable = field(default_factory=ContactTable)
    history: VersionHistory = field(default_factory=VersionHistory)
    visibility_delay: float = 0.0
    # Not faithful to ConnectWise (see EmulatorConfig.contact_date_entered): stamp `_info.dateEntered` on creation.
    date_entered_default: bool = False
    date_entered: bool = False
    next_contact_id: int = 0
    next_item_id: int = 0

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to no contacts, no history, no delay, the configured `dateEntered` switch and the first ids."""
        self.contacts.clear()
        self.history.clear()
        self.visibility_delay = 0.0
        self.date_entered = self.date_entered_default
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

    def current(self, contact_id: int) -> Record | None:
        """The last written state of a contact, visible or not (None if absent or deleted)."""
        latest = self.history.latest(contact_id)
        return None if latest is None else latest.record

    def context(self) -> ContactContext:
        """What contact validation needs from this tenant."""

        def contact_name(contact_id: int) -> str | None:
            record = self.current(contact_id)
            return None if record is None else display_name(record)

        return ContactContext(self.reference, contact_name, self.allocate_item_id)


class Store:
    """All tenants of one emulator, one clock, one sequence of writes and requests.

    Every instant it records (stamps, request moments, visibility) is server time: see `server_now`.
    """

    def __init__(
        self,
        clock: Clock,
        tenants: Iterable[TenantCredentials] = DEFAULT_TENANTS,
        reference: ReferenceData | None = None,
        first_id: int = 1,
        *,
        contact_date_entered: bool = False,
        patch_reference_paths: ReferencePaths = "ignored",
        subsecond_stamps: bool = False,
    ) -> None:
        self.clock = clock
        self.patch_reference_paths: ReferencePaths = patch_reference_paths
        self.stamp_policy = StampPolicy(subsecond=subsecond_stamps)
        self.reference = reference if reference is not None else ReferenceData.load()
        self._tenants = {
            creds.key: Tenant(
                credentials=creds,
                reference=self.reference,
                first_id=first_id,
                date_entered_default=contact_date_entered,
            )
            for creds in tenants
        }
        self._sequence = 0

    # -- tenants and sequence -------------------------------------------------------------

    @property
    def tenants(self) -> list[TenantCredentials]:
        """Credentials of every tenant."""
        return [t.credentials for t in self._tenants.values()]

    def tenant(self, company: str) -> Tenant:
        """The tenant whose login company is `company` (case-insensitive)."""
        found = self._tenants.get(company.lower())
        if found is None:
            known = ", ".join(t.company for t in self.tenants)
            raise NotFound(f"no tenant with company id {company!r}; known tenants: {known}")
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

    def server_now(self) -> datetime:
        """Server time: the clock's time plus any skew fault (what `Date` says and writes are stamped with)."""
        return self.stamp_policy.server_time(self.clock.now())

    @property
    def sequence(self) -> int:
        """The last sequence number handed out."""
        return self._sequence

    def next_sequence(self) -> int:
        """A new global sequence number (every mutation and request takes one)."""
        self._sequence += 1
        return self._sequence

    def restore_sequence(self, sequence: int) -> None:
        """Continue numbering after `sequence` (restoring a snapshot); numbers never go back."""
        self._sequence = max(self._sequence, sequence)

    def begin_request(self) -> Moment:
        """Apply what became visible, then number a request: its reads see everything ordered before it."""
        self.settle()
        return Moment(self.server_now(), self.next_sequence())

    def reset(self, company: str | None = None) -> None:
        """Every tenant (or one) back to empty; sequence numbers keep rising."""
        for tenant in self._tenants.values() if company is None else [self.tenant(company)]:
            tenant.reset()

    def set_visibility_delay(self, company: str, seconds: float) -> None:
        """From now on, a change stamped T in this tenant becomes visible to reads at T + `seconds`."""
        if seconds < 0:
            raise InvalidObject(f"a visibility delay cannot be negative, got {seconds}")
        self.tenant(company).visibility_delay = seconds

    def set_date_entered(self, company: str, enabled: bool) -> None:
        """Switch `_info.dateEntered` (stamped when a contact is created) on or off for this tenant's new contacts.

        Not faithful to ConnectWise's wire shape: it exists so a poller's `createdDateField` can differ from
        `updatedDateField` and updates can be told from creates. Contacts keep the `dateEntered` they were created
        with whatever the switch says later.
        """
        self.tenant(company).date_entered = enabled

    # -- visibility -----------------------------------------------------------------------

    def settle(self) -> None:
        """Make every write whose visibility time (server time) has come visible to reads, in order."""
        now = self.server_now()
        for tenant in self._tenants.values():
            for write in tenant.history.due(now):
                self._make_visible(tenant, write)

    def _make_visible(self, tenant: Tenant, write: Write) -> None:
        previous = tenant.history.last_visible(write.id)
        moment = Moment(write.visible_from, self.next_sequence())
        write.became_visible = moment
        if previous is not None:
            previous.superseded = moment
        if write.record is None:
            tenant.contacts.remove(write.id)
        else:
            assert write.stamp is not None, "a non-delete write always has a stamp"
            tenant.contacts.put(write.id, write.record, write.stamp.timestamp())

    def next_visibility(self) -> datetime | None:
        """When the earliest delayed write becomes visible, in server time (None if none is pending)."""
        due = [t.history.next_visibility() for t in self._tenants.values()]
        pending = [d for d in due if d is not None]
        return min(pending) if pending else None

    # -- writes ---------------------------------------------------------------------------

    def _write(
        self,
        tenant: Tenant,
        contact_id: int,
        body: Record | None,
        stamp: datetime | None,
        updated_by: str | None,
        visible_after: float | None,
    ) -> Write:
        now = self.server_now()
        written = Moment(now, self.next_sequence())
        instant = self.stamp_policy.stored(stamp if stamp is not None else now)
        record: Record | None = None
        if body is not None:
            record = {"id": contact_id, **body}
            record["_info"] = {
                "lastUpdated": format_cw(instant),
                "updatedBy": updated_by if updated_by is not None else tenant.credentials.member,
            }
            entered = _date_entered(tenant, contact_id, instant)
            if entered is not None:
                record["_info"]["dateEntered"] = entered
        delay = tenant.visibility_delay if visible_after is None else visible_after
        if delay < 0:
            raise InvalidObject(f"a visibility delay cannot be negative, got {delay}")
        # With no delay a write is visible at once, whatever its stamp (a future stamp is just skew).
        visible_from = max(now, instant + timedelta(seconds=delay)) if delay > 0 else now
        write = Write(tenant.credentials.company, contact_id, instant if body is not None else None, record,
                      written, visible_from)  # fmt: skip
        tenant.history.record(write)
        self.settle()
        return write

    def create_contact(
        self,
        company: str,
        body: object,
        *,
        stamp: datetime | None = None,
        updated_by: str | None = None,
        visible_after: float | None = None,
    ) -> Record:
        """Validate and store a new contact; returns it as written."""
        self.settle()
        tenant = self.tenant(company)
        built = build_contact(with_type_ids(body), tenant.context())
        write = self._write(tenant, tenant.allocate_contact_id(), built, stamp, updated_by, visible_after)
        assert write.record is not None
        return write.record

    def _existing(self, tenant: Tenant, contact_id: int) -> Record:
        current = tenant.current(contact_id)
        if current is None:
            raise NotFound(f"contact {contact_id} not found")
        return current

    def replace_contact(
        self,
        company: str,
        contact_id: int,
        body: object,
        *,
        stamp: datetime | None = None,
        updated_by: str | None = None,
        visible_after: float | None = None,
    ) -> Record:
        """Full replace (PUT): fields left out go back to their defaults."""
        self.settle()
        tenant = self.tenant(company)
        self._existing(tenant, contact_id)
        built = build_contact(body, tenant.context())
        write = self._write(tenant, contact_id, built, stamp, updated_by, visible_after)
        assert write.record is not None
        return write.record

    def patch_contact(
        self,
        company: str,
        contact_id: int,
        operations: object,
        *,
        stamp: datetime | None = None,
        updated_by: str | None = None,
        visible_after: float | None = None,
    ) -> Record:
        """Apply a PATCH operation list; the whole result is validated before anything changes."""
        self.settle()
        tenant = self.tenant(company)
        current = self._existing(tenant, contact_id)
        patched = apply_patch(current, operations, self.patch_reference_paths)
        if patched is None:
            return current  # every operation pointed inside a reference and was ignored: the guide's false 200
        built = build_contact(patched, tenant.context())
        write = self._write(tenant, contact_id, built, stamp, updated_by, visible_after)
        assert write.record is not None
        return write.record

    def delete_contact(self, company: str, contact_id: int, *, visible_after: float | None = None) -> None:
        """Remove a contact (NotFound if it is not there)."""
        self.settle()
        tenant = self.tenant(company)
        self._existing(tenant, contact_id)
        self._write(tenant, contact_id, None, None, None, visible_after)

    def touch_contacts(
        self,
        company: str,
        contact_ids: Iterable[int],
        *,
        stamp: datetime | None = None,
        visible_after: float | None = None,
    ) -> list[Record]:
        """Rewrite each contact unchanged but for a new stamp (one instant for all): a bulk update."""
        self.settle()
        tenant = self.tenant(company)
        ids = list(contact_ids)
        current = [self._existing(tenant, contact_id) for contact_id in ids]
        instant = stamp if stamp is not None else self.server_now()
        touched = []
        for contact_id, record in zip(ids, current, strict=True):
            body = {k: v for k, v in record.items() if k not in ("id", "_info")}
            write = self._write(tenant, contact_id, body, instant, record["_info"]["updatedBy"], visible_after)
            assert write.record is not None
            touched.append(write.record)
        return touched

    def latest_ids(self, company: str) -> list[int]:
        """Ids of every contact that exists as last written (visible or not), ascending."""
        tenant = self.tenant(company)
        return sorted(i for i, writes in tenant.history.by_id.items() if writes[-1].record is not None)

    # -- reads ----------------------------------------------------------------------------

    def get_contact(self, company: str, contact_id: int) -> Record:
        """One visible contact, or NotFound."""
        self.settle()
        record = self.tenant(company).contacts.get(contact_id)
        if record is None:
            raise NotFound(f"contact {contact_id} not found")
        return record

    def stored_stamps(self, company: str) -> Callable[[Record], datetime] | None:
        """How to read a listed contact's stamp as stored, fraction included; None when stamps are whole seconds
        (then `_info.lastUpdated` says it all)."""
        if not self.stamp_policy.subsecond:
            return None
        table = self.tenant(company).contacts
        return lambda record: datetime.fromtimestamp(table.stamp_of(record["id"]), UTC)

    def visible_contacts(self, company: str) -> ContactTable:
        """The tenant's visible contacts, once every write that is due became visible (read it, never write it)."""
        self.settle()
        return self.tenant(company).contacts

    def list_contacts(
        self, company: str, *, updated_after: StampBound | None = None, predicate: Predicate | None = None
    ) -> list[Record]:
        """Visible contacts in id order, past `updated_after` (from the index) and matching `predicate`."""
        self.settle()
        table = self.tenant(company).contacts
        if updated_after is None:
            candidates: Iterable[Record] = table.in_id_order()
        else:
            candidates = table.updated_after(updated_after)
            if predicate is None:
                return candidates  # already a new list: no need to copy it again
        if predicate is None:
            return list(candidates)
        return [record for record in candidates if predicate(record)]


def _date_entered(tenant: Tenant, contact_id: int, instant: datetime) -> str | None:
    """The `_info.dateEntered` a write carries: the one the contact was created with, or a new one on creation."""
    previous = tenant.current(contact_id)
    if previous is not None:
        entered = previous["_info"].get("dateEntered")
        return entered if isinstance(entered, str) else None
    return format_cw(instant) if tenant.date_entered else None


def seed_contacts(store: Store, company: str, bodies: Iterable[object], stamp: datetime | None = None) -> list[Record]:
    """Create each body as a contact of `company` (stamped `stamp`, or the clock's time)."""
    return [store.create_contact(company, body, stamp=stamp) for body in bodies]
