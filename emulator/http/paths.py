"""The emulator's own endpoints, beside the emulated APIs: the admin API, the dashboard and the OpenAPI document."""

from __future__ import annotations

ADMIN_PREFIX = "/__admin"
# The browser dashboard (cwmock.dashboard), served beside the admin API by `cwmock up` and `cwmock emulator`.
UI_PREFIX = "/__ui"
OPENAPI_PATH = "/openapi.json"


def is_control_path(path: str) -> bool:
    """Whether `path` is one of the emulator's own endpoints, which the journal and injected faults leave alone."""
    return path.startswith((ADMIN_PREFIX, UI_PREFIX)) or path == OPENAPI_PATH
