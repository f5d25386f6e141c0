"""The whole emulated state as JSON, and back: tenants' write histories, counters, instances, served logs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cwmock.core.timestamps import iso_z, parse_iso
from cwmock.emulator.model.errors import InvalidObject
from cwmock.emulator.model.instances import Instance, InstanceRegistry, ServedVersion
from cwmock.emulator.model.store import Store, Tenant
from cwmock.emulator.model.versions import Moment, Write, moment_json

SNAPSHOT_FORMAT = "cwmock-snapshot/1"


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else iso_z(instant)


def _readmoment_json(data: dict[str, Any] | None) -> Moment | None:
    return None if data is None else Moment(parse_iso(data["at"]), int(data["seq"]))


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


def _restore_tenant(tenant: Tenant, data: dict[str, Any]) -> None:
    tenant.reset()
    for raw in data["writes"]:
        stamp = raw.get("stamp")
        write = Write(
            tenant=tenant.credentials.company,
            id=int(raw["id"]),
            stamp=None if stamp is None else parse_iso(stamp),
            record=raw.get("record"),
            written=_readmoment_json(raw["written"]) or Moment(parse_iso(raw["visibleFrom"]), 0),
            visible_from=parse_iso(raw["visibleFrom"]),
            became_visible=_readmoment_json(raw.get("becameVisible")),
            superseded=_readmoment_json(raw.get("superseded")),
        )
        tenant.history.restore(write)
    for contact_id in tenant.history.by_id:
        shown = tenant.history.last_visible(contact_id)
        if shown is not None and shown.record is not None and shown.stamp is not None:
            tenant.contacts.put(contact_id, shown.record, shown.stamp.timestamp())
    tenant.next_contact_id = int(data["nextContactId"])
    tenant.next_item_id = int(data["nextItemId"])
    tenant.visibility_delay = float(data["visibilityDelay"])
    tenant.date_entered = bool(data.get("dateEntered", tenant.date_entered_default))


def _restore_instance(data: dict[str, Any]) -> Instance:
    instance = Instance(
        id=int(data["id"]),
        token=str(data["token"]),
        tenant=str(data["tenant"]),
        name=str(data["name"]),
        created=parse_iso(data["createdDate"]),
        tags=list(data.get("tags", [])),
        configuration=dict(data.get("configuration", {})),
        document=data.get("document"),
    )
    for raw in data.get("served", []):
        first = _readmoment_json(raw["first"])
        last = _readmoment_json(raw["last"])
        if first is None or last is None:
            raise ValueError(f"served entry {raw!r} needs both first and last")
        instance.served[(int(raw["id"]), str(raw["stamp"]))] = ServedVersion(
            int(raw["id"]), str(raw["stamp"]), first, last, int(raw["times"])
        )
    return instance


def restore_snapshot(store: Store, registry: InstanceRegistry, snapshot: Any) -> None:
    """Replace the state with a snapshot taken by `take_snapshot` (the clock is left where it is)."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != SNAPSHOT_FORMAT:
        raise InvalidObject(f"not a cwmock snapshot: expected an object with format {SNAPSHOT_FORMAT!r}")
    tenants = snapshot.get("tenants", {})
    unknown = [name for name in tenants if store.find_tenant(name) is None]
    if unknown:
        raise InvalidObject(f"the snapshot has tenants this emulator does not: {', '.join(unknown)}")
    try:
        for name, data in tenants.items():
            _restore_tenant(store.tenant(name), data)
        instances = snapshot["instances"]
        registry.restore(instances["state"], [_restore_instance(i) for i in instances["items"]])
        store.restore_sequence(int(snapshot["sequence"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidObject(f"the snapshot is damaged: {type(exc).__name__}: {exc}") from None
