"""`Elements-Webhook-Signature`: `sha256=` + Base64(HMAC-SHA256(raw body)) (Open Connectors, "Hash Verification")."""

from __future__ import annotations

import base64
import hashlib
import hmac

SIGNATURE_HEADER = "Elements-Webhook-Signature"


def signature_header(key: str, body: bytes) -> str:
    """The header value Open Connectors sends for `body` signed with `key` (UTF-8)."""
    digest = hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")
