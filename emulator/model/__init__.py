"""The emulated state: tenants, contacts, their versions, Open Connectors instances; nothing of HTTP."""

from cwmock.emulator.model.store import Store
from cwmock.emulator.model.tenants import DEFAULT_TENANTS, TenantCredentials

__all__ = [
    "DEFAULT_TENANTS",
    "Store",
    "TenantCredentials",
]
