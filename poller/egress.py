"""The egress guard: notifications go only to loopback or explicitly allowed hosts, decided without DNS.

The decision reads the URL's literal host and nothing else: a literal loopback address (127.0.0.0/8, ::1), the
name `localhost`, or a host the user allowed. Any other name is held without a lookup, `*.localhost` included:
RFC 6761 asks resolvers to answer it with loopback, but the system resolver may send it to DNS.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost",)


def egress_refusal(url: str, allowed_hosts: tuple[str, ...] = ()) -> str | None:
    """Why `url` must not be contacted, or None when it may (loopback, or a host in `allowed_hosts`)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return f"callback URL {url!r} cannot be parsed"
    if not host:
        return f"callback URL {url!r} has no host"
    if host in LOOPBACK_NAMES or host in (h.strip().lower() for h in allowed_hosts):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (
        f"egress guard: {host} is not loopback; cwmock never contacts outside hosts. Allow it with "
        "--allow-host / CWMOCK_ALLOW_HOSTS if it is a local test receiver"
    )
