"""Serving the emulator: the server, TLS, the `Date` header, request bodies and responses."""

from cwmock.emulator.http.server import BackgroundServer, serve
from cwmock.emulator.http.tls import TlsMaterial, generate_tls

__all__ = [
    "BackgroundServer",
    "TlsMaterial",
    "generate_tls",
    "serve",
]
