"""JSON documents read from outside: the content type, then bounded nesting, numbers and strings.

One reader for every JSON a user can send (request bodies, a poller configuration given as JSON text, a page token):
nesting at most `MAX_JSON_DEPTH` levels, integers within a signed 64-bit range, floats finite (no `NaN`, no
`Infinity`, no `1e400`), every string and key valid text (`text.text_problem`). Sizes are bounded by each edge,
which knows its limit. The bounds are cwmock's choice; ConnectWise documents none.
"""

from __future__ import annotations

import json
import math
import re
from json.scanner import make_scanner
from typing import Any

from cwmock.core.validation.errors import InputError, MediaTypeError
from cwmock.core.validation.text import text_problem

MAX_JSON_DEPTH = 64
MAX_JSON_INTEGER = 2**63 - 1
_MAX_INTEGER_DIGITS = len(str(MAX_JSON_INTEGER))
# curl -d sends application/x-www-form-urlencoded; the documented examples use it, so it is read as JSON too.
JSON_MEDIA_TYPES = ("application/json", "application/x-www-form-urlencoded")


def check_json_content_type(header: str | None) -> None:
    """Refuse (MediaTypeError) a body whose Content-Type is not JSON; absent, `application/json`, `*/*+json` pass."""
    if header is None or not header.strip():
        return
    media_type = header.split(";", 1)[0].strip().lower()
    if media_type in JSON_MEDIA_TYPES or media_type.endswith("+json"):
        return
    raise MediaTypeError(
        "content-type", f"the body is sent as {media_type[:80]!r}; send JSON with Content-Type: application/json"
    )


def _integer(literal: str) -> int:
    value = int(literal) if len(literal.lstrip("-")) <= _MAX_INTEGER_DIGITS else None
    if value is None or abs(value) > MAX_JSON_INTEGER:
        shown = literal if len(literal) <= 30 else f"{literal[:20]}... ({len(literal)} digits)"
        raise InputError("body", f"the integer {shown} is out of range; JSON integers must be within ±(2^63-1)")
    return value


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise InputError("body", f"the number {literal[:30]} is too large to represent; numbers must be finite")
    return value


def _constant(name: str) -> float:
    raise InputError("body", f"{name} is not JSON; numbers must be finite")


_DECODER = json.JSONDecoder(parse_int=_integer, parse_float=_float, parse_constant=_constant)
# One value at an index: (value, end), as the decoder reads each. (typeshed types the argument as the scanner.)
_SCAN = make_scanner(_DECODER)  # type: ignore[arg-type]


def read_json_document(raw: bytes | str, *, key: str = "body", max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse `raw` as one JSON document under the rules above; InputError (naming `key`) says what is wrong."""
    return _read(raw, key, max_depth, elements=False)[0]


def read_json_elements(
    raw: bytes | str, *, key: str = "body", max_depth: int = MAX_JSON_DEPTH
) -> tuple[Any, list[str] | None]:
    """`read_json_document(raw)`, and when the document is an array, each element's JSON text exactly as written
    (None when the array was read otherwise): a reader that passes elements on as they came need not dump them
    again."""
    return _read(raw, key, max_depth, elements=True)


def _read(raw: bytes | str, key: str, max_depth: int, *, elements: bool) -> tuple[Any, list[str] | None]:
    try:
        text = raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw))
    except UnicodeDecodeError:
        return _strict_document(raw, key, max_depth), None  # which says what is wrong
    if _suspicious(text):
        return _strict_document(raw, key, max_depth), None
    try:
        document, texts = _scan_document(text) if elements else (_DECODER.decode(text), None)
    except Exception:  # anything amiss is read again by the strict path, which names the problem
        return _strict_document(raw, key, max_depth), None
    if _too_deep(document, max_depth):
        raise InputError(key, f"{key} is nested more than {max_depth} levels deep")
    return document, texts


_WHITESPACE = re.compile("[ \t\n\r]*")  # JSON's insignificant whitespace (RFC 8259, section 2)


def _scan_document(text: str) -> tuple[Any, list[str] | None]:
    """`text` parsed with the strict path's checks, an array's elements scanned one at a time so that each one's
    text is known. Raises on anything amiss (not the errors users see: those come from `_strict_document`)."""
    scan = _SCAN
    index = _WHITESPACE.match(text).end()  # type: ignore[union-attr]  # matches the empty string
    if not text.startswith("[", index):
        return _DECODER.decode(text), None
    index = _WHITESPACE.match(text, index + 1).end()  # type: ignore[union-attr]
    values: list[Any] = []
    texts: list[str] = []
    if text.startswith("]", index):
        index += 1
    else:
        while True:
            value, end = scan(text, index)
            values.append(value)
            texts.append(text[index:end])
            index = _WHITESPACE.match(text, end).end()  # type: ignore[union-attr]
            if text.startswith(",", index):
                index = _WHITESPACE.match(text, index + 1).end()  # type: ignore[union-attr]
            elif text.startswith("]", index):
                index += 1
                break
            else:
                raise ValueError("not a JSON array")
    if _WHITESPACE.match(text, index).end() != len(text):  # type: ignore[union-attr]
        raise ValueError("extra data after the array")
    return values, texts


def _strict_document(raw: bytes | str, key: str, max_depth: int) -> Any:
    """The reference reader: every literal checked as it is parsed; the errors users see come from here."""
    try:
        # Decoded strictly here: json.loads would let UTF-8-encoded surrogates through ('surrogatepass').
        text = raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw))
        document = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise InputError(key, f"{key} is nested more than {max_depth} levels deep") from None
    except InputError as exc:
        raise InputError(key, f"{key}: {exc.message}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(key, f"{key} is not valid JSON: {exc}") from None
    if _suspicious(text):
        return check_json_value(document, key=key, max_depth=max_depth)  # find which string, and where
    if _too_deep(document, max_depth):
        raise InputError(key, f"{key} is nested more than {max_depth} levels deep")
    return document


# A NUL or a lone surrogate can only reach a parsed string as itself or as a \u escape; the numbers were checked
# while parsing. So a document whose text holds neither needs only its depth checked (the common, fast case).
_ESCAPED_SUSPECT = re.compile("\\\\u(?:0000|[dD][89a-fA-F])")
_RAW_SURROGATE = re.compile("[\ud800-\udfff]")


def _suspicious(text: str) -> bool:
    """Whether `text` holds a NUL or a surrogate, raw or as a `\\u` escape. Three searches, not one alternation: the
    escape's literal prefix and the NUL are found at C speed, and ASCII text (almost every page) cannot hold a raw
    surrogate; one regex of all four scanned a 1 MB hub page a character at a time (about 30 ms)."""
    if _ESCAPED_SUSPECT.search(text) is not None or "\x00" in text:
        return True
    return not text.isascii() and _RAW_SURROGATE.search(text) is not None


def _too_deep(document: Any, max_depth: int) -> bool:
    level = [document]
    depth = 0
    while level:
        depth += 1
        following = []
        for container in level:
            kind = type(container)
            if kind is not dict and kind is not list:
                continue
            if depth > max_depth:
                return True
            for member in container.values() if kind is dict else container:
                if type(member) is dict or type(member) is list:
                    following.append(member)
        level = following
    return False


def check_json_value(value: Any, *, key: str = "body", max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`value` when it is JSON cwmock can store and send back: the rules above, checked without recursion."""
    pending: list[tuple[Any, str, int]] = [(value, key, 1)]
    while pending:
        item, where, depth = pending.pop()
        if isinstance(item, dict):
            _check_depth(where, depth, max_depth)
            for name, member in item.items():
                if not isinstance(name, str):
                    raise InputError(where, f"{where} has a key that is not a string: {type(name).__name__}")
                _check_string(f"{where}/{name[:40]}", name, "key")
                pending.append((member, f"{where}/{name[:40]}", depth + 1))
        elif isinstance(item, (list, tuple)):
            _check_depth(where, depth, max_depth)
            pending.extend((member, f"{where}/{index}", depth + 1) for index, member in enumerate(item))
        elif isinstance(item, str):
            _check_string(where, item, "value")
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_JSON_INTEGER:
                raise InputError(where, f"{where} is out of range; JSON integers must be within ±(2^63-1)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InputError(where, f"{where} must be a finite number, got {item!r}")
        else:
            raise InputError(where, f"{where} is a {type(item).__name__}, which JSON cannot carry")
    return value


def _check_depth(where: str, depth: int, max_depth: int) -> None:
    if depth > max_depth:
        raise InputError(where, f"{where} is nested more than {max_depth} levels deep")


def _check_string(where: str, text: str, what: str) -> None:
    problem = text_problem(text)
    if problem is not None:
        raise InputError(where, f"{where}: the {what} {problem}")
