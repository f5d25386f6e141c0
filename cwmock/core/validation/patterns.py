"""Path patterns from users (fault scopes): globs, and regular expressions matched in linear time.

A regex fault runs on every request, so a pattern with catastrophic backtracking (`/(a|aa)+$` against `/aaaa…b`)
would pin the event loop. `LinearRegex` compiles with Google's RE2 (PyPI `google-re2`), which matches in time
linear in the path; RE2 has no backreferences or lookaround, and patterns using them are refused when the fault is
added. Patterns are at most `MAX_PATTERN_LENGTH` characters (our choice).
"""

from __future__ import annotations

import re2

from cwmock.core.validation.errors import InputError
from cwmock.core.validation.text import check_text

MAX_PATTERN_LENGTH = 1000


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported to the user, not logged to stderr
    return options


class LinearRegex:
    """A regular expression in RE2 syntax, matched against a whole string in linear time."""

    def __init__(self, key: str, pattern: str) -> None:
        check_text(key, pattern, max_length=MAX_PATTERN_LENGTH)
        try:
            self._compiled = re2.compile(pattern, _options())
        except re2.error as exc:
            reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
            raise InputError(
                key,
                f"{key} is not a regular expression cwmock can match in linear time ({reason}); RE2 syntax, "
                "without backreferences or lookaround",
            ) from None
        self.pattern = pattern

    def fullmatch(self, text: str) -> bool:
        """True when the whole of `text` matches."""
        try:
            return self._compiled.fullmatch(text) is not None
        except UnicodeError:  # text that is not Unicode (a lone surrogate) matches no pattern
            return False


def check_glob(key: str, pattern: str) -> str:
    """A glob (`*` any run of characters, `?` one): valid text of at most MAX_PATTERN_LENGTH characters."""
    return check_text(key, pattern, max_length=MAX_PATTERN_LENGTH)
