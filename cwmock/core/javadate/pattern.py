"""SimpleDateFormat patterns: compiled into fields and literals exactly as java.text.SimpleDateFormat does."""

from __future__ import annotations

from dataclasses import dataclass

from cwmock.core.javadate.errors import JavaPatternError

JAVA_PATTERN_LETTERS = "GyMdkHmsSEDFwWahKzZYuXL"
SUPPORTED_LETTERS = "yYMdEDHhamsSzZX"
# Letters read at a fixed width when they follow a number ("yyyyMMdd"): Java's shouldObeyCount.
_OBEY_COUNT_LETTERS = "ydHmsSDh"


@dataclass(frozen=True)
class Field:
    """A run of one pattern letter, e.g. `yyyy` is Field('y', 4)."""

    letter: str
    count: int

    @property
    def is_numeric(self) -> bool:
        """Whether the field reads and writes digits (M is text from MMM on)."""
        if self.letter == "M":
            return self.count <= 2
        return self.letter in "yYdDHhmsS"


@dataclass(frozen=True)
class Literal:
    """Text that must appear verbatim (quoted text, `''`, or any non-letter character)."""

    text: str


Token = Field | Literal


@dataclass(frozen=True)
class CompiledPattern:
    """A pattern split into tokens; adjacent literals are merged (Java keeps them apart, same effect)."""

    pattern: str
    tokens: tuple[Token, ...]

    def fields(self) -> tuple[Field, ...]:
        """The pattern's fields, in order."""
        return tuple(token for token in self.tokens if isinstance(token, Field))

    def has_letter(self, letter: str) -> bool:
        """Whether any field uses `letter`."""
        return any(field.letter == letter for field in self.fields())

    def obeys_count(self, index: int) -> bool:
        """Whether the field at token `index` reads at most `count` characters (a number follows it)."""
        if index + 1 >= len(self.tokens):
            return False
        following = self.tokens[index + 1]
        if not isinstance(following, Field):
            return False
        if following.letter == "M":
            return following.count <= 2
        return following.letter in _OBEY_COUNT_LETTERS or following.letter == "Y"


def compile_pattern(pattern: str) -> CompiledPattern:
    """Split `pattern` like SimpleDateFormat.compile; reject what Java rejects and letters not emulated."""
    tokens: list[Token] = []
    literal: list[str] = []
    letter = ""
    count = 0
    in_quote = False
    index = 0

    def flush_field() -> None:
        nonlocal letter, count
        if count:
            _check_field(pattern, letter, count)
            if literal:
                tokens.append(Literal("".join(literal)))
                literal.clear()
            tokens.append(Field(letter, count))
            letter, count = "", 0

    def add_literal(text: str) -> None:
        flush_field()
        literal.append(text)

    while index < len(pattern):
        char = pattern[index]
        if char == "'":
            if index + 1 < len(pattern) and pattern[index + 1] == "'":
                add_literal("'")
                index += 2
                continue
            flush_field()
            in_quote = not in_quote
            index += 1
            continue
        if in_quote or not char.isascii() or not char.isalpha():
            add_literal(char)
        elif letter in ("", char):
            letter = char
            count += 1
        else:
            flush_field()
            letter, count = char, 1
        index += 1
    if in_quote:
        raise JavaPatternError(f"date pattern {pattern!r} has an unterminated quote; close the quoted text with '")
    flush_field()
    if literal:
        tokens.append(Literal("".join(literal)))
    return CompiledPattern(pattern, tuple(tokens))


def _check_field(pattern: str, letter: str, count: int) -> None:
    if letter not in JAVA_PATTERN_LETTERS:
        raise JavaPatternError(
            f"date pattern {pattern!r}: Illegal pattern character '{letter}' (Java refuses it too); "
            "quote literal text, e.g. 'T'"
        )
    if letter not in SUPPORTED_LETTERS:
        raise JavaPatternError(
            f"date pattern {pattern!r}: letter '{letter}' is valid Java but cwmock does not emulate it; "
            f"supported letters are {SUPPORTED_LETTERS}"
        )
    if letter == "X" and count > 3:
        raise JavaPatternError(f"date pattern {pattern!r}: invalid ISO 8601 format: length={count} (use X, XX or XXX)")
