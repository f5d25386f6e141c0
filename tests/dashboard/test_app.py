"""The dashboard served beside the admin API: its own pages, files and errors; not journalled, never faulted."""

from __future__ import annotations

import re

import httpx
import pytest

from cwmock.emulator.app import Emulator

pytestmark = pytest.mark.anyio


async def test_the_pages_fetch_nothing_from_another_host(ui: httpx.AsyncClient) -> None:
    for path in ("/", "/tenants/cwmock", "/faults"):
        page = await ui.get(path)
        assert page.status_code == 200, path
        references = re.findall(r'(?:src|href|action)="([^"]*)"', page.text)
        assert references, path
        assert all(ref.startswith(("/__ui/", "#")) for ref in references), (path, references)


async def test_the_stylesheet_and_script_are_served_from_the_package(ui: httpx.AsyncClient) -> None:
    css = await ui.get("/static/dashboard.css")
    js = await ui.get("/static/live.js")
    assert css.headers["content-type"].startswith("text/css")
    assert js.headers["content-type"].startswith("text/javascript")
    assert "data-live" in js.text
    assert (await ui.get("/static/missing.js")).status_code == 404


async def test_an_unknown_page_is_an_html_404(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Back to the overview" in response.text


async def test_dashboard_requests_are_neither_journalled_nor_faulted(emulator: Emulator, ui: httpx.AsyncClient) -> None:
    emulator.faults.clear()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app), base_url="http://127.0.0.1") as raw:
        added = await raw.post("/__admin/faults", json={"kind": "status", "status": 503})
        assert added.status_code == 201
    before = emulator.store.sequence
    assert (await ui.get("/")).status_code == 200
    assert (await ui.post("/tenants/cwmock/contacts", data={"firstName": "Ada"})).status_code == 303
    assert emulator.journal.entries() == []
    assert emulator.store.sequence == before + 2, "the write is numbered (a write and its visibility), the pages not"
