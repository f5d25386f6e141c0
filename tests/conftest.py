"""Shared settings for cwmock's own tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the stack's one event loop)."""
    return "asyncio"
