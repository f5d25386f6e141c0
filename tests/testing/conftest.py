"""Fixtures shared by the tests of the helpers users import (cwmock.testing)."""

from __future__ import annotations

import pytest

from cwmock.emulator.app import Emulator, create_emulator


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator with its defaults (a frozen ManualClock, the default tenants)."""
    return create_emulator()
