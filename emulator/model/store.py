"""The emulated ConnectWise's state: tenants and their contacts, stamped from an injected clock.

Knows nothing of HTTP. Every write gets a global sequence number, an `_info.lastUpdated` stamp and a place in
the tenant's version history; a write with a visibility delay becomes visible to reads only at stamp + delay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cwmock.core.clock import Clock
from cwmock.core.timestamps import UTC, format_cw
from cwmock.core.validation import InputError, check_clock_instant, check_duration, check_text, shift
from cwmock.emulator.model.contacts import (
    ContactContext,
    Record,
    ReferencePaths,
    apply_patch,
    build_contact,
    display_name,
    with_type_ids,
)
from cwmock.emulator.model.errors import InvalidObject, NotFound, refused
from cwmock.emulator.model.reference_data import ReferenceData
from cwmock.emulator.model.shared_keys import stored_contact
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

    def current(self, contact_id: int) -> Record | None:
        """The last written state of a contact, visible or not (None if absent or deleted)."""
        latest = self.history.latest(contact_id)
        return None if latest is None else latest.record

    def context(self, item_ids: ItemIds, staged: Mapping[int, str] | None = None) -> ContactContext:
        """What contact validation needs: reference data, contact names (`staged`: contacts about to be created)
        and new communication item ids, drawn from `item_ids` (committed with `ItemIds.commit` once valid)."""

        def contact_name(contact_id: int) -> str | None:
            if staged is not None and contact_id in staged:
                return staged[contact_id]
            record = self.current(contact_id)
            return None if record is None else display_name(record)

        return ContactContext(self.reference, contact_name, item_ids.allocate)


@dataclass
class ItemIds:
    """Communication item ids drawn while bodies are validated, given back to the tenant only when all were valid."""

    tenant: Tenant
    next: int = 0

    def __post_init__(self) -> None:
        self.next = self.tenant.next_item_id

    def allocate(self) -> int:
        """The next item id of this draft."""
        allocated = self.next
        self.next += 1
        return allocated

    def commit(self) -> None:
        """Every body drawing from this draft was valid: the tenant continues after the ids it used."""
        self.tenant.next_item_id = self.next


@dataclass(frozen=True)
class WriteOptions:
    """What a write carries besides its record, checked before anything is written."""

    stamp: datetime | None
    updated_by: str | None
    delay: float


def write_options(
    tenant: Tenant, stamp: datetime | None, updated_by: str | None, visible_after: float | None
) -> WriteOptions:
    """Check a write's stamp, author and visibility delay (the tenant's when not given); InvalidObject names one."""
    try:
        if stamp is not None and stamp.tzinfo is not None:
            check_clock_instant("stamp", stamp)
        if updated_by is not None:
            check_text("updatedBy", updated_by)
        delay = tenant.visibility_delay if visible_after is None else check_duration("visibleAfter", visible_after)
    except InputError as exc:
        raise refused(exc) from None
    return WriteOptions(stamp, updated_by, delay)


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
        try:
            checked = check_duration("seconds", seconds)
        except InputError as exc:
            raise refused(exc) from None
        self.tenant(company).visibility_delay = checked

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

    def _write(self, tenant: Tenant, contact_id: int, body: Record | None, options: WriteOptions) -> Write:
        """Record one write; everything that can be refused was checked before (it never raises)."""
        now = self.server_now()
        written = Moment(now, self.next_sequence())
        instant = self.stamp_policy.stored(options.stamp if options.stamp is not None else now)
        record: Record | None = None
        if body is not None:
            record = {"id": contact_id, **body}
            record["_info"] = {
                "lastUpdated": format_cw(instant),
                "updatedBy": options.updated_by if options.updated_by is not None else tenant.credentials.member,
            }
            entered = _date_entered(tenant, contact_id, instant)
            if entered is not None:
                record["_info"]["dateEntered"] = entered
            record = stored_contact(record)
        # With no delay a write is visible at once, whatever its stamp (a future stamp is just skew).
        visible_from = max(now, shift(instant, options.delay)) if options.delay > 0 else now
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
        return self.create_contacts(
            company, [body], stamp=stamp, updated_by=updated_by, visible_after=visible_after, numbered=False
        )[0]

    def create_contacts(
        self,
        company: str,
        bodies: Iterable[object],
        *,
        stamp: datetime | None = None,
        updated_by: str | None = None,
        visible_after: float | None = None,
        numbered: bool = True,
    ) -> list[Record]:
        """Validate every body, then store them all as new contacts in order: all of them or, if one is refused,
        none (its error says which, unless `numbered` is False). A body may refer to one created before it."""
        self.settle()
        tenant = self.tenant(company)
        options = write_options(tenant, stamp, updated_by, visible_after)
        pending = list(bodies)
        item_ids = ItemIds(tenant)
        staged: dict[int, str] = {}
        built_bodies = []
        for index, body in enumerate(pending):
            try:
                built = build_contact(with_type_ids(body), tenant.context(item_ids, staged))
            except InvalidObject as exc:
                if not numbered:
                    raise
                raise InvalidObject(f"contact {index + 1} of {len(pending)}: {exc.message}", exc.errors) from None
            staged[tenant.next_contact_id + index] = display_name(built)
            built_bodies.append(built)
        item_ids.commit()
        created = []
        for built in built_bodies:
            record = self._write(tenant, tenant.allocate_contact_id(), built, options).record
            assert record is not None
            created.append(record)
        return created

    def check_contact_body(self, company: str, body: object) -> None:
        """Validate `body` as a create would (InvalidObject if refused), changing nothing."""
        tenant = self.tenant(company)
        build_contact(with_type_ids(body), tenant.context(ItemIds(tenant)))

    def _existing(self, tenant: Tenant, contact_id: int) -> Record:
        current = tenant.current(contact_id)
        if current is None:
            raise NotFound(f"contact {contact_id} not found")
        return current

    def _update(self, tenant: Tenant, contact_id: int, body: object, options: WriteOptions) -> Record:
        item_ids = ItemIds(tenant)
        built = build_contact(body, tenant.context(item_ids))
        item_ids.commit()
        record = self._write(tenant, contact_id, built, options).record
        assert record is not None
        return record

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
        return self._update(tenant, contact_id, body, write_options(tenant, stamp, updated_by, visible_after))

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
        options = write_options(tenant, stamp, updated_by, visible_after)
        patched = apply_patch(current, operations, self.patch_reference_paths)
        if patched is None:
            return current  # every operation pointed inside a reference and was ignored: the guide's false 200
        return self._update(tenant, contact_id, patched, options)

    def delete_contact(self, company: str, contact_id: int, *, visible_after: float | None = None) -> None:
        """Remove a contact (NotFound if it is not there)."""
        self.settle()
        tenant = self.tenant(company)
        self._existing(tenant, contact_id)
        self._write(tenant, contact_id, None, write_options(tenant, None, None, visible_after))

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
        options = write_options(tenant, stamp, None, visible_after)
        instant = stamp if stamp is not None else self.server_now()
        touched = []
        for contact_id, record in zip(ids, current, strict=True):
            body = {k: v for k, v in record.items() if k not in ("id", "_info")}
            each = WriteOptions(instant, record["_info"]["updatedBy"], options.delay)
            write = self._write(tenant, contact_id, body, each)
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
    """Create each body as a contact of `company` (stamped `stamp`, or the clock's time): all of them, or none."""
    return store.create_contacts(company, bodies, stamp=stamp)
