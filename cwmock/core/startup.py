"""What a short-lived cwmock process (one poller window) does first, so that starting it costs less."""

from __future__ import annotations

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
