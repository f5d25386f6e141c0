"""Strings: Unicode scalar values only (no lone surrogate), no NUL, and a length when the field documents one.

A lone surrogate (`"\\ud800"` in JSON) is valid JSON text but not Unicode: no UTF-8 encoder accepts it, so stored,
it would make every later response that carries it fail. NUL is refused too (our choice, not ConnectWise's
documented rule): C-based clients and databases truncate at it.
"""

from __future__ import annotations

import re

from cwmock.core.validation.errors import InputError

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    char = found.group()
    at = found.start()
    if char == "\x00":
        return f"contains a NUL character (U+0000) at position {at}"
    return f"contains a lone surrogate (U+{ord(char):04X}) at position {at}, which is not a Unicode character"


def check_text(key: str, value: object, *, max_length: int | None = None) -> str:
    """`value` as text: a string of Unicode scalar values without NUL, at most `max_length` characters."""
    if not isinstance(value, str):
        raise InputError(key, f"{key} must be a string, got {type(value).__name__}")
    problem = text_problem(value)
    if problem is not None:
        raise InputError(key, f"{key} {problem}")
    if max_length is not None and len(value) > max_length:
        raise InputError(key, f"{key} is {len(value)} characters long; the maximum is {max_length}")
    return value
