"""The whole emulated state as JSON, and back: tenants' write histories, counters, instances, served logs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cwmock.core.timestamps import format_cw, iso_z, parse_iso
from cwmock.core.validation import MAX_JSON_DEPTH, check_duration, check_id, check_json_value, check_text
from cwmock.emulator.model.contacts import ContactContext, Record, build_contact
from cwmock.emulator.model.errors import InvalidObject
from cwmock.emulator.model.instances import Instance, InstanceRegistry, ServedVersion
from cwmock.emulator.model.shared_keys import stored_contact
from cwmock.emulator.model.store import Store, Tenant
from cwmock.emulator.model.table import ContactTable
from cwmock.emulator.model.versions import Moment, VersionHistory, Write, moment_json

SNAPSHOT_FORMAT = "cwmock-snapshot/1"


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else iso_z(instant)


def _write_json(write: Write) -> dict[str, Any]:
    return {
        "id": write.id,
        "stamp": _iso(write.stamp),
        "record": write.record,
        "written": moment_json(write.written),
        "visibleFrom": _iso(write.visible_from),
        "becameVisible": moment_json(write.became_visible),
        "superseded": moment_json(write.superseded),
    }


def _tenant_json(tenant: Tenant) -> dict[str, Any]:
    return {
        "nextContactId": tenant.next_contact_id,
        "nextItemId": tenant.next_item_id,
        "visibilityDelay": tenant.visibility_delay,
        "dateEntered": tenant.date_entered,
        "writes": [_write_json(w) for w in tenant.history.writes],
    }


def _instance_json(instance: Instance) -> dict[str, Any]:
    return {**instance.to_json(), "served": [v.to_json() for v in instance.served.values()]}


def take_snapshot(store: Store, registry: InstanceRegistry) -> dict[str, Any]:
    """Everything needed to put the emulator back exactly as it is now (faults and the journal excepted)."""
    return {
        "format": SNAPSHOT_FORMAT,
        "takenAt": _iso(store.clock.now()),
        "sequence": store.sequence,
        "tenants": {creds.company: _tenant_json(store.tenant(creds.company)) for creds in store.tenants},
        "instances": {"state": registry.state(), "items": [_instance_json(i) for i in registry.all()]},
    }


SNAPSHOT_MAX_DEPTH = 2 * MAX_JSON_DEPTH  # a snapshot nests instance documents and records a few levels down


@dataclass
class _TenantState:
    """One tenant as a snapshot describes it, read and checked in full before the tenant is touched."""

    tenant: Tenant
    history: VersionHistory
    contacts: ContactTable
    next_contact_id: int
    next_item_id: int
    visibility_delay: float
    date_entered: bool

    def apply(self) -> None:
        tenant = self.tenant
        tenant.history, tenant.contacts = self.history, self.contacts
        tenant.next_contact_id, tenant.next_item_id = self.next_contact_id, self.next_item_id
        tenant.visibility_delay, tenant.date_entered = self.visibility_delay, self.date_entered


def _moment(data: Any) -> Moment:
    return Moment(parse_iso(data["at"]), check_id("seq", data["seq"]))


def _optional_moment(data: Any) -> Moment | None:
    return None if data is None else _moment(data)


def _checked_record(tenant: Tenant, contact_id: int, stamp: datetime, record: Any) -> Record:
    """`record` when it is exactly what the store could have written for this id and stamp."""
    if not isinstance(record, dict) or record.get("id") != contact_id or not isinstance(record.get("_info"), dict):
        raise ValueError(f"the record of contact {contact_id} needs its id and _info")
    info = record["_info"]
    if info.get("lastUpdated") != format_cw(stamp) or not isinstance(info.get("updatedBy"), str):
        raise ValueError(f"contact {contact_id}: _info must carry lastUpdated {format_cw(stamp)} and updatedBy")
    if set(info) - {"lastUpdated", "updatedBy", "dateEntered"} or not isinstance(info.get("dateEntered", ""), str):
        raise ValueError(f"contact {contact_id}: _info holds only lastUpdated, updatedBy and dateEntered")
    body = {key: value for key, value in record.items() if key not in ("id", "_info")}
    names = {
        ref["id"]: ref["name"]
        for ref in (body.get("managerContact"), body.get("assistantContact"))
        if isinstance(ref, dict) and isinstance(ref.get("name"), str)
    }

    def no_new_item() -> int:
        raise ValueError(f"contact {contact_id}: every communication item needs its id")

    if build_contact(body, ContactContext(tenant.reference, names.get, no_new_item)) != body:
        raise ValueError(f"contact {contact_id} is not a contact this emulator could have stored")
    return stored_contact(record)


def _read_tenant(tenant: Tenant, data: dict[str, Any]) -> _TenantState:
    history = VersionHistory()
    for raw in data["writes"]:
        contact_id = check_id("id", raw["id"])
        stamp = None if raw.get("stamp") is None else parse_iso(raw["stamp"])
        record = raw.get("record")
        if (stamp is None) != (record is None):
            raise ValueError(f"write of contact {contact_id}: a delete has neither stamp nor record, a write both")
        visible_from = parse_iso(raw["visibleFrom"])
        history.restore(
            Write(
                tenant=tenant.credentials.company,
                id=contact_id,
                stamp=stamp,
                record=None if stamp is None else _checked_record(tenant, contact_id, stamp, record),
                written=_optional_moment(raw["written"]) or Moment(visible_from, 0),
                visible_from=visible_from,
                became_visible=_optional_moment(raw.get("becameVisible")),
                superseded=_optional_moment(raw.get("superseded")),
            )
        )
    contacts = ContactTable()
    for contact_id in history.by_id:
        shown = history.last_visible(contact_id)
        if shown is not None and shown.record is not None and shown.stamp is not None:
            contacts.put(contact_id, shown.record, shown.stamp.timestamp())
    date_entered = data.get("dateEntered", tenant.date_entered_default)
    if not isinstance(date_entered, bool):
        raise ValueError("dateEntered must be true or false")
    return _TenantState(
        tenant,
        history,
        contacts,
        check_id("nextContactId", data["nextContactId"]),
        check_id("nextItemId", data["nextItemId"]),
        check_duration("visibilityDelay", data["visibilityDelay"]),
        date_entered,
    )


def _text_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("tags must be a list of strings")
    return list(value)


def _read_instance(store: Store, data: dict[str, Any]) -> Instance:
    tenant = store.find_tenant(check_text("tenant", data["tenant"]))
    if tenant is None:
        raise ValueError(f"instance {data.get('id')!r} belongs to an unknown tenant")
    configuration, document = data.get("configuration", {}), data.get("document")
    if not isinstance(configuration, dict) or not (document is None or isinstance(document, dict)):
        raise ValueError("an instance's configuration and document are JSON objects")
    instance = Instance(
        id=check_id("id", data["id"], minimum=1),
        token=check_text("token", data["token"]),
        tenant=tenant.credentials.company,
        name=check_text("name", data["name"]),
        created=parse_iso(data["createdDate"]),
        tags=_text_list(data.get("tags", [])),
        configuration=dict(configuration),
        document=document,
    )
    client_id = data.get("clientId")
    instance.client_id = None if client_id is None else check_text("clientId", client_id)
    for raw in data.get("served", []):
        served_id, stamp = check_id("id", raw["id"]), check_text("stamp", raw["stamp"])
        instance.served[(served_id, stamp)] = ServedVersion(
            served_id, stamp, _moment(raw["first"]), _moment(raw["last"]), check_id("times", raw["times"])
        )
    return instance


def restore_snapshot(store: Store, registry: InstanceRegistry, snapshot: Any) -> None:
    """Replace the state with a snapshot taken by `take_snapshot` (the clock is left where it is).

    The whole snapshot is read and checked first; a damaged one is refused with the state left exactly as it was.
    """
    if not isinstance(snapshot, dict) or snapshot.get("format") != SNAPSHOT_FORMAT:
        raise InvalidObject(f"not a cwmock snapshot: expected an object with format {SNAPSHOT_FORMAT!r}")
    tenants = snapshot.get("tenants", {})
    if not isinstance(tenants, dict):
        raise InvalidObject("the snapshot is damaged: tenants must be an object")
    unknown = [name for name in tenants if store.find_tenant(name) is None]
    if unknown:
        raise InvalidObject(f"the snapshot has tenants this emulator does not: {', '.join(unknown)}")
    try:
        check_json_value(snapshot, key="snapshot", max_depth=SNAPSHOT_MAX_DEPTH)
        states = [_read_tenant(store.tenant(name), data) for name, data in tenants.items()]
        instances = snapshot["instances"]
        items = [_read_instance(store, item) for item in instances["items"]]
        sequence = check_id("sequence", snapshot["sequence"])
        registry.restore(instances["state"], items)  # checks the counters before it changes anything
    except InvalidObject as exc:
        raise InvalidObject(f"the snapshot is damaged: {exc.message}", exc.errors) from None
    except (KeyError, TypeError, ValueError) as exc:  # InputError is a ValueError
        raise InvalidObject(f"the snapshot is damaged: {type(exc).__name__}: {exc}") from None
    for state in states:
        state.apply()
    store.restore_sequence(sequence)
