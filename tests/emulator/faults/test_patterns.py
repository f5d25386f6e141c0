"""Issue 19, breakage 6: a `pathRegex` fault with catastrophic backtracking used to pin the event loop for good."""

from __future__ import annotations

import threading

import pytest

from cwmock.emulator.faults.scope import PathPattern

from support.in_process import client_of, whole_emulator

pytestmark = pytest.mark.anyio


def finishes_within(seconds: float, work: object) -> bool:
    """Whether `work()` returns within `seconds` of wall time (a backtracking regex would run for hours)."""
    assert callable(work)
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def test_a_catastrophic_path_regex_matches_in_linear_time() -> None:
    pattern = PathPattern.of(path_regex="/(a|aa)+$")
    path = "/" + "a" * 5000 + "b"
    assert finishes_within(10, lambda: pattern.matches(path)), "the regex backtracked"
    assert pattern.matches(path) is False
    assert pattern.matches("/aaaa") is True


async def test_the_server_answers_every_request_with_such_a_fault_listed() -> None:
    async with client_of(whole_emulator()) as client:
        added = await client.post("/__admin/faults", json={"kind": "status", "status": 503, "pathRegex": "/(a|aa)+$"})
        assert added.status_code == 201, added.text
        assert (await client.get("/" + "a" * 5000 + "b")).status_code == 404
        assert (await client.get("/aaaa")).status_code == 503
        assert (await client.get("/__admin/faults")).status_code == 200


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ({"pathRegex": r"(a)\1"}, "backreferences"),
        ({"pathRegex": "(?=a)a"}, "lookaround"),
        ({"pathRegex": "x" * 1001}, "the maximum is 1000"),
        ({"path": "*" * 1001}, "the maximum is 1000"),
    ],
)
async def test_patterns_that_cannot_be_matched_in_linear_time_are_refused(spec: dict[str, str], why: str) -> None:
    async with client_of(whole_emulator()) as client:
        response = await client.post("/__admin/faults", json={"kind": "status", **spec})
        assert response.status_code == 400, response.text
        assert why in response.text
        assert response.json()["errors"][0]["field"] == next(iter(spec))
        assert (await client.get("/__admin/faults")).json() == []


async def test_existing_regex_faults_keep_working() -> None:
    async with client_of(whole_emulator()) as client:
        spec = {"kind": "status", "status": 502, "pathRegex": r"/v4_6_release/apis/3\.0/company/contacts/\d+"}
        assert (await client.post("/__admin/faults", json=spec)).status_code == 201
        assert (await client.get("/v4_6_release/apis/3.0/company/contacts/12")).status_code == 502
        assert (await client.get("/v4_6_release/apis/3.0/company/contacts")).status_code == 401
