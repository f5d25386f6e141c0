"""What the hub's tests share: the contacts path, the emulator's default settings, and an instance's Authorization."""

from __future__ import annotations

from datetime import datetime, timezone

from cwmock.emulator.config import EmulatorConfig

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
HUB = "/elements/api-v2/hubs/crm/contacts"
CONFIG = EmulatorConfig()


def hub_headers(token: str, config: EmulatorConfig = CONFIG) -> dict[str, str]:
    """The `Authorization` header of the instance whose token is `token` (`Element nope` for a wrong one)."""
    return {"Authorization": f"User {config.user_secret}, Organization {config.organization_secret}, Element {token}"}
