"""What the oracle needs from an instance: parsed on its own from the instance JSON, not via the poller's parser."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cwmock.contract_tests.oracle.inputs import parse_instant
from cwmock.core.validation import read_json_document

RESOURCE = "contacts"
HISTORY_STAMP_FIELD = "_info.lastUpdated"
DEFAULT_CREATED_CHECK_TOLERANCE = 10.0


@dataclass(frozen=True)
class InstanceFacts:
    """The instance's id, s₀, tenant and the polling settings the exactly-once rules depend on."""

    id: int
    created: datetime
    tenant: str | None = None
    name: str = ""
    poll_delay: float = 0.0
    filter_by_current_date: bool = False
    filter_by_updated_date: bool = True
    created_check_tolerance: float = DEFAULT_CREATED_CHECK_TOLERANCE
    updated_date_field: str = HISTORY_STAMP_FIELD
    created_date_field: str = HISTORY_STAMP_FIELD
    updated_date_format: str = "yyyy-MM-dd'T'HH:mm:ss'Z'"
    created_date_format: str = "yyyy-MM-dd'T'HH:mm:ss'Z'"
    id_field: str = "id"
    signature_key: str | None = None
    refresh_interval_minutes: float | None = None

    def __post_init__(self) -> None:
        if self.created.tzinfo is None:
            raise ValueError(f"instance {self.id}: createdDate {self.created!r} is naive; pass an aware datetime")

    @property
    def filter_field(self) -> str:
        """The field the poller filters on: the updated field, or the created one when filterByUpdatedDate is off."""
        return self.updated_date_field if self.filter_by_updated_date else self.created_date_field

    def unsupported(self) -> list[str]:
        """Why the oracle cannot judge this configuration (empty when it can).

        The emulator's history keys versions by `_info.lastUpdated`; a version by another filter field, or an
        event `date` from another updated field, would need a history the emulator does not keep.
        """
        reasons = []
        for name, field in (("filter field", self.filter_field), ("updatedDateField", self.updated_date_field)):
            if field != HISTORY_STAMP_FIELD:
                reasons.append(
                    f"the {name} is {field!r}; the oracle judges versions of {HISTORY_STAMP_FIELD} only, "
                    f"so configure {HISTORY_STAMP_FIELD} to be judged"
                )
        return list(dict.fromkeys(reasons))

    @classmethod
    def from_instance_json(cls, data: Mapping[str, Any]) -> InstanceFacts:
        """Parse `GET /instances/{id}` (the seed's POST body plus `id`, `token`, `createdDate`)."""
        configuration = data.get("configuration") or {}
        if not isinstance(configuration, Mapping):
            raise ValueError("instance.configuration must be an object")
        resource = _resource(configuration)
        dates = resource.get("datesConfiguration") or {}
        if not isinstance(dates, Mapping):
            raise ValueError(f"{RESOURCE}.datesConfiguration must be an object")
        key = configuration.get("event.notification.signature.key")
        instance_id = data.get("id")
        if isinstance(instance_id, bool) or not isinstance(instance_id, int):
            raise ValueError(f"instance.id: expected the integer instance id, got {instance_id!r}")
        tenant = data.get("tenant")
        if tenant is not None and not isinstance(tenant, str):
            raise ValueError(f"instance.tenant: expected the company id string or null, got {tenant!r}")
        return cls(
            id=instance_id,
            created=parse_instant(data.get("createdDate"), "instance.createdDate"),
            tenant=tenant,
            name=str(data.get("name", "")),
            poll_delay=_number(resource.get("pollDelay", 0), f"{RESOURCE}.pollDelay"),
            filter_by_current_date=_flag(resource.get("filterByCurrentDate", False), f"{RESOURCE}.filterByCurrentDate"),
            filter_by_updated_date=_flag(resource.get("filterByUpdatedDate", True), f"{RESOURCE}.filterByUpdatedDate"),
            created_check_tolerance=_number(
                resource.get("createdCheckTolerance", DEFAULT_CREATED_CHECK_TOLERANCE),
                f"{RESOURCE}.createdCheckTolerance",
            ),
            updated_date_field=str(dates.get("updatedDateField", HISTORY_STAMP_FIELD)),
            created_date_field=str(dates.get("createdDateField", HISTORY_STAMP_FIELD)),
            updated_date_format=str(dates.get("updatedDateFormat", cls.updated_date_format)),
            created_date_format=str(dates.get("createdDateFormat", cls.created_date_format)),
            id_field=str(resource.get("idField", "id")),
            signature_key=key if isinstance(key, str) and key else None,
            refresh_interval_minutes=(
                None
                if configuration.get("event.poller.refresh_interval") is None
                else _number(configuration["event.poller.refresh_interval"], "event.poller.refresh_interval")
            ),
        )


def _resource(configuration: Mapping[str, Any]) -> Mapping[str, Any]:
    raw = configuration.get("event.poller.configuration")
    if isinstance(raw, str):
        try:
            raw = read_json_document(raw, key="the string")
        except ValueError as exc:  # InputError is a ValueError
            raise ValueError(f"event.poller.configuration is a string but not JSON: {exc}") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get(RESOURCE), Mapping):
        raise ValueError(f"event.poller.configuration must hold a {RESOURCE!r} object (the only resource judged)")
    resource: Mapping[str, Any] = raw[RESOURCE]
    return resource


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected a number (or a numeric string), got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{where}: expected a finite number ≥ 0, got {value!r}")
    return number


def _flag(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f'{where}: expected true or false (or the strings "true"/"false"), got {value!r}')
