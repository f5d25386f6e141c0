"""Secrets never reach a dashboard page: configuration values, tokens and credential headers are masked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MASK = "••••••••"
# Configuration keys that hold credentials: the ConnectWise API keys, the signature key, secrets, passwords, tokens.
SECRET_KEY = re.compile(r"(secret|password|passwd|private|token|credential|api[._-]?key|(^|[._-])key$)", re.IGNORECASE)
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})


def is_secret_key(name: str) -> bool:
    """Whether a configuration key names a credential (`private.key`, `event.notification.signature.key`...)."""
    return bool(SECRET_KEY.search(name))


def mask_url(value: str) -> str:
    """A URL with any password in its user info masked."""
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return value
    if not password:
        return value
    netloc = parts.netloc.replace(f":{password}@", f":{MASK}@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def mask_secrets(value: Any) -> Any:
    """`value` with every credential masked: values of secret keys at any depth, passwords inside URLs."""
    if isinstance(value, Mapping):
        return {
            key: (MASK if is_secret_key(str(key)) and item not in (None, "") else mask_secrets(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    return value


def mask_header(name: str, value: str) -> str:
    """A header's value as shown: credentials masked, keeping the scheme (`Bearer ••••••••`)."""
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, rest = value.partition(" ")
    return f"{scheme} {MASK}" if rest else MASK
