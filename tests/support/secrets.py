"""The secrets the sweeps plant everywhere, and the check that none comes back (docs/fidelity.md#secrets)."""

from __future__ import annotations

import json
from typing import Any

from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.model.tenants import TenantCredentials
from cwmock.fixtures import read_fixture

PRIVATE_KEY = "PRIVATE-KEY-7f3a9c"
SIGNATURE_KEY = "SIGNATURE-KEY-2b8d"
USER_SECRET = "USER-SECRET-91ab"
ORGANIZATION_SECRET = "ORG-SECRET-44cd"
ADMIN_TOKEN = "ADMIN-TOKEN-5e6f"
SECRETS = (PRIVATE_KEY, SIGNATURE_KEY, USER_SECRET, ORGANIZATION_SECRET, ADMIN_TOKEN)
TENANT = TenantCredentials("sweep", "sweep-public", PRIVATE_KEY)
CONFIG = EmulatorConfig(
    tenants=(TENANT,),
    user_secret=USER_SECRET,
    organization_secret=ORGANIZATION_SECRET,
    admin_token=ADMIN_TOKEN,
)


def instance_body() -> dict[str, Any]:
    """The seed instance, its credentials and signature key replaced by the sweep's secrets."""
    body: dict[str, Any] = json.loads(read_fixture("instances/seed_example_polling.json"))
    configuration = body["configuration"]
    configuration.update({"company": TENANT.company, "public.key": TENANT.public_key, "private.key": PRIVATE_KEY})
    configuration["event.notification.signature.key"] = SIGNATURE_KEY
    return body


def leaked(text: str) -> list[str]:
    """The secrets that appear in `text`."""
    return [secret for secret in SECRETS if secret in text]
