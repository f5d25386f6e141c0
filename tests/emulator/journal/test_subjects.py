"""The per-instance request log: every hub request of an instance, outside the ring, never evicted."""

from __future__ import annotations

import httpx
import pytest

from cwmock.emulator.app import DEFAULT_START, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.journal.ring import JournalEntry
from cwmock.emulator.journal.subjects import SubjectLog
from cwmock.emulator.model.versions import Moment

pytestmark = pytest.mark.anyio

HUB = "/elements/api-v2/hubs/crm/contacts"
SECRETS = "User cwmock-user-secret, Organization cwmock-organization-secret"


async def test_a_small_ring_drops_entries_the_request_log_keeps() -> None:
    emulator = create_emulator(EmulatorConfig(journal_capacity=3))
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test") as client:
        instance = (await client.post("/__admin/instances", json={"tenant": "cwmock", "name": "qa"})).json()
        auth = f"{SECRETS}, Element {instance['token']}"
        for _ in range(10):
            assert (await client.get(HUB, headers={"Authorization": auth})).status_code == 200
        await client.get(HUB, headers={"Authorization": f"{SECRETS}, Element wrong"})
        journal = (await client.get("/__admin/journal")).json()
        log = (await client.get(f"/__admin/instances/{instance['id']}/requests")).json()
        unattributed = (await client.get("/__admin/requests/unattributed")).json()
    assert journal["dropped"] == 8
    assert [r["seq"] for r in log["requests"]] == sorted(r["seq"] for r in log["requests"])
    assert len(log["requests"]) == 10
    assert log["refused"] == 0
    assert {r["resultEnd"] for r in log["requests"]} == {True}
    assert [(r["status"], r["instance"]) for r in unattributed["requests"]] == [(401, None)]


async def test_an_unknown_instance_has_no_request_log() -> None:
    emulator = create_emulator()
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test") as client:
        assert (await client.get("/__admin/instances/7/requests")).status_code == 404


def _entry(seq: int, instance: int | None, path: str = HUB) -> JournalEntry:
    return JournalEntry(Moment(DEFAULT_START, seq), "GET", path, "", 200, instance=instance)


def test_a_full_log_refuses_and_counts_rather_than_evicting() -> None:
    log = SubjectLog(capacity=2)
    for seq in range(1, 5):
        log.record(_entry(seq, 1))
    kept = log.of_instance(1)
    assert [e.moment.seq for e in kept.entries] == [1, 2]
    assert kept.refused == 2


def test_only_hub_and_native_contact_requests_without_a_subject_are_unattributed() -> None:
    log = SubjectLog()
    log.record(_entry(1, None, "/v4_6_release/apis/3.0/company/contacts"))
    log.record(_entry(2, None))
    log.record(_entry(3, None, "/v4_6_release/apis/3.0/company/companies"))
    assert [e.moment.seq for e in log.unattributed.entries] == [1, 2]
    log.clear()
    assert log.unattributed.entries == []
    assert log.of_instance(1).entries == []
