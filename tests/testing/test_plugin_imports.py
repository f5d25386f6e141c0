"""The pytest plugin costs a session that uses none of its fixtures next to nothing: pytest loads it in every session
of an environment where cwmock is installed, and it imports the emulator, the harness, httpx and respx only when a
fixture that needs them runs (it took about 0.45 s of CPU per session when it imported them all up front)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# What a session that uses no cwmock fixture must not import because of the plugin.
HEAVY = ("cwmock.emulator", "cwmock.poller", "cwmock.receiver", "cwmock.contract_tests.harness.runner")
THIRD_PARTY = ("httpx", "respx", "starlette", "uvicorn", "cryptography", "trustme")

PROBE = """
import sys

import cwmock.testing.plugin

heavy = {heavy!r}
print(sorted(name for name in sys.modules if name.startswith(heavy) or name.split(".")[0] in heavy))
"""

UNRELATED_TEST = """
import sys


def test_nothing_of_cwmock_is_loaded_for_a_test_that_uses_none_of_it():
    loaded = sorted(name for name in sys.modules if name.startswith({heavy!r}))
    assert loaded == []
"""

USING_A_FIXTURE = """
def test_a_fixture_still_brings_what_it_needs(cwmock_headers, cwmock_emulator):
    assert "clientId" in cwmock_headers
    assert cwmock_emulator.store is not None
"""


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def run_pytest(folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """A pytest session of `files` in `folder`, with its own temporary root, in a fresh interpreter."""
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    argv += ["--basetemp", str(folder / f"basetemp-{len(files)}"), *files]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False, cwd=folder)


def test_importing_the_plugin_imports_none_of_the_heavy_parts() -> None:
    assert run_python(PROBE.format(heavy=HEAVY + THIRD_PARTY)) == "[]"


def test_a_session_that_uses_no_fixture_loads_none_of_cwmocks_parts(tmp_path: Path) -> None:
    (tmp_path / "test_unrelated.py").write_text(UNRELATED_TEST.format(heavy=HEAVY))
    (tmp_path / "test_using.py").write_text(USING_A_FIXTURE)
    done = run_pytest(tmp_path, "test_unrelated.py")
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_pytest(tmp_path, "test_using.py", "test_unrelated.py")
    # The fixture test runs first and loads the emulator: the unrelated test, after it, must then see it loaded.
    assert "1 passed, 1 failed" in done.stdout or "1 failed, 1 passed" in done.stdout, done.stdout + done.stderr
