"""Form fields read into typed values; a bad one is named in the error."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from starlette.requests import Request

from cwmock.dashboard.forms import Form, FormError


def request_with(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> Request:
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-type", content_type.encode())]}
    return Request(scope, receive)


@pytest.mark.anyio
async def test_a_urlencoded_body_is_read() -> None:
    form = await Form.read(request_with(b"amount=15&unit=minutes&empty="))
    assert form.number("amount") == 15
    assert form.text("unit") == "minutes"
    assert form.text("empty") is None
    assert form.checked("empty")
    assert not form.checked("absent")


@pytest.mark.anyio
async def test_another_content_type_is_refused() -> None:
    with pytest.raises(FormError, match="application/x-www-form-urlencoded"):
        await Form.read(request_with(b"{}", "application/json"))


def test_numbers_are_checked_and_named() -> None:
    form = Form({"a": "x", "b": "-1", "c": "inf", "d": "2.5"})
    with pytest.raises(FormError, match="Amount must be a number, got 'x'"):
        form.number("a", label="Amount")
    with pytest.raises(FormError, match="at least 0"):
        form.number("b")
    assert form.number("b", minimum=None) == -1
    with pytest.raises(FormError, match="finite"):
        form.number("c")
    with pytest.raises(FormError, match="whole number"):
        form.integer("d")
    with pytest.raises(FormError) as raised:
        form.text("missing", required=True, label="First name")
    assert raised.value.field == "missing"
    assert str(raised.value) == "First name is required"


def test_instants_take_iso_or_a_browsers_datetime_local_as_utc() -> None:
    form = Form({"iso": "2026-01-01T00:15:00+01:00", "local": "2026-01-01T00:15:30", "bad": "tomorrow"})
    assert form.instant("iso") == datetime(2025, 12, 31, 23, 15, tzinfo=timezone.utc)
    assert form.instant("local") == datetime(2026, 1, 1, 0, 15, 30, tzinfo=timezone.utc)
    with pytest.raises(FormError, match="2026-01-01T00:15:00Z"):
        form.instant("bad")


def test_json_objects_and_lists_of_ids() -> None:
    form = Form({"body": '{"firstName": "Ada"}', "list": "[1]", "broken": "{", "ids": "1, 2 3", "bad": "1,x"})
    assert form.json_object("body") == {"firstName": "Ada"}
    with pytest.raises(FormError, match="must be a JSON object"):
        form.json_object("list")
    with pytest.raises(FormError, match="not valid JSON"):
        form.json_object("broken")
    assert form.integers("ids") == [1, 2, 3]
    with pytest.raises(FormError, match="separated by commas"):
        form.integers("bad")
