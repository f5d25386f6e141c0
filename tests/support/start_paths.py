"""What a process imports: `python -m MODULE ...` run as the suite runs a window, and the modules it loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cwmock.fixtures import SEED_INSTANCE, read_fixture

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once
# Runs the module as `python -m` does, then writes the names of every module the process imported.
_LISTING = """
import atexit, json, runpy, sys
listing = sys.argv.pop(1)
atexit.register(lambda: open(listing, "w").write(json.dumps(sorted(n for n, m in sys.modules.items() if m))))
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def window_environment(work: Path) -> dict[str, str]:
    """The external-poller protocol's variables for the seed instance, its hub and callback unreachable."""
    body = json.loads(read_fixture(SEED_INSTANCE))
    body["configuration"]["event.notification.callback.url"] = f"{UNREACHABLE}/callback"
    instance = work / "instance.json"
    instance.write_text(json.dumps({**body, "id": 1, "token": "t", "createdDate": "2026-01-01T00:00:00Z"}))
    (work / "state").mkdir()
    return {
        **os.environ,
        "CWMOCK_INSTANCE": str(instance),
        "CWMOCK_HUB_URL": f"{UNREACHABLE}/elements/api-v2",
        "CWMOCK_HUB_AUTH": "User u, Organization o, Element e",
        "CWMOCK_STATE_DIR": str(work / "state"),
        "CWMOCK_NOW": "2026-01-01T00:15:00Z",
        "CWMOCK_START": "2026-01-01T00:00:00Z",
    }


def modules_imported(work: Path, module: str, *arguments: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -m MODULE ARGUMENTS` for one window in `work`; how it ended, and every module it imported."""
    listing = work / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _LISTING, str(listing), module, *arguments],
        env=window_environment(work),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, set(json.loads(listing.read_text()))
