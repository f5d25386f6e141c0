"""The harness: runs a poller window by window on the emulated clock, settles and judges."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cwmock.core.lazy_exports import lazy_exports

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
    "EmulatorControl": ".emulator_control",
    "ExternalCommandTarget": ".targets",
    "Harness": ".runner",
    "HarnessSettings": ".runner",
    "PollOutcome": ".targets",
    "PollerTarget": ".targets",
    "ReferencePoller": ".reference_adapter",
    "WindowContext": ".targets",
    "WindowRecord": ".runner",
}

# Hidden from type checkers, which read the names from the imports above (and refuse any other).
if not TYPE_CHECKING:
    __getattr__ = lazy_exports(__name__, _MODULES)
