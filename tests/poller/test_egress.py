"""Issue 19, breakage 9: the egress guard let `*.localhost` through, and the delivery then resolved it in DNS."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from cwmock.poller.egress import egress_refusal


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8001/hooks", "http://127.9.9.9/x", "http://[::1]:8001/x", "http://localhost:8001/x",
     "http://LOCALHOST/x"],
)  # fmt: skip
def test_literal_loopback_is_delivered_to(url: str) -> None:
    assert egress_refusal(url) is None


@pytest.mark.parametrize(
    "url",
    ["http://app.localhost:8001/x", "http://localhost.:8001/x", "http://a.b.localhost/x", "http://127.1/x",
     "http://localhost.evil.com/x", "http://mycoolapp.com/x", "http://169.254.169.254/x"],
)  # fmt: skip
def test_anything_else_is_held_without_a_lookup(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up: list[Any] = []

    def no_dns(*args: Any, **kwargs: Any) -> Any:
        looked_up.append(args[0])
        raise AssertionError("the egress guard looked a host up")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(socket, "gethostbyname", no_dns)
    refusal = egress_refusal(url)
    assert refusal is not None
    assert "egress guard" in refusal
    assert looked_up == []


def test_a_localhost_subdomain_is_delivered_to_once_allowed() -> None:
    assert egress_refusal("http://app.localhost:8001/x", ("App.Localhost",)) is None
