"""What a short-lived process does first: import httpx without its own command line (httpx still works), and build
no TLS context it would not use."""

from __future__ import annotations

import ssl
import subprocess
import sys
from importlib.util import find_spec

import pytest

from cwmock.core.startup import tls_verification

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


def test_a_client_of_https_urls_verifies_with_httpx_s_default() -> None:
    assert tls_verification("http://127.0.0.1:8000/elements/api-v2", "HTTPS://receiver.example/hook") is True


def test_a_plain_http_client_gets_a_context_that_trusts_no_certificate() -> None:
    context = tls_verification("http://127.0.0.1:8000/elements/api-v2", "http://127.0.0.1:8001/hook")
    assert isinstance(context, ssl.SSLContext)
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert context.cert_store_stats()["x509_ca"] == 0, "no CA bundle loaded: an HTTPS server would be refused"
