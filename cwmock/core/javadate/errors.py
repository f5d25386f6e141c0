"""Errors raised by the Java date-format emulation (patterns, zones, parsing, range)."""

from __future__ import annotations


class JavaDateError(ValueError):
    """Base class: something about a Java date pattern, zone or text was not acceptable."""


class JavaPatternError(JavaDateError):
    """A SimpleDateFormat pattern Java rejects, or one using a letter cwmock does not emulate."""


class UnknownZoneError(JavaDateError):
    """A time-zone id Java would not recognise (Java silently falls back to GMT; cwmock refuses)."""


class JavaDateParseError(JavaDateError):
    """Text that SimpleDateFormat.parse would refuse; `error_index` is Java's ParsePosition error index."""

    def __init__(self, message: str, error_index: int) -> None:
        super().__init__(message)
        self.error_index = error_index


class JavaDateRangeError(JavaDateError):
    """A date outside what cwmock models: before the 1582 Gregorian cutover or after year 9999."""
