"""The secrets an instance configuration holds, which no response or log line repeats.

The platform's answer to `POST /instances` shows an instance without them (Cloud Elements devportal, the
connectwisecrmrest "Authenticate" example response: `"configuration": {}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SECRET_KEYS = ("private.key", "event.notification.signature.key")


def without_secrets(configuration: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration minus its secrets (the ConnectWise private key, the notification signature key)."""
    return {key: value for key, value in configuration.items() if key not in SECRET_KEYS}


def secrets_of(configuration: Mapping[str, Any]) -> dict[str, Any]:
    """Just the secrets of a configuration."""
    return {key: configuration[key] for key in SECRET_KEYS if key in configuration}
