"""The recursive-descent core both query languages share: boolean structure, fields, literals.

`or` binds looser than `and`, which binds looser than `not`; parentheses group. Nesting is capped at
MAX_DEPTH so no input can exhaust the stack.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

from cwmock.emulator.query.errors import QueryError
from cwmock.emulator.query.field_catalog import (
    CONTACT_SCHEMA,
    FieldNode,
    Kind,
    ResolvedField,
    collection_depth,
    resolve_field,
)
from cwmock.emulator.query.instants import parse_query_instant
from cwmock.emulator.query.lexer import Dialect, Token, tokenize
from cwmock.emulator.query.predicates import (
    MATCH_ALL,
    AnyItem,
    Compare,
    Contains,
    In,
    IsNull,
    Like,
    Not,
    Predicate,
    Scalar,
    conjoin,
    disjoin,
)

MAX_DEPTH = 40


class Collections(Enum):
    """Whether fields inside a collection (`communicationItems/value`) may be named."""

    FORBID = "forbid"  # `conditions`: use childConditions instead
    REQUIRE = "require"  # `childConditions`
    ALLOW = "allow"  # CEQL: a record matches when some item does


class Parser:
    """Parses the shared grammar; a language supplies `comparison` for what follows a field name."""

    def __init__(
        self, text: str, dialect: Dialect, collections: Collections, schema: FieldNode = CONTACT_SCHEMA
    ) -> None:
        self.text = text
        self.dialect = dialect
        self.collections = collections
        self.schema = schema
        self.tokens = tokenize(text, dialect)
        self.index = 0

    # -- token helpers ------------------------------------------------------------------------

    def peek(self) -> Token:
        """The next token, not consumed."""
        return self.tokens[self.index]

    def advance(self) -> Token:
        """Consume and return the next token (the end token is never consumed past)."""
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def keyword(self, *words: str) -> bool:
        """Consume the next token if it is one of the keywords `words`."""
        token = self.peek()
        if token.kind == "keyword" and token.value in words:
            self.advance()
            return True
        return False

    def error(self, message: str, token: Token | None = None) -> QueryError:
        """A QueryError at `token` (default: the next one)."""
        token = token if token is not None else self.peek()
        return QueryError(message, token.text, token.position)

    def expect(self, kind: str, what: str) -> Token:
        """Consume a token of `kind` or fail saying `what` was expected."""
        token = self.peek()
        if token.kind != kind:
            found = "the end" if token.kind == "end" else f"'{token.text}'"
            raise self.error(f"expected {what} but found {found}")
        return self.advance()

    # -- grammar ------------------------------------------------------------------------------

    def parse(self) -> Predicate:
        """The whole input as one predicate; blank input matches everything."""
        if self.peek().kind == "end":
            return MATCH_ALL
        predicate = self.disjunction(0)
        if self.peek().kind != "end":
            raise self.error("expected 'and', 'or' or the end of the query")
        return wrap_collections(predicate, self.schema) if self.collections is not Collections.FORBID else predicate

    def disjunction(self, depth: int) -> Predicate:
        """`a or b or ...`."""
        operands = [self.conjunction(depth)]
        while self.keyword("or"):
            operands.append(self.conjunction(depth))
        return disjoin(*operands)

    def conjunction(self, depth: int) -> Predicate:
        """`a and b and ...`."""
        operands = [self.negation(depth)]
        while self.keyword("and"):
            operands.append(self.negation(depth))
        return conjoin(*operands)

    def negation(self, depth: int) -> Predicate:
        """`not x` or a primary."""
        if depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep; simplify the query")
        if self.keyword("not"):
            return Not(self.negation(depth + 1))
        token = self.peek()
        if token.kind == "(":
            self.advance()
            inner = self.disjunction(depth + 1)
            self.expect(")", "')'")
            return inner
        if token.kind == "name":
            return self.comparison(self.field(self.advance()))
        if token.kind == "end":
            raise self.error("the query ends where a condition was expected")
        raise self.error(f"expected a field name or '(' but found '{token.text}'")

    def comparison(self, field: tuple[ResolvedField, Token]) -> Predicate:
        """What follows a field name; each language defines its own."""
        raise NotImplementedError

    # -- fields and literals ------------------------------------------------------------------

    def field(self, token: Token) -> tuple[ResolvedField, Token]:
        """Resolve a name token to a comparable field, enforcing the collection policy."""
        assert isinstance(token.value, tuple), "name tokens carry their segments"
        sep = self.dialect.separator
        field = resolve_field(token.value, token.text, token.position, sep, self.schema)
        name = field.display(sep)
        if not field.kind.scalar:
            hint = f", e.g. {name}{sep}id" if field.kind is Kind.OBJECT else ""
            raise self.error(f"'{name}' is {'an object' if field.kind is Kind.OBJECT else 'a list'}; "
                             f"compare one of its fields{hint}", token)  # fmt: skip
        inside = field.collection_depth > 0
        if inside and self.collections is Collections.FORBID:
            raise self.error(f"'{name}' is inside a list; filter on it with childConditions", token)
        if not inside and self.collections is Collections.REQUIRE:
            raise self.error(f"childConditions only filters list fields such as communicationItems{sep}value", token)
        return field, token

    def literal(self) -> Token:
        """Consume one literal token."""
        token = self.peek()
        if token.kind in ("string", "number", "instant") or (
            token.kind == "keyword" and token.value in ("true", "false", "null")
        ):
            return self.advance()
        if token.kind == "name":
            raise self.error(f"expected a value but found the bare word '{token.text}'; quote strings")
        found = "the end" if token.kind == "end" else f"'{token.text}'"
        raise self.error(f"expected a value but found {found}")

    def literal_list(self) -> list[Token]:
        """`(v1, v2, ...)`, at least one value."""
        self.expect("(", "'(' starting a list of values")
        values = [self.literal()]
        while self.peek().kind == ",":
            self.advance()
            values.append(self.literal())
        self.expect(")", "',' or ')'")
        return values

    def coerce(self, field: ResolvedField, token: Token) -> Scalar:
        """The literal `token` as a value of the field's kind, or QueryError saying why it cannot be."""
        name = field.display(self.dialect.separator)
        value = token.value
        if token.kind == "keyword":
            if token.value == "null":
                raise self.error("null can only be tested for with '= null' / '!= null' (IS NULL in CEQL)", token)
            value = token.value == "true"
        kind = field.kind
        if kind is Kind.STRING and isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
            return token.text if token.kind == "number" else str(value)
        if kind is Kind.NUMBER:
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                return value
            if isinstance(value, str):
                try:
                    number = Decimal(value.strip())
                except InvalidOperation:
                    number = None
                if number is not None and number.is_finite():
                    return int(number) if number == number.to_integral_value() else number
        if kind is Kind.BOOLEAN:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
        if kind is Kind.INSTANT:
            if isinstance(value, datetime):
                return value
            instant = parse_query_instant(value) if isinstance(value, str) else None
            if instant is not None and self.dialect.brackets:
                # PSA Developer Guide, "Conditions": datetimes "must be surrounded by square brackets".
                raise self.error(
                    f"'{name}' holds a datetime, written in square brackets: {name} > [{value}], not {token.text}",
                    token,
                )
            if instant is not None:
                return instant
        raise self.error(f"'{name}' holds {_KIND_NAMES[kind]}; {token.text} is not one", token)

    def compare(self, field: ResolvedField, op: str, token: Token) -> Predicate:
        """`field op literal`, with `= null` / `!= null` as null tests."""
        if token.kind == "keyword" and token.value == "null":
            if op not in ("=", "!="):
                raise self.error(f"null can only be compared with = or !=, not {op}", token)
            test: Predicate = IsNull(field.path)
            return test if op == "=" else Not(test)
        return Compare(field.path, field.kind, op, self.coerce(field, token))

    def text_match(self, field: ResolvedField, operator: Token, token: Token) -> Predicate:
        """`contains` / `like` against a string literal."""
        name = field.display(self.dialect.separator)
        if field.kind not in (Kind.STRING, Kind.NUMBER):
            kind = _KIND_NAMES[field.kind]
            raise self.error(f"{operator.text} applies to text and numbers; '{name}' holds {kind}", operator)
        if token.kind not in ("string", "number"):
            raise self.error(f"{operator.text} needs a quoted string, not {token.text}", token)
        text = token.text if token.kind == "number" else str(token.value)
        return Contains(field.path, text) if operator.value == "contains" else Like(field.path, text)

    def one_of(self, field: ResolvedField, tokens: list[Token]) -> Predicate:
        """`field in (...)`."""
        return In(field.path, field.kind, tuple(self.coerce(field, token) for token in tokens))


_KIND_NAMES = {
    Kind.STRING: "text",
    Kind.NUMBER: "a number",
    Kind.BOOLEAN: "true or false",
    Kind.INSTANT: "a datetime",
    Kind.OBJECT: "an object",
    Kind.COLLECTION: "a list",
}


def _scope(p: Predicate, schema: FieldNode) -> set[tuple[str, ...]]:
    """The collections the leaves of `p` lie in (() for top-level fields)."""
    if isinstance(p, (Compare, IsNull, Contains, Like, In)):
        return {p.path[: collection_depth(p.path, schema)]}
    if isinstance(p, Not):
        return _scope(p.operand, schema)
    if isinstance(p, AnyItem):
        return {()}
    scopes: set[tuple[str, ...]] = set()
    for operand in p.operands:
        scopes |= _scope(operand, schema)
    return scopes


def _rebase(p: Predicate, depth: int) -> Predicate:
    if isinstance(p, (Compare, IsNull, Contains, Like, In)):
        return replace(p, path=p.path[depth:])
    if isinstance(p, Not):
        return Not(_rebase(p.operand, depth))
    if isinstance(p, AnyItem):
        return p
    return replace(p, operands=tuple(_rebase(o, depth) for o in p.operands))


def wrap_collections(p: Predicate, schema: FieldNode = CONTACT_SCHEMA) -> Predicate:
    """Wrap each largest subtree that names fields of one collection only in `AnyItem`.

    So `communicationItems/value like "%@acme.com" and communicationItems/communicationType = "Email"`
    needs one item satisfying both, as ConnectWise's childConditions do.
    """
    scopes = _scope(p, schema)
    if len(scopes) == 1:
        (scope,) = scopes
        return p if not scope else AnyItem(scope, _rebase(p, len(scope)))
    if isinstance(p, Not):
        return Not(wrap_collections(p.operand, schema))
    if isinstance(p, (Compare, IsNull, Contains, Like, In, AnyItem)):
        return p
    return replace(p, operands=tuple(wrap_collections(o, schema) for o in p.operands))
