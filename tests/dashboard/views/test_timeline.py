"""The live verdict of an instance our poller polls, drawn as a timeline; and as a file to download."""

from __future__ import annotations

import httpx
import pytest

from cwmock.cli.stack import Stack

from support.stack import advance, change_and_poll

pytestmark = pytest.mark.anyio


async def test_the_delivered_version_is_on_the_timeline(stack: Stack, stack_ui: httpx.AsyncClient) -> None:
    created = await change_and_poll(stack)
    page = await stack_ui.get("/instances/1/timeline")
    assert page.status_code == 200
    assert "PASS instance 1: 1 required version(s), 1 delivery(ies) from 1 arrival(s), 1 window(s)" in page.text
    row = f"<tr><td>contact {created['id']}</td><td>2026-01-01T00:01:00Z</td><td>required (window 1)</td>"
    assert row in page.text
    assert "delivered: delivery 1" in page.text
    assert "<svg" in page.text
    assert "12 version(s) stamped at or before s₀" in page.text, "the seeded contacts are left out"


async def test_a_faulted_window_is_drawn_unclean_and_the_version_required_by_the_next(
    stack: Stack, stack_ui: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(base_url=stack.emulator_url, timeout=30) as client:
        fault = {"kind": "status", "status": 503, "times": 1, "path": "/elements/api-v2/hubs/*"}
        assert (await client.post("/__admin/faults", json=fault)).status_code == 201
    await change_and_poll(stack, after=1800)
    page = await stack_ui.get("/instances/1/timeline")
    assert 'class="band faulted"' in page.text
    assert "required (window 2)" in page.text
    assert "PASS instance 1: 1 required version(s)" in page.text


async def test_the_windows_match_the_emulators_numbering(stack: Stack) -> None:
    await advance(stack, 1800)
    assert stack.supervisor is not None
    first, second = stack.supervisor.windows(1)
    assert (first.index, second.index) == (1, 2)
    assert first.start.isoformat() == "2026-01-01T00:15:00+00:00"
    assert first.begin_seq < first.end_seq <= second.begin_seq < second.end_seq
    journal = [entry for entry in stack.emulator.journal.entries() if entry.instance == 1]
    assert [first.begin_seq < e.moment.seq <= first.end_seq for e in journal].count(True) == 1
    assert not first.crashed


async def test_the_download_is_a_self_contained_page(stack: Stack, stack_ui: httpx.AsyncClient) -> None:
    await advance(stack, 900)
    download = await stack_ui.get("/instances/1/timeline.html")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="cwmock-instance-1-timeline.html"'
    assert download.text.startswith("<!DOCTYPE html>")
    assert "<script" not in download.text
    assert 'href="/' not in download.text


async def test_an_instance_for_another_poller_cannot_be_judged_here(stack: Stack, stack_ui: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(base_url=stack.emulator_url) as client:
        created = await client.post("/__admin/instances", json={"tenant": "cwmock", "name": "theirs"})
    page = await stack_ui.get(f"/instances/{created.json()['id']}/timeline")
    assert "is not polled by our poller in this process" in page.text
    assert "cwmock contract" in page.text
    assert (await stack_ui.get("/instances/99/timeline")).status_code == 404
