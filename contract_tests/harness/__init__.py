"""The harness: runs a poller window by window on the emulated clock, settles and judges."""

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
