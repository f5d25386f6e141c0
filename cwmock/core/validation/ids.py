"""Ids (contacts, instances, faults, sequence numbers): whole numbers of at most 18 digits.

Eighteen digits fit a signed 64-bit integer (SQLite's, Java's `long`); a longer id can name nothing, so an id route
answers 404 and a body or query parameter 400, and Python never converts thousands of digits. Our choice: the
ConnectWise OpenAPI document types ids as 32-bit, which this bound includes.
"""

from __future__ import annotations

from cwmock.core.validation.errors import InputError

MAX_ID_DIGITS = 18
MAX_ID = 10**MAX_ID_DIGITS - 1


def check_id(key: str, value: object, *, minimum: int = 0) -> int:
    """`value` as an id: a whole number (never a boolean) from `minimum` to MAX_ID."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(key, f"{key} must be a whole-number id, got {type(value).__name__}")
    if not minimum <= value <= MAX_ID:
        raise InputError(key, f"{key} must be an id from {minimum} to {MAX_ID} ({MAX_ID_DIGITS} digits), got {value}")
    return value


def id_from_text(key: str, raw: str, *, minimum: int | None = None) -> int:
    """A whole number from a query string or a path (`12`, ` 12 `, `-1`), at most MAX_ID_DIGITS digits long."""
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        raise InputError(key, f"{key} must be a whole number, got {raw[:40]!r}")
    if len(digits) > MAX_ID_DIGITS:
        raise InputError(key, f"{key} must have at most {MAX_ID_DIGITS} digits, got {len(digits)}")
    value = int(text)
    if minimum is not None and value < minimum:
        raise InputError(key, f"{key} must be {minimum} or more, got {value}")
    return value
