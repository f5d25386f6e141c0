"""The harness: runs a poller window by window on the emulated clock, settles and judges."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cwmock.contract_tests.harness.emulator_control import EmulatorControl
    from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
    from cwmock.contract_tests.harness.runner import Harness, HarnessSettings, WindowRecord
    from cwmock.contract_tests.harness.targets import ExternalCommandTarget, PollerTarget, PollOutcome, WindowContext

__all__ = [
    "EmulatorControl",
    "ExternalCommandTarget",
    "Harness",
    "HarnessSettings",
    "PollOutcome",
    "PollerTarget",
    "ReferencePoller",
    "WindowContext",
    "WindowRecord",
]
# The module each name above comes from, imported on first use (PEP 562): the pytest plugin, loaded by every pytest
# session where cwmock is installed, reads the option names of `harness.options` without importing the harness.
_MODULES = {
    "EmulatorControl": "emulator_control",
    "ExternalCommandTarget": "targets",
    "Harness": "runner",
    "HarnessSettings": "runner",
    "PollOutcome": "targets",
    "PollerTarget": "targets",
    "ReferencePoller": "reference_adapter",
    "WindowContext": "targets",
    "WindowRecord": "runner",
}


def __getattr__(name: str) -> Any:
    """A name of `__all__`, from its module."""
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
