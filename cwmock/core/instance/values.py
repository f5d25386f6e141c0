"""Typed values read from instance JSON as Open Connectors accepts them (numbers as strings, etc.)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from cwmock.core.instance.errors import Path, Problems
from cwmock.core.instance.secrets import SECRET_KEYS
from cwmock.core.validation import MAX_ID, MAX_ID_DIGITS

_WHOLE_NUMBER = re.compile(r"\s*[0-9]+\s*")
_PLACEHOLDER = re.compile(r"<[^<>]+>")


def is_placeholder(value: object) -> bool:
    """Whether `value` is an unfilled documentation placeholder such as `<minutes>` or `<CLIENT_ID>`."""
    return isinstance(value, str) and _PLACEHOLDER.fullmatch(value.strip()) is not None


def find_placeholders(value: object, path: Path, problems: Problems) -> None:
    """Record every unfilled `<...>` placeholder under `value` (keys already reported are left alone)."""
    if is_placeholder(value):
        if problems.has(path):
            return
        problems.add(path, f"{value!r} is an unfilled placeholder from the documentation; put the real value here")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            find_placeholders(item, (*path, str(key)), problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            find_placeholders(item, (*path, index), problems)


def read_bool(value: object, path: Path, problems: Problems, default: bool) -> bool:
    """true/false as JSON booleans or as the strings "true"/"false" (any case)."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not problems.has(path):
        problems.add(path, f"{value!r} is not a boolean; use true or false")
    return default


def read_whole_number(
    value: object,
    path: Path,
    problems: Problems,
    *,
    unit: str,
    example: int,
    minimum: int = 0,
    maximum: int = MAX_ID,
) -> int | None:
    """A whole number given as a JSON number or a string of digits, within [minimum, maximum]; None (with a
    problem) otherwise."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value) and len(value.strip()) <= MAX_ID_DIGITS
    ):
        number = int(value)
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        number = maximum + 1  # too many digits to convert: reported as too large below
    if number is None:
        if not problems.has(path):
            problems.add(path, f"{_shown(value)} is not a whole number of {unit}; give e.g. {example}")
        return None
    if number < minimum:
        problems.add(path, f"{number} {unit} is too small; the least allowed is {minimum}")
        return None
    if number > maximum:
        problems.add(path, f"{_shown(value)} {unit} is too large; the most allowed is {maximum:,}")
        return None
    return number


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"


def read_text(value: object, path: Path, problems: Problems, *, required: bool, what: str) -> str | None:
    """A non-empty string; a missing required one, or a non-string, is a problem."""
    if value is None:
        if required:
            problems.add(path, f"missing; give {what}")
        return None
    if not isinstance(value, str) or not value.strip():
        if not problems.has(path):
            problems.add(path, f"{_described(value, path)} is not {what} (a non-empty string)")
        return None
    return value


def _described(value: object, path: Path) -> str:
    """The value as an error shows it; under a secret key only its type, for no message may repeat a secret."""
    if path and path[-1] in SECRET_KEYS:
        return f"a {type(value).__name__} (its value is not shown: it holds a secret)"
    return repr(value)


def read_http_url(value: object, path: Path, problems: Problems, *, required: bool, what: str) -> str | None:
    """An absolute http(s) URL."""
    text = read_text(value, path, problems, required=required, what=what)
    if text is None or problems.has(path):
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.add(path, f"{text!r} is not an absolute http(s) URL; give {what}, e.g. http://localhost:8080/events")
        return None
    return text


def read_object(value: object, path: Path, problems: Problems, *, what: str) -> Mapping[str, Any] | None:
    """A JSON object, or None with a problem."""
    if isinstance(value, Mapping):
        return value
    problems.add(path, f"expected a JSON object with {what}, got {type(value).__name__} {value!r}")
    return None


def reject_unknown_keys(body: Mapping[str, Any], known: tuple[str, ...], path: Path, problems: Problems) -> None:
    """Record every key of `body` that is not in `known` (typos there would silently change polling), suggesting the
    known key it most resembles."""
    folded = {name.casefold(): name for name in known}
    for key in body:
        if key not in known:
            close = difflib.get_close_matches(key.casefold(), list(folded), n=1, cutoff=0.75)
            hint = f"did you mean {folded[close[0]]!r}? " if close else ""
            problems.add((*path, key), f"unknown key; {hint}cwmock knows {', '.join(known)} here (check the spelling)")
