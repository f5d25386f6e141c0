"""`skip_httpx_cli`: a short-lived process imports httpx without httpx's own command line, and httpx still works."""

from __future__ import annotations

import subprocess
import sys
from importlib.util import find_spec

import pytest

HTTPX_CLI = ("click", "rich", "pygments")
# With its command line's dependencies missing, httpx never imports it: nothing to keep out.
needs_the_cli = pytest.mark.skipif(
    not all(find_spec(name) for name in HTTPX_CLI), reason="httpx's CLI dependencies are not installed"
)


def run_fresh(code: str) -> list[str]:
    """The output lines of `code` run in a new interpreter (this one has imported httpx already)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.splitlines()


@needs_the_cli
def test_httpx_imports_its_cli_unless_kept_out() -> None:
    probe = """
import sys
{first}
import httpx
client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json={{"ok": True}})))
print(client.get("http://hub.example/contacts").json()["ok"])
print(sorted({{name.split(".")[0] for name in sys.modules}} & {{"click", "rich", "pygments"}}))
print(sys.modules.get("httpx._main") is not None)
"""
    assert run_fresh(probe.format(first="")) == ["True", "['click', 'pygments', 'rich']", "True"]
    kept_out = "from cwmock.core.startup import skip_httpx_cli\nskip_httpx_cli()"
    assert run_fresh(probe.format(first=kept_out)) == ["True", "[]", "False"]


@needs_the_cli
def test_once_httpx_is_imported_it_changes_nothing() -> None:
    code = """
import sys, httpx
from cwmock.core.startup import skip_httpx_cli
skip_httpx_cli()
print(sys.modules["httpx._main"] is not None, httpx.main is sys.modules["httpx._main"].main)
"""
    assert run_fresh(code) == ["True True"]
