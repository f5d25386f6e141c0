"""A zoo poller runs once per window, as its own process: what it imports is paid every window, so it imports only
what a window needs (the standard library's HTTP client, the URL templates without the instance model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.start_paths import modules_imported

NOT_NEEDED = {"httpx", "httpcore", "cwmock.core.instance.config", "cwmock.core.validation", "cwmock.fixtures"}


@pytest.mark.parametrize(
    ("module", "arguments"),
    [
        ("cwmock.contract_tests.zoo.poller", ()),
        ("cwmock.contract_tests.zoo.poller", ("--variant", "retry-410", "--bug", "hex-signature")),
        ("cwmock.contract_tests.zoo.naive_poller", ()),
        ("cwmock.contract_tests.zoo.broken_poller", ("--mode", "fetch-only")),
    ],
)
def test_a_window_imports_only_what_it_needs(tmp_path: Path, module: str, arguments: tuple[str, ...]) -> None:
    done, modules = modules_imported(tmp_path, module, *arguments)
    assert "Connection refused" in done.stderr, "the window ran: its fetch failed"
    assert "http.client" in modules
    assert not modules & NOT_NEEDED
