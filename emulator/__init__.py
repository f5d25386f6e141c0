"""The ConnectWise emulator: the native Manage API, the Open Connectors hub view and platform API, over one store."""

from cwmock.emulator.app import DEFAULT_START, Emulator, create_app, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.live import LiveEmulator, TlsLiveEmulator

__all__ = [
    "DEFAULT_START",
    "Emulator",
    "EmulatorConfig",
    "LiveEmulator",
    "TlsLiveEmulator",
    "create_app",
    "create_emulator",
]
