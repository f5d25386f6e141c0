"""An instance as Open Connectors' platform API answers it: its document, never its secrets.

Shape from the Cloud Elements devportal's connectwisecrmrest "Authenticate" example response: `id`, `name`,
`createdDate`, `token`, `element {id, name, key, ...}`, `elementId`, `tags`, `valid`, `disabled`, `eventsEnabled`,
`configuration` (there `{}`; here the keys given, secrets left out), and the platform's own flags.
"""

from __future__ import annotations

from typing import Any

from cwmock.core.instance.config import Instance
from cwmock.core.instance.secrets import without_secrets

ELEMENT_ID = 3012
ELEMENT: dict[str, Any] = {
    "id": ELEMENT_ID,
    "name": "Connectwise CRM REST Beta",
    "key": "connectwisecrmrest",
    "description": (
        "Add a ConnectWise Instance to connect your existing ConnectWise account to the crm Hub, allowing you to "
        "manage contacts , organizations and incidents across multiple Elements. You will need your ConnectWise "
        "account and ConnectWise information to add an instance."
    ),
    "image": "elements/provider_connectwise.png",
    "active": True,
    "deleted": False,
    "typeOauth": False,
    "trialAccount": False,
    "resources": [],
    "transformationsEnabled": True,
    "bulkDownloadEnabled": True,
    "bulkUploadEnabled": True,
    "cloneable": True,
    "extendable": False,
    "beta": False,
    "authentication": {"type": "custom"},
    "extended": False,
    "hub": "crm",
    "protocolType": "http",
    "parameters": [],
    "private": False,
}


def platform_document(instance: Instance) -> dict[str, Any]:
    """What `POST /instances`, `GET /instances/{id}` and `PATCH /instances/{id}` answer for a stored instance."""
    stored = instance.to_json()
    configuration = instance.configuration
    callback = configuration.callback_url if configuration.notification_enabled else None
    return {
        "id": instance.id,
        "name": instance.name,
        "createdDate": stored.get("createdDate"),
        "token": instance.token,
        "element": dict(ELEMENT),
        "elementId": ELEMENT_ID,
        "tags": list(instance.tags),
        "provisionInteractions": [],
        "valid": True,
        "disabled": False,
        "maxCacheSize": 0,
        "cacheTimeToLive": 0,
        "configuration": without_secrets(stored.get("configuration", {})),
        "eventsEnabled": configuration.notification_enabled,
        # The example shows the text "false" for an instance without events; the URL otherwise is a guess.
        "eventsNotificationCallbackUrl": callback or "false",
        "traceLoggingEnabled": False,
        "cachingEnabled": False,
        "externalAuthentication": "none",
    }
