"""The reference poller: Open Connectors' polling of ConnectWise contacts, exactly once, signed, with retries."""

from cwmock.poller.delivery import RetryPolicy
from cwmock.poller.engine import EngineSettings, PollerEngine, PollerSetupError, WindowReport
from cwmock.poller.state import PollerState

__all__ = [
    "EngineSettings",
    "PollerEngine",
    "PollerSetupError",
    "PollerState",
    "RetryPolicy",
    "WindowReport",
]
