"""Serving the emulator: the server, TLS, the `Date` header, request bodies and responses."""
