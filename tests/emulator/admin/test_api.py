"""The admin API over HTTP (in-process): mutations, history, journal, instances, reset, snapshots, the clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.testing.plugin import native_headers

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START, quiesce_timeout=0.5)


@pytest.fixture
def emulator(clock: ManualClock) -> Emulator:
    return create_emulator(EmulatorConfig(journal_capacity=5), clock)


@pytest.fixture
async def admin(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        yield client


async def create(admin: httpx.AsyncClient, body: dict[str, Any], **options: Any) -> dict[str, Any]:
    response = await admin.post("/__admin/tenants/cwmock/contacts", json={"contact": body, **options})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def history(admin: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await admin.get("/__admin/history", params=params)
    assert response.status_code == 200, response.text
    versions: list[dict[str, Any]] = response.json()["versions"]
    return versions


async def test_mutations_need_no_credentials_and_take_explicit_stamps(admin: httpx.AsyncClient) -> None:
    created = await create(admin, {"firstName": "Ada"}, stamp="2025-12-31T23:59:58Z", updatedBy="Admin1")
    assert created["_info"] == {"lastUpdated": "2025-12-31T23:59:58Z", "updatedBy": "Admin1"}
    url = f"/__admin/tenants/cwmock/contacts/{created['id']}"
    replaced = await admin.put(url, json={"contact": {"firstName": "Ada", "lastName": "L"}})
    assert replaced.json()["_info"]["lastUpdated"] == "2026-01-01T00:00:00Z", "the clock's time by default"
    patched = await admin.patch(url, json={"operations": [{"op": "replace", "path": "title", "value": "Countess"}]})
    assert patched.json()["title"] == "Countess"
    assert (await admin.delete(url)).status_code == 204
    assert (await admin.get(CONTACTS, headers=NATIVE)).json() == []


async def test_admin_errors_name_the_problem(admin: httpx.AsyncClient) -> None:
    missing = await admin.post("/__admin/tenants/cwmock/contacts", json={"firstName": "no wrapper"})
    assert (missing.status_code, missing.json()["errors"][0]["field"]) == (400, "contact")
    bad_stamp = await admin.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "a"}, "stamp": "x"})
    assert bad_stamp.json()["errors"][0]["field"] == "stamp"
    naive = await admin.post(
        "/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "a"}, "stamp": "2026-01-01T00:00:00"}
    )
    assert "timezone" in naive.json()["errors"][0]["message"]
    unknown = await admin.post("/__admin/tenants/nobody/contacts", json={"contact": {"firstName": "a"}})
    assert unknown.status_code == 404
    assert "cwmock" in unknown.json()["message"], "the error lists the known tenants"


async def test_bulk_create_is_reproducible_from_its_seed(admin: httpx.AsyncClient, emulator: Emulator) -> None:
    first = await admin.post("/__admin/tenants/cwmock/contacts/bulk", json={"count": 50, "seed": 7})
    assert first.status_code == 201
    assert first.json()["ids"] == list(range(1, 51))
    contacts = emulator.store.list_contacts("cwmock")
    other = create_emulator(clock=ManualClock(START))
    transport = httpx.ASGITransport(app=other.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        await client.post("/__admin/tenants/cwmock/contacts/bulk", json={"count": 50, "seed": 7})
    assert other.store.list_contacts("cwmock") == contacts
    assert all("company" in c and c["communicationItems"] for c in contacts)


async def test_touch_rewrites_n_contacts_at_one_instant(admin: httpx.AsyncClient, emulator: Emulator) -> None:
    await admin.post("/__admin/tenants/cwmock/contacts/bulk", json={"count": 5, "stamp": "2025-06-01T00:00:00Z"})
    before = {c["id"]: c for c in emulator.store.list_contacts("cwmock")}
    touched = await admin.post(
        "/__admin/tenants/cwmock/contacts/touch", json={"count": 3, "stamp": "2025-07-01T10:00:00Z"}
    )
    assert touched.json() == {"ids": [1, 2, 3]}
    after = {c["id"]: c for c in emulator.store.list_contacts("cwmock")}
    for contact_id in (1, 2, 3):
        assert after[contact_id]["_info"]["lastUpdated"] == "2025-07-01T10:00:00Z"
        assert {k: v for k, v in after[contact_id].items() if k != "_info"} == {
            k: v for k, v in before[contact_id].items() if k != "_info"
        }
    assert after[4] == before[4]
    by_ids = await admin.post("/__admin/tenants/cwmock/contacts/touch", json={"ids": [5]})
    assert by_ids.json() == {"ids": [5]}


async def test_visibility_delay_hides_a_change_until_stamp_plus_delay(admin: httpx.AsyncClient) -> None:
    await admin.put("/__admin/tenants/cwmock/visibility-delay", json={"seconds": 30})
    created = await create(admin, {"firstName": "Late"})
    assert (await admin.get(CONTACTS, headers=NATIVE)).json() == [], "not visible before T + d"
    [version] = await history(admin, id=created["id"])
    assert version["stamp"] == "2026-01-01T00:00:00Z"
    assert version["visibleFrom"] == "2026-01-01T00:00:30Z"
    assert version["becameVisible"] is None

    await admin.post("/__admin/clock/advance", json={"seconds": 29})
    assert (await admin.get(CONTACTS, headers=NATIVE)).json() == []
    await admin.post("/__admin/clock/advance", json={"seconds": 1})
    listed = (await admin.get(CONTACTS, headers=NATIVE)).json()
    assert [c["firstName"] for c in listed] == ["Late"]
    [version] = await history(admin, id=created["id"])
    assert version["becameVisible"]["at"] == "2026-01-01T00:00:30Z"
    assert version["becameVisible"]["seq"] > version["written"]["seq"]


async def test_a_per_write_delay_and_write_order_per_contact(admin: httpx.AsyncClient) -> None:
    created = await create(admin, {"firstName": "v1"})
    url = f"/__admin/tenants/cwmock/contacts/{created['id']}"
    await admin.post("/__admin/clock/advance", json={"seconds": 10})
    await admin.put(url, json={"contact": {"firstName": "v2"}, "visibleAfter": 60})
    await admin.post("/__admin/clock/advance", json={"seconds": 1})
    await admin.put(url, json={"contact": {"firstName": "v3"}})
    shown = (await admin.get(f"{CONTACTS}/{created['id']}", headers=NATIVE)).json()
    assert shown["firstName"] == "v1", "v3 cannot commit before v2, which waits until 00:01:10"
    await admin.post("/__admin/clock/advance", json={"seconds": 60})
    shown = (await admin.get(f"{CONTACTS}/{created['id']}", headers=NATIVE)).json()
    assert shown["firstName"] == "v3"
    versions = await history(admin, id=created["id"])
    assert [v["stamp"] for v in versions] == ["2026-01-01T00:00:00Z", "2026-01-01T00:00:10Z", "2026-01-01T00:00:11Z"]
    assert versions[0]["supersededAt"]["at"] == "2026-01-01T00:01:10Z"
    assert versions[1]["becameVisible"]["at"] == versions[2]["becameVisible"]["at"] == "2026-01-01T00:01:10Z"
    assert versions[1]["supersededAt"]["seq"] == versions[2]["becameVisible"]["seq"]


async def test_same_stamp_writes_extend_one_version_and_deletes_close_it(admin: httpx.AsyncClient) -> None:
    created = await create(admin, {"firstName": "a"})
    url = f"/__admin/tenants/cwmock/contacts/{created['id']}"
    await admin.put(url, json={"contact": {"firstName": "b"}})
    await admin.post("/__admin/clock/advance", json={"seconds": 2})
    assert (await admin.delete(url)).status_code == 204
    [version] = await history(admin, id=created["id"])
    assert version["writes"] == 2
    assert version["deletedAt"]["at"] == "2026-01-01T00:00:02Z"
    assert version["supersededAt"] is None


async def test_history_filters_by_time(admin: httpx.AsyncClient) -> None:
    for stamp in ("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"):
        await create(admin, {"firstName": "x"}, stamp=stamp)
    found = await history(admin, since="2025-01-15T00:00:00Z", until="2025-02-15T00:00:00Z")
    assert [v["stamp"] for v in found] == ["2025-02-01T00:00:00Z"]


async def test_seed_from_a_fixture_or_a_list(admin: httpx.AsyncClient, emulator: Emulator) -> None:
    seeded = await admin.post("/__admin/tenants/cloudelements/seed", json={"fixture": "contacts/sample.json"})
    assert len(seeded.json()["ids"]) == 12
    listed = await admin.post("/__admin/tenants/cwmock/seed", json={"contacts": [{"firstName": "One"}]})
    assert listed.json() == {"ids": [1]}
    missing = await admin.post("/__admin/tenants/cwmock/seed", json={"fixture": "contacts/none.json"})
    assert (missing.status_code, missing.json()["errors"][0]["field"]) == (400, "fixture")


async def test_reset_one_tenant_or_all(admin: httpx.AsyncClient, emulator: Emulator) -> None:
    await create(admin, {"firstName": "mine"})
    await admin.post("/__admin/tenants/cloudelements/contacts", json={"contact": {"firstName": "theirs"}})
    await admin.post("/__admin/instances", json={"tenant": "cwmock", "name": "i"})
    await admin.post("/__admin/reset", json={"tenant": "cwmock"})
    assert emulator.store.list_contacts("cwmock") == []
    assert len(emulator.store.list_contacts("cloudelements")) == 1
    assert (await admin.get("/__admin/instances")).json() == []
    await admin.post("/__admin/reset")
    assert emulator.store.list_contacts("cloudelements") == []


async def test_snapshot_and_restore_round_trip(admin: httpx.AsyncClient, emulator: Emulator) -> None:
    await admin.post("/__admin/tenants/cwmock/contacts/bulk", json={"count": 3})
    await admin.put("/__admin/tenants/cwmock/visibility-delay", json={"seconds": 5})
    await create(admin, {"firstName": "pending"})
    instance = (await admin.post("/__admin/instances", json={"tenant": "cwmock", "name": "snap"})).json()
    snapshot = (await admin.get("/__admin/snapshot")).json()

    await admin.post("/__admin/reset")
    await create(admin, {"firstName": "noise"})
    restored = await admin.post("/__admin/restore", json=snapshot)
    assert restored.status_code == 200, restored.text
    assert (await admin.get("/__admin/snapshot")).json()["tenants"] == snapshot["tenants"]
    assert [c["firstName"] for c in emulator.store.list_contacts("cwmock")][-1] != "pending", "still pending"
    await admin.post("/__admin/clock/advance", json={"seconds": 5})
    assert emulator.store.list_contacts("cwmock")[-1]["firstName"] == "pending"
    assert (await admin.get(f"/__admin/instances/{instance['id']}")).json()["token"] == instance["token"]
    again = (await admin.post("/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "n"}})).json()
    assert again["id"] == 5, "id counters are restored too"
    damaged = await admin.post("/__admin/restore", json={"format": "nope"})
    assert damaged.status_code == 400


async def test_instances_registry(admin: httpx.AsyncClient) -> None:
    created = await admin.post("/__admin/instances", json={"tenant": "CloudElements", "name": "one", "tags": ["t"]})
    assert created.status_code == 201
    body = created.json()
    assert body["id"] == 1
    assert body["tenant"] == "cloudelements"
    assert body["createdDate"] == "2026-01-01T00:00:00Z"
    assert len(body["token"]) == 44
    assert (await admin.get("/__admin/instances/1")).json() == body
    assert [i["id"] for i in (await admin.get("/__admin/instances")).json()] == [1]
    assert (await admin.delete("/__admin/instances/1")).status_code == 204
    assert (await admin.get("/__admin/instances/1")).status_code == 404
    bad = await admin.post("/__admin/instances", json={"tenant": "nobody", "name": "x"})
    assert bad.status_code == 404


async def test_instance_tokens_come_from_a_seedable_source() -> None:
    tokens = []
    for _ in range(2):
        emulator = create_emulator(EmulatorConfig(instance_seed=42))
        tokens.append(emulator.registry.create("cwmock", "x", START).token)
    assert tokens[0] == tokens[1]
    assert create_emulator(EmulatorConfig(instance_seed=43)).registry.create("cwmock", "x", START).token != tokens[0]


async def test_journal_numbers_requests_keeps_a_ring_and_counts_drops(admin: httpx.AsyncClient) -> None:
    for page in range(7):
        await admin.get(CONTACTS, headers=NATIVE, params={"page": page + 1})
    await admin.get("/login/companyinfo/cwmock")
    journal = (await admin.get("/__admin/journal")).json()
    assert journal["capacity"] == 5
    assert journal["dropped"] == 3
    entries = journal["entries"]
    assert [e["query"] for e in entries[:4]] == [f"page={n}" for n in range(4, 8)]
    assert entries[0]["tenant"] == "cwmock"
    assert entries[0]["status"] == 200
    assert entries[0]["at"] == "2026-01-01T00:00:00Z"
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    only_login = (await admin.get("/__admin/journal", params={"path": "/login"})).json()["entries"]
    assert [e["path"] for e in only_login] == ["/login/companyinfo/cwmock"]
    assert all(not e["path"].startswith("/__admin") for e in entries), "admin calls are not journalled"
    assert (await admin.delete("/__admin/journal")).status_code == 204
    assert (await admin.get("/__admin/journal")).json()["entries"] == []


async def test_clock_read_set_freeze_follow(admin: httpx.AsyncClient) -> None:
    status = (await admin.get("/__admin/clock")).json()
    assert (status["now"], status["mode"], status["state"]) == ("2026-01-01T00:00:00Z", "frozen", "ready")
    moved = await admin.post("/__admin/clock/set", json={"instant": "2026-02-01T00:00:00Z"})
    assert moved.json()["now"] == "2026-02-01T00:00:00Z"
    back = await admin.post("/__admin/clock/set", json={"instant": "2026-01-01T00:00:00Z"})
    assert back.status_code == 400
    assert "allow" in back.json()["message"].lower()
    allowed = await admin.post("/__admin/clock/set", json={"instant": "2026-01-01T00:00:00Z", "allowBackwards": True})
    assert allowed.json()["now"] == "2026-01-01T00:00:00Z"
    following = await admin.post("/__admin/clock/follow", json={"speed": 2})
    assert following.json()["mode"] == "following"
    frozen = await admin.post("/__admin/clock/freeze")
    assert frozen.json()["mode"] == "frozen"
    both = await admin.post("/__admin/clock/advance", json={"seconds": 1, "to": "2027-01-01T00:00:00Z"})
    assert both.status_code == 400


async def test_advance_over_http_wakes_an_external_follower_at_each_instant(
    admin: httpx.AsyncClient, clock: ManualClock
) -> None:
    seen: list[str] = []

    async def external_follower() -> None:
        due = START
        for _ in range(4):
            due += timedelta(minutes=15)
            until = due.isoformat().replace("+00:00", "Z")
            answer = await admin.get("/__admin/clock/wait", params={"until": until, "timeout": 10, "follower": "ext"})
            assert answer.json()["reached"] is True
            seen.append(answer.json()["now"])
        await admin.delete("/__admin/clock/followers/ext")

    task = asyncio.create_task(external_follower())
    for _ in range(100):  # let the follower's first long-poll register before advancing
        if clock.next_deadline() is not None:
            break
        await asyncio.sleep(0)
    advanced = await admin.post("/__admin/clock/advance", json={"seconds": 3600})
    await task
    assert advanced.status_code == 200, advanced.text
    assert seen == ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"]
    assert advanced.json()["steps"] == seen
    assert advanced.json()["now"] == "2026-01-01T01:00:00Z"


async def test_a_follower_that_never_waits_again_fails_the_advance_loudly(
    admin: httpx.AsyncClient, clock: ManualClock
) -> None:
    poll = asyncio.create_task(
        admin.get("/__admin/clock/wait", params={"until": "2026-01-01T00:01:00Z", "timeout": 10, "follower": "stuck"})
    )
    for _ in range(100):
        if clock.next_deadline() is not None:
            break
        await asyncio.sleep(0)
    advanced = await admin.post("/__admin/clock/advance", json={"seconds": 120})
    assert advanced.status_code == 504
    assert "stuck" in advanced.json()["message"]
    assert (await poll).json()["reached"] is True
    await admin.delete("/__admin/clock/followers/stuck")


async def test_long_poll_times_out_when_nobody_advances(admin: httpx.AsyncClient) -> None:
    answer = await admin.get("/__admin/clock/wait", params={"until": "2027-01-01T00:00:00Z", "timeout": 0.05})
    assert answer.json() == {"reached": False, "now": "2026-01-01T00:00:00Z"}
    bad = await admin.get("/__admin/clock/wait", params={"until": "soon"})
    assert bad.status_code == 400
