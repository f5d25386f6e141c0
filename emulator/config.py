"""Emulator settings, all with embedded defaults."""

from __future__ import annotations

from dataclasses import dataclass

from cwmock.emulator.http.bodies import DEFAULT_MAX_BODY_BYTES
from cwmock.emulator.journal.ring import DEFAULT_JOURNAL_CAPACITY
from cwmock.emulator.model.reference_data import DEFAULT_REFERENCE_FIXTURE
from cwmock.emulator.model.tenants import DEFAULT_TENANTS, TenantCredentials

DEFAULT_CODEBASE = "v4_6_release/"


def normalize_codebase(codebase: str) -> str:
    """`v4_6_release`, `/v4_6_release/` and `v4_6_release/` all mean `v4_6_release/`."""
    cleaned = codebase.strip().strip("/")
    if not cleaned or "/" in cleaned:
        raise ValueError(f"codebase must be one path segment such as 'v4_6_release/', got {codebase!r}")
    return cleaned + "/"


@dataclass(frozen=True)
class EmulatorConfig:
    """How an emulator is set up: codebase, tenants, reference data, ids and limits."""

    codebase: str = DEFAULT_CODEBASE
    tenants: tuple[TenantCredentials, ...] = DEFAULT_TENANTS
    reference_fixture: str = DEFAULT_REFERENCE_FIXTURE
    first_id: int = 1
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    version_code: str = "v2024.1"
    version_number: str = "v4.6.115544"
    journal_capacity: int = DEFAULT_JOURNAL_CAPACITY
    instance_seed: int = 0
    # Open Connectors' account secrets: hub calls send `User <user_secret>, Organization <organization_secret>`.
    user_secret: str = "cwmock-user-secret"
    organization_secret: str = "cwmock-organization-secret"
    # When set, every `/__admin` call must send `Authorization: Bearer <admin_token>` (required off loopback).
    admin_token: str | None = None
    # NOT faithful (off by default): new contacts get `_info.dateEntered` (their creation stamp), so an instance can
    # use it as its createdDateField and see UPDATED events. Per tenant at runtime: PUT /__admin/tenants/T/date-entered.
    contact_date_entered: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "codebase", normalize_codebase(self.codebase))
        if not self.tenants:
            raise ValueError("an emulator needs at least one tenant")
        if self.admin_token is not None and not self.admin_token.strip():
            raise ValueError("admin_token must be a non-empty string (or None for an unlocked admin API)")
        keys = [t.key for t in self.tenants]
        if len(set(keys)) != len(keys):
            raise ValueError(f"tenant company ids must be unique (case-insensitively): {keys}")
