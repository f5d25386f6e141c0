"""Tokens of the `conditions` and CEQL query languages (one scanner, two dialects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cwmock.emulator.query.errors import QueryError
from cwmock.emulator.query.instants import parse_query_instant

MAX_NUMBER_DIGITS = 30
_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT = _IDENT_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")

TokenValue = str | int | Decimal | datetime | tuple[str, ...] | None


@dataclass(frozen=True)
class Dialect:
    """What differs between the two languages' spelling."""

    name: str
    quotes: str
    separator: str
    keywords: frozenset[str]
    brackets: bool  # `[datetime]` literals
    backticks: bool  # `` `field` `` names
    backslash_escapes: bool


@dataclass(frozen=True)
class Token:
    """One lexeme: kind is name, keyword, string, number, instant, op, '(', ')', ',' or end."""

    kind: str
    text: str
    position: int
    value: TokenValue = None


class _Scanner:
    def __init__(self, text: str, dialect: Dialect) -> None:
        self.text = text
        self.dialect = dialect
        self.pos = 0

    def fail(self, message: str, start: int, end: int | None = None) -> QueryError:
        return QueryError(message, self.text[start : end if end is not None else self.pos], start)

    def tokens(self) -> list[Token]:
        found: list[Token] = []
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                found.append(Token("end", "", len(text)))
                return found
            found.append(self.token())

    def token(self) -> Token:
        text, start, char = self.text, self.pos, self.text[self.pos]
        if char in "(),":
            self.pos += 1
            return Token(char, char, start)
        for op in _OPERATORS:
            if text.startswith(op, start):
                self.pos += len(op)
                return Token("op", op, start)
        if char in self.dialect.quotes:
            return self.string(char)
        if char in "\"'":
            raise self.fail(f"{self.dialect.name} string literals use single quotes, e.g. 'Mike'", start, start + 1)
        if char == "[" and self.dialect.brackets:
            return self.instant()
        if char in _DIGITS or (char == "-" and text[start + 1 : start + 2] in _DIGITS):
            return self.number()
        if char in _IDENT_START or (char == "`" and self.dialect.backticks):
            return self.name()
        raise self.fail(f"unexpected character {char!r}", start, start + 1)

    def string(self, quote: str) -> Token:
        text, start = self.text, self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if (
                char == "\\"
                and self.dialect.backslash_escapes
                and text[self.pos + 1 : self.pos + 2] in ("\\", '"', "'")
            ):
                chars.append(text[self.pos + 1])
                self.pos += 2
            elif char == quote and text[self.pos + 1 : self.pos + 2] == quote:
                chars.append(quote)
                self.pos += 2
            elif char == quote:
                self.pos += 1
                return Token("string", text[start : self.pos], start, "".join(chars))
            else:
                chars.append(char)
                self.pos += 1
        raise self.fail(f"unterminated string: add the closing {quote}", start)

    def instant(self) -> Token:
        start = self.pos
        end = self.text.find("]", start)
        if end < 0:
            raise self.fail("unterminated datetime: add the closing ]", start, len(self.text))
        self.pos = end + 1
        value = parse_query_instant(self.text[start + 1 : end])
        if value is None:
            raise self.fail("invalid datetime: write it like [2016-08-20T18:04:26Z] or with an offset", start)
        return Token("instant", self.text[start : self.pos], start, value)

    def number(self) -> Token:
        text, start = self.text, self.pos
        self.pos += 1
        while self.pos < len(text) and text[self.pos] in _DIGITS:
            self.pos += 1
        decimal = text[self.pos : self.pos + 1] == "." and text[self.pos + 1 : self.pos + 2] in _DIGITS
        if decimal:
            self.pos += 1
            while self.pos < len(text) and text[self.pos] in _DIGITS:
                self.pos += 1
        if self.pos < len(text) and text[self.pos] in _IDENT | {"."}:
            raise self.fail("malformed number", start, self.pos + 1)
        literal = text[start : self.pos]
        if len(literal) > MAX_NUMBER_DIGITS:
            raise self.fail(f"number longer than {MAX_NUMBER_DIGITS} characters", start)
        value: int | Decimal = Decimal(literal) if decimal else int(literal)
        return Token("number", literal, start, value)

    def segment(self) -> str:
        text, start = self.text, self.pos
        if text[start] == "`":
            end = text.find("`", start + 1)
            if end < 0:
                raise self.fail("unterminated field name: add the closing `", start, len(text))
            self.pos = end + 1
            name = text[start + 1 : end]
            if not name:
                raise self.fail("empty field name between backticks", start)
            return name
        while self.pos < len(text) and text[self.pos] in _IDENT:
            self.pos += 1
        return text[start : self.pos]

    def name(self) -> Token:
        text, start, separator = self.text, self.pos, self.dialect.separator
        segments: list[str] = []
        while True:
            segment = self.segment()
            # A backticked name may itself contain the separator; no contact field name does.
            segments.extend(segment.split(separator) if text[self.pos - 1] == "`" else (segment,))
            following = text[self.pos + 1 : self.pos + 2]
            if (
                text[self.pos : self.pos + 1] == separator
                and following
                and (following in _IDENT_START or (following == "`" and self.dialect.backticks))
            ):
                self.pos += 1
                continue
            break
        if text[self.pos : self.pos + 1] == separator:
            raise self.fail(f"field name cannot end with '{separator}'", start, self.pos + 1)
        written = text[start : self.pos]
        if any(not s for s in segments):
            raise self.fail("empty segment in field name", start)
        if len(segments) == 1 and written.lower() in self.dialect.keywords:
            return Token("keyword", written, start, written.lower())
        return Token("name", written, start, tuple(segments))


def tokenize(text: str, dialect: Dialect) -> list[Token]:
    """Split `text` into tokens, ending with an `end` token; QueryError at the first bad character."""
    return _Scanner(text, dialect).tokens()
