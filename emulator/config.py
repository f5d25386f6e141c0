"""Emulator settings, all with embedded defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cwmock.emulator.http.bodies import DEFAULT_MAX_BODY_BYTES
from cwmock.emulator.journal.ring import DEFAULT_JOURNAL_CAPACITY
from cwmock.emulator.journal.subjects import DEFAULT_SUBJECT_CAPACITY
from cwmock.emulator.model.contacts import REFERENCE_PATHS, ReferencePaths
from cwmock.emulator.model.reference_data import DEFAULT_REFERENCE_FIXTURE
from cwmock.emulator.model.tenants import DEFAULT_TENANTS, TenantCredentials

DEFAULT_CODEBASE = "v4_6_release/"
HubPaging = Literal["offset", "keyset"]
HUB_PAGING_MODES: tuple[HubPaging, ...] = ("offset", "keyset")


def check_hub_paging(mode: object) -> HubPaging:
    """`mode` if it is a hub paging mode; ValueError naming the choices otherwise."""
    for known in HUB_PAGING_MODES:
        if mode == known:
            return known
    raise ValueError(f"hub_paging must be one of {', '.join(HUB_PAGING_MODES)}, got {mode!r}")


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
    # Hub requests kept per instance outside the ring, for the live judge (never evicted; see SubjectLog).
    request_log_capacity: int = DEFAULT_SUBJECT_CAPACITY
    instance_seed: int = 0
    # Open Connectors' account secrets: hub calls send `User <user_secret>, Organization <organization_secret>`.
    user_secret: str = "cwmock-user-secret"
    organization_secret: str = "cwmock-organization-secret"
    # When set, every `/__admin` call must send `Authorization: Bearer <admin_token>` (required off loopback).
    admin_token: str | None = None
    # NOT faithful (off by default): new contacts get `_info.dateEntered` (their creation stamp), so an instance can
    # use it as its createdDateField and see UPDATED events. Per tenant at runtime: PUT /__admin/tenants/T/date-entered.
    contact_date_entered: bool = False
    # A PATCH path inside a reference (`company/identifier`): "ignored" answers 200 without applying it, as the PSA
    # Developer Guide warns ("a false 200"); "applied" points the reference at the record so named (ConnectPyse #26);
    # "refused" answers 400. docs/fidelity.md#references
    patch_reference_paths: ReferencePaths = "ignored"
    # What a cloud site may answer for bad credentials: 404, not 401 (the PSA Developer Guide, "HTTP Response
    # Statuses"). 401 by default, as an on-premise server answers.
    bad_credentials_status: Literal[401, 404] = 401
    # A per-member budget of native API requests per minute of emulated time, answered 429 with Retry-After past it
    # (the guide: integrations sending "over 1,000 requests per minute" will likely be limited). None: no budget.
    rate_limit_per_minute: int | None = None
    # Compare update stamps with their fraction while `_info.lastUpdated` shows whole seconds (undocumented: a
    # guess, off by default). docs/fidelity.md#stamp-precision
    subsecond_stamps: bool = False
    # What the hub's `elements-next-page-token` wraps: "offset" (ConnectWise's page numbers, so pages shift when data
    # changes between fetches; the platform's documented way, unconfirmed for this connector: a guess) or "keyset"
    # (the last record served: drift-safe). At runtime: PUT /__admin/hub/paging. docs/emulator/hub.md#paging
    hub_paging: HubPaging = "offset"
    # A directory of the user's own contact sets, which POST /__admin/tenants/T/seed {"fixture": ...} may name
    # besides the package's (--fixtures-dir); nothing else on the host is ever read.
    fixtures_dir: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "codebase", normalize_codebase(self.codebase))
        if not self.tenants:
            raise ValueError("an emulator needs at least one tenant")
        if self.admin_token is not None and not self.admin_token.strip():
            raise ValueError("admin_token must be a non-empty string (or None for an unlocked admin API)")
        if self.patch_reference_paths not in REFERENCE_PATHS:
            allowed = ", ".join(REFERENCE_PATHS)
            raise ValueError(f"patch_reference_paths must be one of {allowed}, got {self.patch_reference_paths!r}")
        check_hub_paging(self.hub_paging)
        if self.bad_credentials_status not in (401, 404):
            raise ValueError(f"bad_credentials_status must be 401 or 404, got {self.bad_credentials_status!r}")
        if self.rate_limit_per_minute is not None and self.rate_limit_per_minute < 1:
            raise ValueError(f"rate_limit_per_minute must be 1 or more (or None), got {self.rate_limit_per_minute}")
        if self.fixtures_dir is not None and not Path(self.fixtures_dir).is_dir():
            raise ValueError(f"fixtures_dir {self.fixtures_dir} is not a directory")
        keys = [t.key for t in self.tenants]
        if len(set(keys)) != len(keys):
            raise ValueError(f"tenant company ids must be unique (case-insensitively): {keys}")
