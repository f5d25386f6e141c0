"""Numbers, durations and clock speeds: finite, and within what the clock and the stamps can represent.

Every duration a user gives (advancing the clock, a skew, a latency, a visibility delay, a clock offset) is at most
`MAX_DURATION_SECONDS` (36,500 days) either way, and the clock's own range (`instants.CLOCK_EARLIEST` ..
`CLOCK_LATEST`) leaves room for two of them at each end, so no sum of a clock reading and bounded durations leaves
the years 0001-9999. These bounds are cwmock's choice; ConnectWise documents none.
"""

from __future__ import annotations

import math
import re

from cwmock.core.validation.errors import InputError

MAX_DURATION_SECONDS = 36_500 * 86_400  # 36,500 days
MIN_SPEED = 0.001
MAX_SPEED = 1_000_000.0
MAX_NUMBER_TEXT = 40
_NUMBER_TEXT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _bound(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def check_number(key: str, value: object, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """`value` as a finite number (a JSON number, never a boolean) within [`minimum`, `maximum`]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(key, f"{key} must be a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(key, f"{key} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise InputError(key, f"{key} must be at least {_bound(minimum)}, got {_shown(value)}")
    if maximum is not None and value > maximum:
        raise InputError(key, f"{key} must be at most {_bound(maximum)}, got {_shown(value)}")
    return float(value)


def check_whole_number(key: str, value: object, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """`value` as a whole number (a JSON integer, never a boolean) within [`minimum`, `maximum`]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(key, f"{key} must be a whole number, got {_shown(value)}")
    if minimum is not None and value < minimum:
        raise InputError(key, f"{key} must be at least {minimum:,}, got {_shown(value)}")
    if maximum is not None and value > maximum:
        raise InputError(key, f"{key} must be at most {maximum:,}, got {_shown(value)}")
    return value


def check_duration(key: str, value: object, *, minimum: float = 0.0, maximum: float = MAX_DURATION_SECONDS) -> float:
    """Seconds: finite, at least `minimum` (0 unless a negative duration makes sense) and at most 36,500 days."""
    return check_number(
        key, value, minimum=max(minimum, -MAX_DURATION_SECONDS), maximum=min(maximum, MAX_DURATION_SECONDS)
    )


def check_speed(key: str, value: object) -> float:
    """A factor on the passage of wall time: a positive finite number from `MIN_SPEED` to `MAX_SPEED`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value > 0):
        raise InputError(
            key, f"{key} must be a positive finite factor from {MIN_SPEED:g} to {MAX_SPEED:,.0f}, got {value!r}"
        )
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise InputError(key, f"{key} must be from {MIN_SPEED:g} to {MAX_SPEED:,.0f}, got {_shown(value)}")
    return float(value)


def number_from_text(key: str, raw: str) -> float:
    """A finite decimal number from a query string or an environment variable (`1.5`, `30`, `1e3`)."""
    if len(raw) > MAX_NUMBER_TEXT or _NUMBER_TEXT.fullmatch(raw) is None:
        raise InputError(key, f"{key} must be a number such as 30 or 1.5, got {_shown(raw)}")
    value = float(raw)
    if not math.isfinite(value):
        raise InputError(key, f"{key} must be a finite number, got {_shown(raw)}")
    return value


def _shown(value: object) -> str:
    """`repr(value)`, cut short: an error message must not echo a megabyte back."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} characters)"
