"""What a short-lived cwmock process (one poller window) does first, so that starting it costs less."""

from __future__ import annotations

import ssl
import sys
from types import ModuleType
from typing import cast


def skip_httpx_cli() -> None:
    """Keep httpx's command line out of this process; call it before the process first imports httpx.

    `import httpx` imports `httpx._main`, its own `httpx` console script, whenever click, rich and pygments are
    installed (they are in cwmock's test environment): about 60 ms of a poller window's start, for a CLI no cwmock
    process runs. A `None` entry in `sys.modules` makes that import raise `ImportError` (Python's reference, "The
    import system", section "The module cache"), which httpx catches by defining a `main` that only says its CLI is
    not installed. Nothing else in httpx changes. Once httpx is imported, this changes nothing.
    """
    cast("dict[str, ModuleType | None]", sys.modules).setdefault("httpx._main", None)


def tls_verification(*urls: str) -> ssl.SSLContext | bool:
    """What a short-lived httpx client that calls only `urls` passes as `verify`.

    True (httpx's default, its CA bundle) when one of them is HTTPS. Else a client context that trusts no
    certificate: httpx builds its TLS context with the client even for plain-HTTP calls, and loading the CA bundle is
    20 ms of a 150 ms window that never uses it. An HTTPS server met anyway is refused, never trusted:
    `PROTOCOL_TLS_CLIENT` requires a verified certificate and a matching host name.
    """
    if any(url.lower().startswith("https:") for url in urls):
        return True
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
