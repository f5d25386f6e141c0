"""The dashboard's lock: the admin token (bearer or session cookie), loopback names only without a token, and no
form posted from another site."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cwmock.dashboard.app import mount_dashboard
from cwmock.dashboard.guard import SESSION_COOKIE, is_loopback_host, session_value
from cwmock.emulator.app import create_emulator
from cwmock.emulator.config import EmulatorConfig

pytestmark = pytest.mark.anyio
TOKEN = "s3cret-admin-token"


@pytest.fixture
async def locked() -> AsyncIterator[httpx.AsyncClient]:
    emulator = create_emulator(EmulatorConfig(admin_token=TOKEN))
    mount_dashboard(emulator)
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.example/__ui") as client:
        yield client


def test_loopback_host_names() -> None:
    for host in ("localhost:8000", "127.0.0.1:8000", "127.1.2.3", "[::1]:8000", "app.localhost"):
        assert is_loopback_host(host), host
    for host in ("example.com", "10.0.0.1:8000", "evil.example:8000", "", "[2001:db8::1]:80"):
        assert not is_loopback_host(host), host


async def test_without_a_token_only_loopback_names_are_answered(ui: httpx.AsyncClient) -> None:
    assert (await ui.get("/")).status_code == 200
    rebound = await ui.get("/", headers={"Host": "evil.example:8000"})
    assert rebound.status_code == 403
    assert "--admin-token" in rebound.text


async def test_a_form_posted_from_another_origin_is_refused(ui: httpx.AsyncClient) -> None:
    form = {"amount": "1", "unit": "minutes"}
    refused = await ui.post("/clock/advance", data=form, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403
    assert (await ui.post("/clock/advance", data=form, headers={"Sec-Fetch-Site": "cross-site"})).status_code == 403
    accepted = await ui.post("/clock/advance", data=form, headers={"Origin": "http://127.0.0.1"})
    assert accepted.status_code == 303


async def test_with_a_token_a_request_without_it_gets_the_login_form_and_nothing_else(
    locked: httpx.AsyncClient,
) -> None:
    response = await locked.get("/tenants/cwmock")
    assert response.status_code == 401
    assert 'name="token"' in response.text
    assert 'value="/__ui/tenants/cwmock"' in response.text, "after signing in, back to the page asked for"
    assert "cloudelements" not in response.text, "no tenant, clock or navigation before signing in"
    assert "Clock" not in response.text
    assert (await locked.post("/clock/advance", data={"amount": "1"})).status_code == 401
    assert (await locked.get("/static/dashboard.css")).status_code == 200, "the login form's stylesheet is open"


async def test_the_bearer_token_opens_the_dashboard(locked: httpx.AsyncClient) -> None:
    assert (await locked.get("/", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 200
    assert (await locked.get("/", headers={"Authorization": "Bearer wrong"})).status_code == 401


async def test_signing_in_sets_a_session_cookie_that_is_not_the_token(locked: httpx.AsyncClient) -> None:
    wrong = await locked.post("/login", data={"token": "nope", "next": "/__ui/faults"})
    assert wrong.status_code == 401
    assert "not the admin token" in wrong.text
    signed = await locked.post("/login", data={"token": TOKEN, "next": "/__ui/faults"})
    assert signed.status_code == 303
    assert signed.headers["location"] == "/__ui/faults"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}={session_value(TOKEN)};")
    assert TOKEN not in cookie
    for attribute in ("HttpOnly", "Path=/__ui", "SameSite=strict"):
        assert attribute.lower() in cookie.lower()
    locked.cookies.clear()
    session = {"Cookie": f"{SESSION_COOKIE}={session_value(TOKEN)}"}
    page = await locked.get("/faults", headers=session)
    assert page.status_code == 200
    assert "Sign out" in page.text
    signed_out = await locked.post("/logout", headers=session)
    assert signed_out.status_code == 303
    assert f'{SESSION_COOKIE}=""' in signed_out.headers["set-cookie"]


async def test_signing_in_never_sends_the_browser_to_another_site(locked: httpx.AsyncClient) -> None:
    for wanted in ("//evil.example/x", "https://evil.example/", "/__admin/reset", "/__ui\\@evil.example"):
        signed = await locked.post("/login", data={"token": TOKEN, "next": wanted})
        assert signed.headers["location"] == "/__ui/", wanted
