"""Tenants: ConnectWise login companies and the API keys that open them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TenantCredentials:
    """One ConnectWise login company: `Basic base64("{company}+{public}:{private}")` opens it."""

    company: str
    public_key: str
    private_key: str
    member: str = "APIMember"

    @property
    def key(self) -> str:
        """Company ids are matched case-insensitively, as ConnectWise's login does."""
        return self.company.lower()


DEFAULT_TENANTS = (
    TenantCredentials("cwmock", "cwmock-public", "cwmock-private"),
    # The keys of the Open Connectors seed example, so that body works verbatim.
    TenantCredentials("cloudelements", "xxxxxxxx", "xxxxxxxxxxxxxxxxxx"),
)
