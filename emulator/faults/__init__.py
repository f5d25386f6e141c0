"""Injected faults: HTTP responses, TCP connections and in-process transports, from one registry."""
