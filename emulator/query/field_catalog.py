"""Which contact fields a query may name, their kinds, and how names resolve to canonical paths.

Field names match case-insensitively (SQL Server column names do) and resolve to the record's spelling.
`lastUpdated` is an alias of `_info/lastUpdated`. Inside any `_info` object, names ending in `_href`
resolve too (the HTTP layer adds those links).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from cwmock.emulator.model.contacts import BOOL_FIELDS, ENUMS, LOOKUP_REFERENCES, STRING_FIELDS
from cwmock.emulator.query.errors import QueryError


class Kind(Enum):
    """What a field holds, which decides how literals coerce and values compare."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    INSTANT = "instant"
    OBJECT = "object"
    COLLECTION = "collection"

    @property
    def scalar(self) -> bool:
        """True for kinds a comparison can apply to."""
        return self not in (Kind.OBJECT, Kind.COLLECTION)


@dataclass(frozen=True)
class FieldNode:
    """One field of the contact schema; objects and collections of objects have children."""

    name: str
    kind: Kind
    children: Mapping[str, FieldNode] = field(default_factory=dict)
    links: bool = False  # an `_info` object: accepts any `*_href` child


def _leaf(name: str, kind: Kind) -> FieldNode:
    return FieldNode(name, kind)


def _group(name: str, kind: Kind, *children: FieldNode, links: bool = False) -> FieldNode:
    return FieldNode(name, kind, {child.name.lower(): child for child in children}, links)


_ID = _leaf("id", Kind.NUMBER)
_NAME = _leaf("name", Kind.STRING)
_IDENTIFIER = _leaf("identifier", Kind.STRING)
_LINKS = _group("_info", Kind.OBJECT, links=True)
_REFERENCE_KEYS = {"id": _ID, "identifier": _IDENTIFIER, "name": _NAME}

CONTACT_SCHEMA = _group(
    "contact",
    Kind.OBJECT,
    _ID,
    *(_leaf(name, Kind.STRING) for name in ("firstName", "lastName", *STRING_FIELDS, *ENUMS)),
    *(_leaf(name, Kind.BOOLEAN) for name in BOOL_FIELDS),
    _leaf("portalSecurityLevel", Kind.NUMBER),
    _group("company", Kind.OBJECT, _ID, _IDENTIFIER, _NAME, _LINKS),
    _group("site", Kind.OBJECT, _ID, _NAME, _LINKS),
    *(
        _group(name, Kind.OBJECT, *(_REFERENCE_KEYS[key] for key in keys))
        for name, (_, keys) in LOOKUP_REFERENCES.items()
    ),
    _group("managerContact", Kind.OBJECT, _ID, _NAME),
    _group("assistantContact", Kind.OBJECT, _ID, _NAME),
    _group(
        "communicationItems",
        Kind.COLLECTION,
        _ID,
        _group("type", Kind.OBJECT, _ID, _NAME),
        _leaf("value", Kind.STRING),
        _leaf("extension", Kind.STRING),
        _leaf("defaultFlag", Kind.BOOLEAN),
        _leaf("domain", Kind.STRING),
        _leaf("communicationType", Kind.STRING),
    ),
    _group("types", Kind.COLLECTION, _ID, _NAME),
    _leaf("integratorTags", Kind.COLLECTION),
    _leaf("customFields", Kind.COLLECTION),
    _group("_info", Kind.OBJECT, _leaf("lastUpdated", Kind.INSTANT), _leaf("updatedBy", Kind.STRING), links=True),
)

_INFO_STAMPS = (_leaf("lastUpdated", Kind.INSTANT), _leaf("updatedBy", Kind.STRING))

COMPANY_TEXT_FIELDS = (
    "addressLine1", "addressLine2", "city", "state", "zip", "phoneNumber", "faxNumber", "website", "accountNumber",
    "vendorIdentifier", "taxIdentifier", "mobileGuid", *(f"userDefinedField{n}" for n in range(1, 11)),
)  # fmt: skip

# The fields of a company a query may name (Company in ConnectWise Manage's OpenAPI document, 2025.x).
COMPANY_SCHEMA = _group(
    "company",
    Kind.OBJECT,
    _ID,
    _IDENTIFIER,
    _NAME,
    _group("status", Kind.OBJECT, _ID, _NAME, _LINKS),
    *(_leaf(name, Kind.STRING) for name in COMPANY_TEXT_FIELDS),
    _group("country", Kind.OBJECT, _ID, _IDENTIFIER, _NAME, _LINKS),
    _group("territory", Kind.OBJECT, _ID, _NAME, _LINKS),
    _group("market", Kind.OBJECT, _ID, _NAME, _LINKS),
    _group("defaultContact", Kind.OBJECT, _ID, _NAME, _LINKS),
    _group("site", Kind.OBJECT, _ID, _NAME, _LINKS),
    *(_leaf(name, Kind.BOOLEAN) for name in ("leadFlag", "unsubscribeFlag", "deletedFlag", "isVendorFlag")),
    _group("types", Kind.COLLECTION, _ID, _NAME, _LINKS),
    _group(
        "_info",
        Kind.OBJECT,
        *_INFO_STAMPS,
        _leaf("dateEntered", Kind.INSTANT),
        _leaf("enteredBy", Kind.STRING),
        links=True,
    ),
)


def infer_schema(name: str, rows: Sequence[Mapping[str, object]]) -> FieldNode:
    """The schema of a small read-only table, from the fields its rows hold (text that reads as an instant is one)."""
    children: dict[str, FieldNode] = {}
    for row in rows:
        for key, value in row.items():
            children.setdefault(key.lower(), _infer(key, value))
    return FieldNode(name, Kind.OBJECT, children, links=name == "_info")


def _infer(name: str, value: object) -> FieldNode:
    if isinstance(value, bool):
        return _leaf(name, Kind.BOOLEAN)
    if isinstance(value, (int, float)):
        return _leaf(name, Kind.NUMBER)
    if isinstance(value, Mapping):
        return infer_schema(name, [value])
    if isinstance(value, list):
        items = [item for item in value if isinstance(item, Mapping)]
        return replace(infer_schema(name, items), kind=Kind.COLLECTION)
    kind = Kind.INSTANT if isinstance(value, str) and _INSTANT_TEXT.fullmatch(value) else Kind.STRING
    return _leaf(name, kind)


_INSTANT_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")

# A custom field's value (CustomFieldValue in the OpenAPI document), as `customFieldConditions` names its parts.
CUSTOM_FIELD_SCHEMA = _group(
    "custom field",
    Kind.OBJECT,
    _ID,
    _leaf("caption", Kind.STRING),
    _leaf("type", Kind.STRING),
    _leaf("entryMethod", Kind.STRING),
    _leaf("numberOfDecimals", Kind.NUMBER),
    _leaf("value", Kind.STRING),
)

STAMP_PATH = ("_info", "lastUpdated")
ALIASES: Mapping[str, tuple[str, ...]] = {"lastupdated": STAMP_PATH}


@dataclass(frozen=True)
class ResolvedField:
    """A field name resolved against the schema."""

    path: tuple[str, ...]
    kind: Kind
    collection_depth: int  # how many leading segments name a collection (0: not inside one)

    def display(self, separator: str) -> str:
        """The canonical name as a query would write it."""
        return separator.join(self.path)


def _suggest(names: Sequence[str], wanted: str) -> str:
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


def resolve_field(
    segments: Sequence[str], token: str, position: int, separator: str = "/", schema: FieldNode = CONTACT_SCHEMA
) -> ResolvedField:
    """Resolve a path like ("company", "id") or ("lastupdated",) in `schema`; QueryError naming it if unknown."""
    alias = ALIASES.get(segments[0].lower()) if len(segments) == 1 and "_info" in schema.children else None
    if alias is not None:
        segments = alias
    node = schema
    path: list[str] = []
    collection_depth = 0
    for segment in segments:
        if node.kind is Kind.COLLECTION:
            collection_depth = len(path)
        child = node.children.get(segment.lower())
        if child is None and node.links and segment.endswith("_href"):
            child = _leaf(segment, Kind.STRING)
        if child is None:
            where = separator.join(path)
            if not node.children and not node.links:
                raise QueryError(f"'{where}' has no fields; it cannot be followed by '{segment}'", token, position)
            known = [child.name for child in node.children.values()]
            scope = f"'{where}'" if path else f"a {schema.name}"
            raise QueryError(
                f"unknown field '{segment}': {scope} has no such field{_suggest(known, segment)}",
                token,
                position,
            )
        path.append(child.name)
        node = child
    return ResolvedField(tuple(path), node.kind, collection_depth)


def collection_depth(path: Sequence[str], schema: FieldNode = CONTACT_SCHEMA) -> int:
    """How many leading segments of a canonical path name a collection (0 when none does)."""
    node = schema
    for index, segment in enumerate(path):
        if node.kind is Kind.COLLECTION:
            return index
        child = node.children.get(segment.lower())
        if child is None:
            return 0
        node = child
    return 0


_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


def split_list(text: str) -> list[tuple[str, int]]:
    """Comma-separated items with their 0-based offsets, each stripped; empty items kept (as "")."""
    items: list[tuple[str, int]] = []
    start = 0
    for part in text.split(","):
        stripped = part.strip()
        offset = start + (len(part) - len(part.lstrip())) if stripped else start
        items.append((stripped, offset))
        start += len(part) + 1
    return items


def parse_path(text: str, position: int) -> tuple[str, ...]:
    """Segments of a field path written with `/` (ConnectWise) or `.` (CEQL); QueryError if malformed."""
    segments = tuple(re.split(r"[/.]", text))
    if not text or not all(_SEGMENT.fullmatch(s) for s in segments):
        raise QueryError("expected a field name such as lastName or company/id", text, position)
    return segments
