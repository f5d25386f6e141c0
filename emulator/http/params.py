"""Query-string parameters that must be whole numbers, refused with a 400 that names them."""

from __future__ import annotations

from cwmock.emulator.model.errors import invalid_field


def positive_int(name: str, raw: str) -> int:
    """A query parameter that must be a whole number of 1 or more; a 400 naming it otherwise."""
    try:
        value = int(raw)
    except ValueError:
        raise invalid_field(name, f"{name} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise invalid_field(name, f"{name} must be 1 or more, got {value}")
    return value
