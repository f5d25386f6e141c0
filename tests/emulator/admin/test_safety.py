"""Admin safety: loopback by default, a token off loopback, and no admin operation behind the emulated APIs."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timezone

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from cwmock.cli.commands import build_parser
from cwmock.cli.main import main
from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.http.server import LOOPBACK, BackgroundServer, is_loopback
from cwmock.testing.plugin import native_headers

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")
TOKEN = "s3cret-admin-token"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.9.9.9", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("10.1.2.3", False), ("example.com", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_cli_binds_to_loopback_by_default() -> None:
    args = build_parser().parse_args(["emulator"])
    assert (args.host, args.admin_token) == (LOOPBACK, None)


def test_the_cli_refuses_a_public_interface_without_an_admin_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CWMOCK_ADMIN_TOKEN", raising=False)
    served: list[object] = []
    monkeypatch.setattr("cwmock.cli.commands.serve", lambda *args, **_: served.append(args))
    assert main(["emulator", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert served == [], "nothing was served"
    error = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0 without --admin-token" in error
    assert "Authorization: Bearer" in error


@pytest.mark.anyio
async def test_with_a_token_the_cli_serves_and_every_admin_call_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CWMOCK_ADMIN_TOKEN", TOKEN)
    served: list[tuple[object, ...]] = []
    monkeypatch.setattr("cwmock.cli.commands.serve", lambda *args, **_: served.append(args))
    assert main(["emulator", "--host", "0.0.0.0", "--port", "1"]) == 0
    app, host = served[0][:2]
    assert isinstance(app, Starlette)
    assert host == "0.0.0.0"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cw.test") as client:
        assert (await client.get("/__admin/faults")).status_code == 401
        ok = await client.get("/__admin/faults", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200


def test_the_admin_token_option_is_parsed() -> None:
    args: argparse.Namespace = build_parser().parse_args(["up", "--admin-token", "t"])
    assert args.admin_token == "t"


@pytest.fixture
def locked() -> Iterator[tuple[Emulator, str]]:
    emulator = create_emulator(EmulatorConfig(admin_token=TOKEN), ManualClock(START))
    emulator.store.create_contact("cwmock", {"firstName": "kept"})
    with BackgroundServer(emulator.app) as server:
        yield emulator, server.url


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/__admin/faults"),
        ("POST", "/__admin/reset"),
        ("POST", "/__admin/clock/advance"),
        ("GET", "/__admin/snapshot"),
        ("POST", "/__admin/tenants/cwmock/contacts"),
    ],
)
def test_a_locked_admin_api_refuses_calls_without_the_token(
    locked: tuple[Emulator, str], method: str, path: str
) -> None:
    emulator, url = locked
    with httpx.Client(base_url=url) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": "Basic x"}):
            refused = client.request(method, path, headers=headers, json={"seconds": 60})
            assert refused.status_code == 401, (headers, refused.text)
            assert refused.headers["www-authenticate"].startswith("Bearer")
    assert emulator.store.latest_ids("cwmock") == [1]
    assert emulator.clock.now() == START


def test_the_token_opens_the_admin_api_and_the_emulated_apis_never_need_it(locked: tuple[Emulator, str]) -> None:
    _emulator, url = locked
    with httpx.Client(base_url=url) as client:
        assert client.get("/__admin/faults", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200
        assert client.get("/v4_6_release/apis/3.0/company/contacts", headers=NATIVE).status_code == 200


def raw_request(url: str, method: str, target: str) -> int:
    """Send a request line exactly as given (no client-side normalisation) and return the status."""
    host, port = url.removeprefix("http://").split(":")
    with closing(socket.create_connection((host, int(port)), timeout=5)) as sock:
        sock.sendall(
            f"{method} {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}".encode()
        )
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return int(reply.split(b" ", 2)[1])


ADMIN_LIKE = [
    "/v4_6_release/apis/3.0/__admin/reset",
    "/v4_6_release/apis/3.0/company/contacts/__admin/reset",
    "/v4_6_release/apis/3.0/company/contacts/../../../../__admin/reset",
    "/v4_6_release/apis/3.0/company/contacts/..%2F..%2F..%2F..%2F__admin%2Freset",
    "/elements/api-v2/hubs/crm/contacts/__admin/reset",
    "/elements/api-v2/hubs/crm/../../../../__admin/reset",
    "/elements/api-v2/hubs/crm/contacts/%2F__admin%2Freset",
    "/login/companyinfo/__admin",
    "/login/companyinfo/..%2F__admin%2Freset",
    "//__admin/reset",
    "/__ADMIN/reset",
]


def test_no_admin_operation_is_reachable_through_the_emulated_apis() -> None:
    emulator = create_emulator(clock=ManualClock(START))
    emulator.store.create_contact("cwmock", {"firstName": "kept"})
    instance = emulator.registry.create("cwmock", "kept", START)
    with BackgroundServer(emulator.app) as server:
        statuses = {(m, p): raw_request(server.url, m, p) for p in ADMIN_LIKE for m in ("GET", "POST", "DELETE")}
    attempts = len(statuses)
    # The login route answers any company name (JSON null for an unknown one), "__admin" included.
    assert statuses.pop(("GET", "/login/companyinfo/__admin")) == 200
    assert {status for status in statuses.values()} <= {401, 404, 405}, statuses
    assert emulator.store.latest_ids("cwmock") == [1], "no reset, no admin mutation"
    assert [i.id for i in emulator.registry.all()] == [instance.id]
    assert emulator.faults.all() == []
    assert emulator.clock.now() == START
    assert len(emulator.journal.entries()) == attempts, "every attempt was an emulated-API request, journalled"


def test_admin_routes_live_only_under_the_admin_mount() -> None:
    app = create_emulator().app
    mounts = [route for route in app.routes if isinstance(route, Mount)]
    assert [mount.path for mount in mounts] == ["/__admin"]
    for route in app.routes:
        if isinstance(route, Route):
            assert not route.path.lower().startswith("/__admin"), route.path
            # A `{x:path}` parameter could swallow "/__admin/..." segments into an emulated route.
            assert ":path}" not in route.path, route.path
