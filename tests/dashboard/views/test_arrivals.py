"""The receiver's arrivals, grouped by webhook id, with headers (credentials masked), body and signature verdict."""

from __future__ import annotations

import httpx
import pytest

from cwmock.cli.stack import Stack

from support.stack import change_and_poll

pytestmark = pytest.mark.anyio


async def test_a_notification_shows_grouped_with_its_verdict_and_body(
    stack: Stack, stack_ui: httpx.AsyncClient
) -> None:
    assert stack.receiver is not None
    stack.receiver.script(500)
    await change_and_poll(stack, after=840 + 8)  # the first retry is 8 s after the window
    first, second = stack.receiver.arrivals()
    assert first.webhook_id == second.webhook_id
    page = await stack_ui.get("/arrivals")
    assert page.text.count('<article class="delivery"') == 1
    assert "2 arrival(s)" in page.text
    assert "answered 500" in page.text
    assert "answered 200" in page.text
    assert ">valid</span>" in page.text
    assert "&#34;firstName&#34;: &#34;Ada&#34;" in page.text, "the body is shown as indented JSON"
    assert "Body of arrival #2 (JSON)" in page.text


async def test_credential_headers_of_an_arrival_are_masked(stack: Stack, stack_ui: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(base_url=stack.receiver_url) as client:
        await client.post("/elsewhere", content=b"not json \xff", headers={"Authorization": "Bearer very-secret"})
    page = await stack_ui.get("/arrivals")
    assert "very-secret" not in page.text
    assert "Bearer ••••••••" in page.text
    assert "bytes, not UTF-8" in page.text


async def test_without_a_receiver_the_page_says_so(ui: httpx.AsyncClient) -> None:
    page = await ui.get("/arrivals")
    assert page.status_code == 404
    assert "no webhook receiver runs in this process" in page.text
