"""Open Connectors CEQL `where` (Cloud Elements devportal, CEQL reference), parsed into the shared predicate model.

Grammar (keywords in any case, AND binding tighter than OR):

    where      := disjunction
    disjunction:= conjunction ("OR" conjunction)*
    conjunction:= negation ("AND" negation)*
    negation   := "NOT" negation | "(" where ")" | field predicate
    predicate  := ("=" | "!=" | "<" | "<=" | ">" | ">=") literal
                | ["NOT"] "LIKE" 'pattern' | ["NOT"] "IN" "(" literal ("," literal)* ")"
                | "IS" ["NOT"] "NULL"
    literal    := 'text' | 12 | -1.5 | true | false     ('2019-01-01T00:00:00.000Z' against a datetime field)
    field      := name ("." name)* | `name`             e.g. company.id, _info.lastUpdated, lastUpdated

A list field (`communicationItems.value`) matches when some item satisfies the part naming it.
"""

from __future__ import annotations

from cwmock.emulator.query.field_catalog import ResolvedField
from cwmock.emulator.query.lexer import Dialect, Token
from cwmock.emulator.query.parser import Collections, Parser
from cwmock.emulator.query.predicates import IsNull, Not, Predicate

CEQL = Dialect(
    name="CEQL",
    quotes="'",
    separator=".",
    keywords=frozenset({"and", "or", "not", "like", "in", "is", "null", "true", "false"}),
    brackets=False,
    backticks=True,
    backslash_escapes=False,
)


class _CeqlParser(Parser):
    def comparison(self, field: tuple[ResolvedField, Token]) -> Predicate:
        resolved, name = field
        if self.keyword("is"):
            negated = self.keyword("not")
            if not self.keyword("null"):
                raise self.error("expected NULL after IS" + (" NOT" if negated else ""))
            test: Predicate = IsNull(resolved.path)
            return Not(test) if negated else test
        negated = self.keyword("not")
        operator = self.peek()
        if self.keyword("like"):
            predicate = self.text_match(resolved, operator, self.literal())
        elif self.keyword("in"):
            predicate = self.one_of(resolved, self.literal_list())
        elif negated:
            raise self.error("expected LIKE or IN after NOT")
        elif operator.kind == "op":
            self.advance()
            value = self.literal()
            if value.kind == "keyword" and value.value == "null":
                raise self.error(f"use '{name.text} IS NULL' or 'IS NOT NULL' to test for null", value)
            return self.compare(resolved, operator.text, value)
        else:
            found = "the end" if operator.kind == "end" else f"'{operator.text}'"
            raise self.error(f"expected an operator (= != < <= > >= LIKE IN IS) after '{name.text}' but found {found}")
        return Not(predicate) if negated else predicate


def parse_ceql(text: str) -> Predicate:
    """Parse a CEQL `where` value; blank text matches everything. Raises only QueryError."""
    return _CeqlParser(text, CEQL, Collections.ALLOW).parse()
