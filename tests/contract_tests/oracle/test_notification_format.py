"""The judge's notification format check and signature verification, against the golden fixtures."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cwmock.contract_tests.oracle.notification_format import validate_document, validate_notification
from cwmock.fixtures import read_fixture
from cwmock.receiver.signatures import SignatureStatus, sign, verify

MANIFEST: list[dict[str, Any]] = json.loads(read_fixture("golden/manifest.json"))["notifications"]
VECTORS: list[dict[str, Any]] = json.loads(read_fixture("signatures/vectors.json"))["vectors"]
VALID = [entry["file"] for entry in MANIFEST if entry["valid"]]
INVALID = [entry for entry in MANIFEST if not entry["valid"]]


def golden(name: str) -> bytes:
    return read_fixture(f"golden/{name}").encode("utf-8")


def mutated(name: str, change: Any) -> bytes:
    document = json.loads(golden(name))
    change(document)
    return json.dumps(document).encode("utf-8")


@pytest.mark.parametrize("name", ["schemas/notification.schema.json", "schemas/event.schema.json"])
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = json.loads(read_fixture(name))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_the_manifest_covers_the_required_cases() -> None:
    names = {entry["file"] for entry in MANIFEST}
    assert {"valid-1-event.json", "valid-10-events.json"} <= names
    assert {"invalid-11-events.json", "invalid-objectid-number.json", "invalid-date-millis.json"} <= names
    assert all(entry.get("expect") for entry in INVALID), "every invalid golden says what must be reported"


@pytest.mark.parametrize("name", VALID)
def test_golden_valid_notifications_pass(name: str) -> None:
    assert validate_notification(golden(name)) == []


@pytest.mark.parametrize("entry", INVALID, ids=[entry["file"] for entry in INVALID])
def test_golden_invalid_notifications_fail_with_their_labelled_problem(entry: dict[str, Any]) -> None:
    problems = validate_notification(golden(entry["file"]))
    assert any(entry["expect"] in problem for problem in problems), (entry["why"], problems)


def test_ten_events_is_the_limit_and_the_golden_has_exactly_ten() -> None:
    document = json.loads(golden("valid-10-events.json"))
    assert len(document["message"]["events"]) == 10 == len(document["message"]["raw"]["contacts"])


def test_id_field_is_a_dot_path_into_the_record() -> None:
    def nest(document: dict[str, Any]) -> None:
        for record in document["message"]["raw"]["contacts"]:
            record["_info"]["ref"] = str(record["id"])

    body = mutated("valid-10-events.json", nest)
    assert validate_notification(body, id_field="_info.ref") == []
    problems = validate_notification(body, id_field="_info.missing")
    assert any("no record in message.raw.contacts has _info.missing '179'" in problem for problem in problems), problems


def test_every_problem_is_reported_not_just_the_first() -> None:
    def break_twice(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["objectId"] = 179
        document["message"]["instance_id"] = 1

    problems = validate_notification(mutated("valid-1-event.json", break_twice))
    assert len(problems) == 2, problems


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"\xff{}", "body is not UTF-8"),
        (b'{"id": "1", "id": "2"}', "duplicate keys ['id']"),
        (b'{"topic": "t", "id": "1", "id": "2"}', "duplicate keys ['id'] in one JSON object"),
        (b'{"id": NaN}', "NaN is not JSON"),
        (b"[]", "(body): an array of 0 item(s) is not of type 'object'"),
        (b"", "body is not valid JSON"),
    ],
)
def test_bodies_that_are_not_a_json_object(body: bytes, expected: str) -> None:
    problems = validate_notification(body)
    assert any(expected in problem for problem in problems), problems


def test_large_values_are_summarised_in_problems() -> None:
    body = mutated("valid-10-events.json", lambda d: d.update(topic=d["message"]["raw"]["contacts"]))
    problems = validate_notification(body)
    assert problems == ["topic: an array of 10 item(s) is not of type 'string'"]


@pytest.mark.parametrize(
    ("keys", "listed"),
    [
        ("abcdefgh", "['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']"),
        ("ihgfedcba", "['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] ..."),
    ],
)
def test_an_object_in_a_problem_is_summarised_by_its_first_eight_keys(keys: str, listed: str) -> None:
    body = mutated("valid-10-events.json", lambda d: d.update(topic={key: 1 for key in keys}))
    assert validate_notification(body) == [f"topic: an object with keys {listed} is not of type 'string'"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_signature_vectors(vector: dict[str, Any]) -> None:
    body = base64.b64decode(vector["body_base64"])
    if "body" in vector:
        assert body == vector["body"].encode("utf-8")
    assert sign(vector["key"], body, vector["algorithm"]) == vector["header"]
    legacy = vector["algorithm"] == "sha1"
    verdict = verify(vector["header"], body, ["another key", vector["key"]], allow_legacy_sha1=legacy)
    assert (verdict.status, verdict.matched_key_index, verdict.algorithm) == (
        SignatureStatus.VALID,
        1,
        vector["algorithm"],
    )
    assert verify(vector["header"], body + b" ", [vector["key"]], allow_legacy_sha1=legacy).status is (
        SignatureStatus.INVALID
    )


def test_the_published_vector_is_present_verbatim() -> None:
    published = next(vector for vector in VECTORS if vector["name"] == "published")
    assert published["key"] == "MySecretEventSignatureKey"
    assert published["body"] == "<INSERT_EVENT_NOTIFICATION_RESPONSE_BODY>"
    assert published["header"] == "sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ="


def test_legacy_sha1_is_refused_unless_allowed() -> None:
    header = sign("k", b"{}", "sha1")
    verdict = verify(header, b"{}", ["k"])
    assert verdict.status is SignatureStatus.INVALID
    assert "legacy sha1" in verdict.reason


@pytest.mark.parametrize(
    ("header", "keys", "status", "reason"),
    [
        (None, ["k"], SignatureStatus.MISSING, "no Elements-Webhook-Signature header was sent"),
        (None, [], SignatureStatus.UNSIGNED_EXPECTED, "none sent"),
        (sign("k", b"{}"), [], SignatureStatus.UNEXPECTED, "no signature key is configured"),
        (sign("other", b"{}"), ["k"], SignatureStatus.INVALID, "matches none of the 1 configured key(s)"),
        ("jHdbRx5EZAsOfTwAPJOGk", ["k"], SignatureStatus.INVALID, "no '<algorithm>=' prefix"),
        ("md5=AAAA", ["k"], SignatureStatus.INVALID, "unknown algorithm 'md5'"),
        ("sha256=not base64!", ["k"], SignatureStatus.INVALID, "not standard Base64"),
        ("sha256=Zm9vé", ["k"], SignatureStatus.INVALID, "not standard Base64"),
        (" " + sign("k", b"{}"), ["k"], SignatureStatus.INVALID, "unknown algorithm"),
    ],
)
def test_verdicts(header: str | None, keys: list[str], status: SignatureStatus, reason: str) -> None:
    verdict = verify(header, b"{}", keys)
    assert verdict.status is status
    assert reason in verdict.reason
    assert verdict.ok is (status in (SignatureStatus.VALID, SignatureStatus.UNSIGNED_EXPECTED))


def test_the_first_matching_key_is_reported_when_keys_repeat() -> None:
    verdict = verify(sign("b", b"x"), b"x", ["a", "b", "b"])
    assert verdict.matched_key_index == 1


@pytest.mark.parametrize("created", ["Thu Jan 01 00:61:00 UTC 2026", "Thu Jan 01 00:00:61 UTC 2026"])
def test_createdDate_is_a_real_instant_in_every_field(created: str) -> None:
    """Beyond the schema's shape, the minute and the second are read: neither can be 61."""
    problems = validate_notification(mutated("valid-1-event.json", lambda d: d.update(createdDate=created)))
    assert f"createdDate: {created!r} is not a real calendar date" in problems


def test_a_createdDate_with_an_unknown_weekday_is_a_shape_problem_not_a_wrong_weekday() -> None:
    problems = validate_notification(
        mutated("valid-1-event.json", lambda d: d.update(createdDate="Xyz Jan 01 00:00:00 UTC 2026"))
    )
    assert len(problems) == 1, problems
    assert problems[0].startswith("createdDate: 'Xyz Jan 01 00:00:00 UTC 2026' does not match"), problems


def test_pollDate_is_a_real_calendar_instant() -> None:
    def impossible(document: dict[str, Any]) -> None:
        document["message"]["events"][0]["pollDate"] = "2026-02-30T00:00:00Z"

    problems = validate_notification(mutated("valid-1-event.json", impossible))
    assert problems == [
        "message.events[0].pollDate: '2026-02-30T00:00:00Z' is not a real calendar instant in "
        "yyyy-MM-dd'T'HH:mm:ss'Z' form"
    ]


def test_a_parsed_document_is_judged_by_the_default_idField_id() -> None:
    document = json.loads(golden("valid-1-event.json"))
    assert validate_document(document) == []
