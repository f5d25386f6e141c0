"""One predicate model for every query language, and its evaluator.

Evaluation follows SQL's three-valued logic, as ConnectWise's SQL Server does: a missing field is null,
any comparison with null is unknown, `not unknown` is unknown, and a record matches only when the whole
predicate is true. Strings compare case-insensitively and ignore trailing spaces (SQL Server collation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from cwmock.emulator.model.table import StampBound
from cwmock.emulator.query.field_catalog import STAMP_PATH, Kind
from cwmock.emulator.query.instants import parse_query_instant

Scalar = str | int | Decimal | bool | datetime
Record = Mapping[str, Any]
Path = tuple[str, ...]


@dataclass(frozen=True)
class Compare:
    """`path op value` with op one of `= != < <= > >=`; `value` already coerced to the field's kind."""

    path: Path
    kind: Kind
    op: str
    value: Scalar


@dataclass(frozen=True)
class IsNull:
    """The field is missing or null (`= null`, `IS NULL`); never unknown."""

    path: Path


@dataclass(frozen=True)
class Contains:
    """The field's text contains `text` (case-insensitive, no wildcards)."""

    path: Path
    text: str


@dataclass(frozen=True)
class Like:
    """SQL LIKE: `%` and `*` match any run, `_` one character; case-insensitive, whole value."""

    path: Path
    pattern: str


@dataclass(frozen=True)
class In:
    """The field equals one of `values`."""

    path: Path
    kind: Kind
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class Not:
    """Negation (unknown stays unknown)."""

    operand: Predicate


@dataclass(frozen=True)
class And:
    """Conjunction; `And(())` matches everything."""

    operands: tuple[Predicate, ...]


@dataclass(frozen=True)
class Or:
    """Disjunction."""

    operands: tuple[Predicate, ...]


@dataclass(frozen=True)
class AnyItem:
    """Some item of the list at `collection` satisfies `where` (paths in `where` are relative to the item)."""

    collection: Path
    where: Predicate


Predicate = Compare | IsNull | Contains | Like | In | Not | And | Or | AnyItem
MATCH_ALL: Predicate = And(())


def conjoin(*predicates: Predicate | None) -> Predicate:
    """The conjunction of the given predicates (Nones skipped), with nested conjunctions flattened."""
    operands: list[Predicate] = []
    for predicate in predicates:
        if isinstance(predicate, And):
            operands.extend(predicate.operands)
        elif predicate is not None:
            operands.append(predicate)
    return operands[0] if len(operands) == 1 else And(tuple(operands))


def disjoin(*predicates: Predicate) -> Predicate:
    """The disjunction of the given predicates, with nested disjunctions flattened."""
    operands: list[Predicate] = []
    for predicate in predicates:
        operands.extend(predicate.operands if isinstance(predicate, Or) else (predicate,))
    return operands[0] if len(operands) == 1 else Or(tuple(operands))


# -- values ---------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """A string as SQL Server's case-insensitive collation compares it."""
    return text.casefold().rstrip(" ")


def lookup(record: Any, path: Path) -> Any:
    """The raw value at `path`, or None when any step is missing."""
    value = record
    for segment in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(segment)
    return value


def comparable(kind: Kind, raw: Any) -> Any:
    """A raw record value (or literal) in the form comparisons of `kind` use; None when null or unusable."""
    if raw is None:
        return None
    if kind is Kind.STRING:
        if isinstance(raw, str):
            return fold(raw)
        return None if isinstance(raw, (bool, Mapping, list)) else fold(str(raw))
    if kind is Kind.NUMBER:
        return raw if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool) else None
    if kind is Kind.BOOLEAN:
        return raw if isinstance(raw, bool) else None
    if kind is Kind.INSTANT:
        if isinstance(raw, datetime):
            return raw
        return parse_query_instant(raw) if isinstance(raw, str) else None
    return None


def reader(path: Path, kind: Kind) -> Callable[[Any], Any]:
    """A function reading the comparable value at `path` from a record."""
    return lambda record: comparable(kind, lookup(record, path))


def text_of(raw: Any) -> str | None:
    """A scalar's text for `contains`/`like`; None for nulls and structures."""
    if raw is None or isinstance(raw, (bool, Mapping, list)):
        return None
    return str(raw).casefold()


def like_matcher(pattern: str) -> Callable[[str], bool]:
    """Whether a (case-folded) value matches a LIKE pattern.

    `*` is ConnectWise's documented wildcard (PSA Developer Guide, "Conditions"); the rest is SQL Server's LIKE, which
    the pattern reaches: `%` any run, `_` one character, `[abc]`, `[a-c]` and `[^abc]` one character of (or not of)
    a set, so `[[]` is a literal `[`, as the guide's escaping table writes it. A `[` never closed is itself.

    Without backtracking: the pattern is split at its any-run wildcards into pieces of fixed length, the first
    matched at the start, the last at the end, each middle one at its leftmost place after the one before (which is
    never wrong for such patterns). So it costs at most len(value) × len(pattern), where one regular expression
    with many `.*` could take exponential time.
    """
    pieces: list[list[str]] = [[]]
    for token in _like_tokens(pattern.casefold()):
        if token is None:
            pieces.append([])
        else:
            pieces[-1].append(token)
    compiled = [(re.compile("".join(piece), re.DOTALL), len(piece)) for piece in pieces]
    if len(compiled) == 1:
        whole = compiled[0][0]
        return lambda value: whole.fullmatch(value) is not None
    (first, _), *middle, (last, last_length) = compiled

    def matches(value: str) -> bool:
        start = first.match(value)
        end = len(value) - last_length
        if start is None or end < start.end() or last.match(value, end) is None:
            return False
        position = start.end()
        for piece, _length in middle:
            found = piece.search(value, position, end)
            if found is None:
                return False
            position = found.end()
        return True

    return matches


def _like_tokens(text: str) -> list[str | None]:
    """The pattern as regexes of one character each; None for an any-run wildcard (`%` or `*`)."""
    tokens: list[str | None] = []
    index = 0
    while index < len(text):
        char = text[index]
        close = text.find("]", index + 2) if char == "[" else -1
        if close > 0:
            tokens.append(_char_class(text[index + 1 : close]))
            index = close + 1
            continue
        tokens.append(None if char in "%*" else "." if char == "_" else re.escape(char))
        index += 1
    return tokens


def _char_class(members: str) -> str:
    negated = members.startswith("^") and len(members) > 1
    body = members[1:] if negated else members
    escaped = "".join(char if char == "-" and 0 < i < len(body) - 1 else re.escape(char) for i, char in enumerate(body))
    return f"[{'^' if negated else ''}{escaped}]"


# -- evaluation -----------------------------------------------------------------------------------

Test = Callable[[Any], bool | None]

_OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}


StampReader = Callable[[Any], datetime]


def _reader(path: Path, kind: Kind, stamps: StampReader | None) -> Callable[[Any], Any]:
    """`reader`, except that the update stamp comes from `stamps` (the stored stamp, fraction included) if given."""
    return stamps if stamps is not None and path == STAMP_PATH else reader(path, kind)


def _compare(p: Compare, stamps: StampReader | None) -> Test:
    read = _reader(p.path, p.kind, stamps)
    literal = comparable(p.kind, p.value)
    operator = _OPERATORS[p.op]

    def test(record: Any) -> bool | None:
        value = read(record)
        return None if value is None else operator(value, literal)

    return test


def _text_test(path: Path, matches: Callable[[str], bool]) -> Test:
    def test(record: Any) -> bool | None:
        value = text_of(lookup(record, path))
        return None if value is None else matches(value)

    return test


def _in(p: In, stamps: StampReader | None) -> Test:
    read = _reader(p.path, p.kind, stamps)
    values = frozenset(comparable(p.kind, v) for v in p.values)

    def test(record: Any) -> bool | None:
        value = read(record)
        return None if value is None else value in values

    return test


def _junction(tests: list[Test], decisive: bool) -> Test:
    """AND (`decisive` False) or OR (True): one operand that is `decisive` decides; else unknown if any is."""

    def test(record: Any) -> bool | None:
        unknown = False
        for operand in tests:
            result = operand(record)
            if result is decisive:
                return decisive
            unknown = unknown or result is None
        return None if unknown else not decisive

    return test


def _any_item(collection: Path, where: Test) -> Test:
    def test(record: Any) -> bool:
        items = lookup(record, collection)
        return isinstance(items, list) and any(where(item) is True for item in items)

    return test


def _not(operand: Test) -> Test:
    def test(record: Any) -> bool | None:
        result = operand(record)
        return None if result is None else not result

    return test


def three_valued(p: Predicate, stamps: StampReader | None = None) -> Test:
    """Compile `p` to a function giving True, False or None (unknown) for a record.

    `stamps` reads a record's update stamp as stored, when it has more precision than `_info.lastUpdated` shows.
    """
    if isinstance(p, Compare):
        return _compare(p, stamps)
    if isinstance(p, IsNull):
        path = p.path
        return lambda record: lookup(record, path) is None
    if isinstance(p, Contains):
        needle = p.text.casefold()
        return _text_test(p.path, lambda value: needle in value)
    if isinstance(p, Like):
        return _text_test(p.path, like_matcher(p.pattern))
    if isinstance(p, In):
        return _in(p, stamps)
    if isinstance(p, Not):
        return _not(three_valued(p.operand, stamps))
    if isinstance(p, And):
        return _junction([three_valued(o, stamps) for o in p.operands], decisive=False)
    if isinstance(p, Or):
        return _junction([three_valued(o, stamps) for o in p.operands], decisive=True)
    return _any_item(p.collection, three_valued(p.where))


def compile_predicate(p: Predicate, stamps: StampReader | None = None) -> Callable[[Record], bool]:
    """A record filter: True exactly when `p` is true for the record (unknown counts as no match)."""
    test = three_valued(p, stamps)
    return lambda record: test(record) is True


def matches(p: Predicate, record: Record) -> bool:
    """Whether `record` satisfies `p` (compile once with `compile_predicate` when filtering many)."""
    return compile_predicate(p)(record)


# -- index use ------------------------------------------------------------------------------------


def _as_bound(p: Predicate) -> StampBound | None:
    if isinstance(p, Compare) and p.path == STAMP_PATH and p.op in (">", ">=") and isinstance(p.value, datetime):
        return StampBound(p.value.timestamp(), inclusive=p.op == ">=")
    return None


def _tighter(a: StampBound | None, b: StampBound) -> StampBound:
    if a is None or b.at > a.at:
        return b
    if b.at == a.at and not b.inclusive:
        return b
    return a


def stamp_lower_bound(p: Predicate) -> tuple[StampBound | None, Predicate | None]:
    """Split a top-level conjunction into the tightest `lastUpdated >/>= X` bound and what remains.

    Filtering the store's stamp index by the bound, then by the residual (None: nothing left), selects
    exactly the records `p` selects, provided each record's stamp is its `_info.lastUpdated`.
    """
    found, rest = _conjuncts_split(p, _as_bound)
    bound: StampBound | None = None
    for each in found:
        bound = _tighter(bound, each)
    if not rest:
        return bound, None
    return bound, rest[0] if len(rest) == 1 else And(tuple(rest))


T = TypeVar("T")


def _conjuncts_split(p: Predicate, pick: Callable[[Predicate], T | None]) -> tuple[list[T], list[Predicate]]:
    """The top-level conjuncts `pick` reads (what it read), and the others."""
    found: list[T] = []
    rest: list[Predicate] = []
    for operand in p.operands if isinstance(p, And) else (p,):
        value = pick(operand)
        if value is None:
            rest.append(operand)
        else:
            found.append(value)
    return found, rest


ID_PATH: Path = ("id",)


def id_lower_bound(p: Predicate) -> tuple[int | None, Predicate]:
    """Split a top-level conjunction into keyset paging's "after id N" (the tightest whole-number `id > N` or
    `id >= N + 1`) and what remains (`And(())` when nothing does): ids ascending from N + 1 select exactly what the
    comparison does."""
    found, rest = _conjuncts_split(p, _as_after_id)
    return (max(found) if found else None), rest[0] if len(rest) == 1 else And(tuple(rest))


def _as_after_id(p: Predicate) -> int | None:
    if not (isinstance(p, Compare) and p.path == ID_PATH and p.op in (">", ">=")):
        return None
    if isinstance(p.value, bool) or not isinstance(p.value, int):
        return None
    return p.value if p.op == ">" else p.value - 1
