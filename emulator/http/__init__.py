"""Serving the emulator: the server, TLS, the `Date` header, request bodies and responses."""

from cwmock.emulator.http.server import BackgroundServer, LoopServer, serve
from cwmock.emulator.http.tls import TlsMaterial, generate_tls

__all__ = [
    "BackgroundServer",
    "LoopServer",
    "TlsMaterial",
    "generate_tls",
    "serve",
]
