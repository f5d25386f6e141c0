"""HTTP faults through a real client over a real socket: each kind, its scope, seeds, listing and removal."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock, SystemClock
from cwmock.emulator.app import Emulator, create_emulator
from cwmock.emulator.http.server import BackgroundServer
from cwmock.testing.plugin import native_headers

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
HUB = "/elements/api-v2/hubs/crm/contacts"
NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")


class Live:
    """A served emulator and a real client on it."""

    def __init__(self, emulator: Emulator, client: httpx.Client) -> None:
        self.emulator = emulator
        self.client = client

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        response = self.client.post("/__admin/faults", json=spec)
        assert response.status_code == 201, response.text
        fault: dict[str, Any] = response.json()
        return fault

    def faults(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self.client.get("/__admin/faults").json()
        return listed

    def contacts(self, **params: Any) -> httpx.Response:
        return self.client.get(CONTACTS, params=params, headers=NATIVE)

    def journal_faults(self) -> list[str | None]:
        return [e["fault"] for e in self.client.get("/__admin/journal").json()["entries"]]


@pytest.fixture
def live() -> Iterator[Live]:
    emulator = create_emulator(clock=ManualClock(START))
    with BackgroundServer(emulator.app) as server, httpx.Client(base_url=server.url, timeout=5) as client:
        yield Live(emulator, client)


def seed(live: Live, count: int) -> None:
    for n in range(count):
        live.emulator.store.create_contact("cwmock", {"firstName": f"c{n}"})


def test_status_fault_answers_the_next_n_matching_requests_with_connectwise_errors(live: Live) -> None:
    fault = live.add_fault(kind="status", status=503, path=CONTACTS, times=2)
    statuses = [live.contacts().status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert live.contacts().status_code == 200
    live.add_fault(kind="status", path=CONTACTS, times=1)
    error = live.contacts()
    assert (error.status_code, error.json()) == (
        500,
        {"code": "ConnectWiseApi", "message": "A timeout has occured. Please try again.", "errors": None},
    )
    listed = live.client.get(f"/__admin/faults/{fault['id']}").json()
    assert (listed["matched"], listed["fired"], listed["exhausted"]) == (5, 2, True), (
        "it still counts what it no longer hits"
    )
    assert live.journal_faults() == ["status", "status", None, None, "status"]


def test_rate_limit_sends_retry_after_and_the_connectwise_429_body(live: Live) -> None:
    live.add_fault(kind="rate_limit", retryAfter=7, path="/v4_6_release/*", times=1)
    limited = live.contacts()
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert limited.json() == {"error": "ConnectWiseAPI", "message": "Too many requests. Please try again in 7 seconds."}
    assert live.contacts().status_code == 200
    assert live.journal_faults() == ["rate_limit", None]


def test_malformed_json_is_a_200_whose_body_does_not_parse(live: Live) -> None:
    seed(live, 3)
    live.add_fault(kind="malformed_json", path=CONTACTS, times=1)
    broken = live.contacts()
    assert broken.status_code == 200
    assert broken.headers["content-type"] == "application/json"
    assert int(broken.headers["content-length"]) == len(broken.content) > 0
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    whole = live.contacts()
    assert whole.content.startswith(broken.content), "the body is the real one, cut short"
    assert len(whole.json()) == 3


def test_malformed_json_garbles_even_a_tiny_body(live: Live) -> None:
    live.add_fault(kind="malformed_json", path=CONTACTS)
    broken = live.contacts()
    with pytest.raises(json.JSONDecodeError):
        broken.json()


def test_emulated_latency_moves_the_clock_during_the_request(live: Live) -> None:
    live.add_fault(kind="latency", seconds=90, path=CONTACTS, times=1)
    delayed = live.contacts()
    assert delayed.status_code == 200
    assert parsedate_to_datetime(delayed.headers["date"]) == START + timedelta(seconds=90)
    assert live.emulator.clock.now() == START + timedelta(seconds=90)
    entry = live.client.get("/__admin/journal").json()["entries"][0]
    assert (entry["at"], entry["fault"]) == ("2026-01-01T00:00:00Z", "latency"), "numbered when it arrived"
    live.contacts()
    assert live.emulator.clock.now() == START + timedelta(seconds=90), "only the next request was delayed"


def test_real_latency_holds_the_response(live: Live) -> None:
    live.add_fault(kind="latency", seconds=1.5, mode="real", path=CONTACTS, times=1)
    with pytest.raises(httpx.ReadTimeout):
        live.client.get(CONTACTS, headers=NATIVE, timeout=0.2)
    assert live.contacts().status_code == 200, "fired once only"
    assert live.emulator.clock.now() == START, "real latency leaves the emulated clock alone"


def test_emulated_latency_is_refused_on_the_system_clock() -> None:
    emulator = create_emulator(clock=SystemClock())
    with BackgroundServer(emulator.app) as server, httpx.Client(base_url=server.url) as client:
        refused = client.post("/__admin/faults", json={"kind": "latency", "seconds": 1})
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "mode"
        assert client.post("/__admin/faults", json={"kind": "latency", "seconds": 1, "mode": "real"}).status_code == 201


def test_mutate_between_pages_applies_after_the_nth_page(live: Live) -> None:
    seed(live, 6)
    mutation = {"op": "delete", "tenant": "cwmock", "id": 1}
    live.add_fault(kind="mutate_between_pages", path=CONTACTS, after=1, mutation=mutation)
    pages = [[c["id"] for c in live.contacts(page=page, pageSize=2).json()] for page in (1, 2, 3)]
    assert pages == [[1, 2], [3, 4], [6]], "contact 1 vanished after page 2, so offset paging skipped contact 5"
    listed = live.faults()[0]
    assert (listed["fired"], listed["exhausted"]) == (1, True)
    assert live.journal_faults() == [None, "mutate_between_pages", None]


def test_mutate_between_pages_creates_and_touches_with_explicit_stamps(live: Live) -> None:
    seed(live, 2)
    create = {"op": "create", "tenant": "cwmock", "contact": {"firstName": "late"}, "stamp": "2025-12-31T00:00:00Z"}
    touch = {"op": "touch", "tenant": "cwmock", "id": 2, "stamp": "2026-01-01T00:00:05Z"}
    live.add_fault(kind="mutate_between_pages", path=CONTACTS, mutation=create)
    live.add_fault(kind="mutate_between_pages", path=CONTACTS, mutation=touch)
    first = live.contacts(pageSize=1).json()
    assert [c["id"] for c in first] == [1]
    after = {c["id"]: c["_info"]["lastUpdated"] for c in live.contacts().json()}
    assert after == {1: "2026-01-01T00:00:00Z", 2: "2026-01-01T00:00:05Z", 3: "2025-12-31T00:00:00Z"}


def test_a_mutation_that_cannot_apply_is_reported_on_the_fault(live: Live) -> None:
    live.add_fault(kind="mutate_between_pages", path=CONTACTS, mutation={"op": "delete", "tenant": "cwmock", "id": 9})
    assert live.contacts().status_code == 200, "the page itself is answered normally"
    assert "contact 9 not found" in live.faults()[0]["errors"][0]


def test_patterns_methods_and_regexes_choose_the_requests(live: Live) -> None:
    token = live.emulator.registry.create("cwmock", "t", START).token
    secrets = f"User {live.emulator.config.user_secret}, Organization {live.emulator.config.organization_secret}"
    hub = {"Authorization": f"{secrets}, Element {token}"}
    live.add_fault(kind="status", path="/elements/api-v2/hubs/*")
    live.add_fault(kind="status", status=502, pathRegex=r"/v4_6_release/apis/3\.0/company/contacts/\d+", method="put")
    # On the hub a status fault is the provider failing: the platform reports 502 (docs/emulator/hub.md#errors).
    assert live.client.get(HUB, headers=hub).status_code == 502
    assert live.client.get(f"{HUB}/1", headers=hub).status_code == 502
    assert live.contacts().status_code == 200
    assert live.client.get(f"{CONTACTS}/1", headers=NATIVE).status_code == 404, "GET is not in the PUT fault's scope"
    assert live.client.put(f"{CONTACTS}/1", headers=NATIVE, json={}).status_code == 502
    assert live.client.get("/__admin/faults").status_code == 200, "admin calls are never faulted"


def run_seeded(probability: float, seed_value: int, requests: int) -> list[int]:
    emulator = create_emulator(clock=ManualClock(START))
    with BackgroundServer(emulator.app) as server, httpx.Client(base_url=server.url) as client:
        response = client.post(
            "/__admin/faults",
            json={"kind": "status", "path": CONTACTS, "probability": probability, "seed": seed_value, "after": 2},
        )
        assert response.status_code == 201, response.text
        return [client.get(CONTACTS, headers=NATIVE).status_code for _ in range(requests)]


def test_a_seeded_probability_gives_the_same_hits_every_run() -> None:
    first = run_seeded(0.4, 42, 20)
    assert run_seeded(0.4, 42, 20) == first
    rng = random.Random(42)
    expected = [200, 200] + [500 if rng.random() < 0.4 else 200 for _ in range(18)]
    assert first == expected, "after the skipped requests, one draw of Random(seed) per matching request"
    assert run_seeded(0.4, 7, 20) != first


def test_faults_are_listed_and_removed(live: Live) -> None:
    one = live.add_fault(kind="status", path=CONTACTS)
    two = live.add_fault(kind="rate_limit", path=HUB, times=3, method="GET")
    assert [f["id"] for f in live.faults()] == [one["id"], two["id"]]
    assert two == {
        "id": two["id"],
        "kind": "rate_limit",
        "retryAfter": 30,
        "path": HUB,
        "method": "GET",
        "times": 3,
        "after": 0,
        "probability": None,
        "seed": 0,
        "from": None,
        "until": None,
        "matched": 0,
        "fired": 0,
        "exhausted": False,
    }
    assert live.client.delete(f"/__admin/faults/{one['id']}").status_code == 204
    assert live.contacts().status_code == 200
    assert live.client.delete(f"/__admin/faults/{one['id']}").status_code == 404
    assert live.client.delete("/__admin/faults").status_code == 204
    assert live.faults() == []


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"kind": "earthquake"}, "kind"),
        ({"kind": "status", "status": 404}, None),
        ({"kind": "status", "time": 3}, "time"),
        ({"kind": "status", "probability": 1.5}, "probability"),
        ({"kind": "status", "pathRegex": "("}, "pathRegex"),
        ({"kind": "latency"}, "seconds"),
        ({"kind": "skew", "seconds": 5, "times": 1}, "times"),
        ({"kind": "precision", "precision": "hours"}, None),
        ({"kind": "mutate_between_pages", "mutation": {"op": "update", "tenant": "cwmock", "id": 1}}, "mutation"),
        ({"kind": "mutate_between_pages", "mutation": {"op": "create", "contact": {}}}, "tenant"),
    ],
)
def test_invalid_faults_are_refused_with_the_reason(live: Live, spec: dict[str, Any], field: str | None) -> None:
    response = live.client.post("/__admin/faults", json=spec)
    assert response.status_code == 400, response.text
    if field is not None:
        assert response.json()["errors"][0]["field"] == field
    assert live.faults() == []


def test_skew_offsets_date_and_clock_stamps_but_not_explicit_ones(live: Live) -> None:
    live.add_fault(kind="skew", seconds=3600)
    created = live.client.post(CONTACTS, headers=NATIVE, json={"firstName": "skewed"})
    assert created.json()["_info"]["lastUpdated"] == "2026-01-01T01:00:00Z"
    assert parsedate_to_datetime(created.headers["date"]) == START + timedelta(hours=1)
    explicit = live.client.post(
        "/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "given"}, "stamp": "2025-06-01T00:00:00Z"}
    )
    assert explicit.json()["_info"]["lastUpdated"] == "2025-06-01T00:00:00Z"
    instance = live.client.post("/__admin/instances", json={"tenant": "cwmock", "name": "i"}).json()
    assert instance["createdDate"].startswith("2026-01-01T01:00:00"), "createdDate is server time"
    assert live.journal_faults() == [None], "skew is a policy: the window stays clean"
    live.client.delete("/__admin/faults")
    assert parsedate_to_datetime(live.contacts().headers["date"]) == START
    stored = live.client.get(f"{CONTACTS}/1", headers=NATIVE).json()["_info"]["lastUpdated"]
    assert stored == "2026-01-01T01:00:00Z", "stored stamps keep the skew they were written with"


def test_a_new_skew_replaces_the_old_one(live: Live) -> None:
    live.add_fault(kind="skew", seconds=-30)
    live.add_fault(kind="skew", seconds=10)
    assert [f["seconds"] for f in live.faults()] == [10]
    assert parsedate_to_datetime(live.contacts().headers["date"]) == START + timedelta(seconds=10)


def test_minute_precision_truncates_stamps_when_they_are_written(live: Live) -> None:
    clock = live.emulator.clock
    assert isinstance(clock, ManualClock)
    clock.set(START + timedelta(seconds=45))
    live.add_fault(kind="precision", precision="minutes")
    coarse = live.client.post(CONTACTS, headers=NATIVE, json={"firstName": "coarse"}).json()
    assert coarse["_info"]["lastUpdated"] == "2026-01-01T00:00:00Z"
    explicit = live.client.post(
        "/__admin/tenants/cwmock/contacts", json={"contact": {"firstName": "x"}, "stamp": "2026-01-01T00:00:59Z"}
    )
    assert explicit.json()["_info"]["lastUpdated"] == "2026-01-01T00:00:00Z", "every written stamp is truncated"
    live.client.delete(f"/__admin/faults/{live.faults()[0]['id']}")
    fine = live.client.post(CONTACTS, headers=NATIVE, json={"firstName": "fine"}).json()
    assert fine["_info"]["lastUpdated"] == "2026-01-01T00:00:45Z"
    first = live.client.get(f"{CONTACTS}/{coarse['id']}", headers=NATIVE).json()
    assert first["_info"]["lastUpdated"] == "2026-01-01T00:00:00Z", "stored stamps stay as written"
    assert live.journal_faults() == [None, None, None]


def test_a_fault_scheduled_at_an_emulated_instant_hits_only_from_then_until_its_end(live: Live) -> None:
    fault = live.add_fault(
        kind="status", path=CONTACTS, **{"from": "2026-01-01T00:10:00Z", "until": "2026-01-01T00:20:00Z"}
    )
    assert (fault["from"], fault["until"]) == ("2026-01-01T00:10:00Z", "2026-01-01T00:20:00Z")
    assert live.contacts().status_code == 200, "before its start the fault is not in scope"
    live.emulator.clock.set(START + timedelta(minutes=10))  # type: ignore[attr-defined]
    assert live.contacts().status_code == 500, "from its start (inclusive) it fires"
    live.emulator.clock.set(START + timedelta(minutes=20))  # type: ignore[attr-defined]
    assert live.contacts().status_code == 200, "its end is exclusive"
    listed = live.client.get(f"/__admin/faults/{fault['id']}").json()
    assert (listed["matched"], listed["fired"]) == (1, 1), "requests outside the span are not counted"


@pytest.mark.parametrize(
    ("span", "key"),
    [
        ({"from": "2026-01-01T00:20:00Z", "until": "2026-01-01T00:10:00Z"}, "must be after"),
        ({"from": "yesterday"}, "from"),
        ({"until": "2026-01-01T00:10:00"}, "until"),
    ],
)
def test_a_bad_fault_span_is_refused_with_its_reason(live: Live, span: dict[str, str], key: str) -> None:
    response = live.client.post("/__admin/faults", json={"kind": "status", **span})
    assert response.status_code == 400, response.text
    assert key in response.text
    assert live.faults() == []
