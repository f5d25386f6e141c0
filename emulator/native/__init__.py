"""The native ConnectWise Manage REST API for contacts."""

from cwmock.emulator.native.auth import CLIENT_ID, basic_authorization, native_headers

__all__ = [
    "CLIENT_ID",
    "basic_authorization",
    "native_headers",
]
