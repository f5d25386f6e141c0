"""ConnectWise `conditions` and `childConditions` (ConnectWise PSA Developer Guide), parsed into the predicate model.

Grammar (keywords in any case, `and` binding tighter than `or`):

    query      := disjunction
    disjunction:= conjunction ("or" conjunction)*
    conjunction:= negation ("and" negation)*
    negation   := "not" negation | "(" query ")" | field predicate
    predicate  := ("=" | "!=" | "<" | "<=" | ">" | ">=") literal
                | ["not"] ("contains" | "like") string | ["not"] "in" "(" literal ("," literal)* ")"
    literal    := "text" | 'text' | 12 | -1.5 | true | false | null | [2016-08-20T18:04:26Z]
    field      := name ("/" name)*        e.g. company/id, _info/lastUpdated, lastUpdated
"""

from __future__ import annotations

from cwmock.emulator.query.field_catalog import CONTACT_SCHEMA, CUSTOM_FIELD_SCHEMA, FieldNode, ResolvedField
from cwmock.emulator.query.lexer import Dialect, Token
from cwmock.emulator.query.parser import Collections, Parser
from cwmock.emulator.query.predicates import MATCH_ALL, AnyItem, Not, Predicate

CONDITIONS = Dialect(
    name="conditions",
    quotes="\"'",
    separator="/",
    keywords=frozenset({"and", "or", "not", "contains", "like", "in", "true", "false", "null"}),
    brackets=True,
    backticks=False,
    backslash_escapes=True,
)


class _ConditionsParser(Parser):
    def comparison(self, field: tuple[ResolvedField, Token]) -> Predicate:
        resolved, name = field
        negated = self.keyword("not")
        operator = self.peek()
        if self.keyword("contains", "like"):
            predicate = self.text_match(resolved, operator, self.literal())
        elif self.keyword("in"):
            predicate = self.one_of(resolved, self.literal_list())
        elif negated:
            raise self.error("expected contains, like or in after 'not'")
        elif operator.kind == "op":
            self.advance()
            return self.compare(resolved, operator.text, self.literal())
        else:
            found = "the end" if operator.kind == "end" else f"'{operator.text}'"
            raise self.error(f"expected = != < <= > >= contains like in or not after '{name.text}', found {found}")
        return Not(predicate) if negated else predicate


def parse_conditions(text: str, schema: FieldNode = CONTACT_SCHEMA) -> Predicate:
    """Parse a `conditions` value (fields of `schema`); blank text matches everything. Raises only QueryError."""
    return _ConditionsParser(text, CONDITIONS, Collections.FORBID, schema).parse()


def parse_custom_field_conditions(text: str) -> Predicate:
    """Parse `customFieldConditions` (PSA Developer Guide: `caption="TomNumber" AND value != null`): a record
    matches when one of its custom fields satisfies the whole condition. Raises only QueryError."""
    where = _ConditionsParser(text, CONDITIONS, Collections.FORBID, CUSTOM_FIELD_SCHEMA).parse()
    return where if where == MATCH_ALL else AnyItem(("customFields",), where)


def parse_child_conditions(text: str, schema: FieldNode = CONTACT_SCHEMA) -> Predicate:
    """Parse `childConditions` (fields of communicationItems or types); a record matches when one item
    satisfies each single-list part, e.g. `communicationItems/value like "%@acme.com" and
    communicationItems/communicationType = "Email"` needs one item that is both. Raises only QueryError."""
    return _ConditionsParser(text, CONDITIONS, Collections.REQUIRE, schema).parse()
