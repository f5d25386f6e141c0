"""The ConnectWise contact record: validating request bodies into the stored shape.

The stored shape is the wire shape of ConnectWise Manage's Contact (its OpenAPI 2025.x model; see
docs/emulator/native-api.md#contacts) minus the `*_href` links (those depend on the host a client called, so the
HTTP layer adds them). Null and empty values are omitted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cwmock.core.validation import InputError, check_json_value
from cwmock.emulator.model.errors import FieldError, InvalidObject
from cwmock.emulator.model.reference_data import ReferenceData
from cwmock.emulator.model.references import reference_id
from cwmock.emulator.model.shared_keys import CommunicationItemKeys, shared_keys_dict

Record = dict[str, Any]

# Maximum lengths: names, address and title from the ConnectWise PSA Developer Guide's contact fields (REST API 3.0);
# user-defined fields, a communication's value and extension from ConnectWise Manage's OpenAPI document (2025.x,
# Contact and ContactCommunication, as generated into ai-connor/connectwise).
MAX_LENGTHS = {
    "firstName": 30,
    "lastName": 30,
    "addressLine1": 50,
    "addressLine2": 50,
    "city": 50,
    "state": 50,
    "zip": 12,
    "title": 100,
    **{f"userDefinedField{n}": 50 for n in range(1, 11)},
    "communicationItems/value": 250,
    "communicationItems/extension": 15,
}

ENUMS = {
    "gender": ("Female", "Male"),
    "presence": ("NoAgent", "Online", "DoNotDisturb", "Away", "Offline"),
}

STRING_FIELDS = (
    "addressLine1", "addressLine2", "city", "state", "zip", "relationshipOverride", "title", "school",
    "nickName", "children", "significantOther", "portalPassword", "birthDay", "anniversary", "mobileGuid",
    "facebookUrl", "twitterUrl", "linkedInUrl", "defaultPhoneType", "defaultPhoneNbr",
    "defaultPhoneExtension", "securityIdentifier",
    *(f"userDefinedField{n}" for n in range(1, 11)),
)  # fmt: skip

BOOL_FIELDS = (
    "marriedFlag", "childrenFlag", "disablePortalLoginFlag", "unsubscribeFlag", "defaultBillingFlag",
    "defaultFlag", "ignoreDuplicates", "inactiveFlag",
)  # fmt: skip

# Reference fields resolved against a lookup table: field -> (table, keys copied from the row).
LOOKUP_REFERENCES = {
    "country": ("countries", ("id", "identifier", "name")),
    "relationship": ("relationships", ("id", "name")),
    "department": ("departments", ("id", "identifier", "name")),
    "companyLocation": ("locations", ("id", "name")),
}

# Wire order of the Contact model in ConnectWise Manage's OpenAPI 2025.x; `id` first and `_info` last are added by
# the store.
FIELD_ORDER = (
    "firstName", "lastName", "company", "site", "addressLine1", "addressLine2", "city", "state", "zip",
    "country", "relationship", "relationshipOverride", "department", "managerContact", "assistantContact",
    "title", "school", "nickName", "marriedFlag", "childrenFlag", "children", "significantOther",
    "portalPassword", "portalSecurityLevel", "disablePortalLoginFlag", "unsubscribeFlag", "gender",
    "birthDay", "anniversary", "presence", "mobileGuid", "facebookUrl", "twitterUrl", "linkedInUrl",
    "defaultPhoneType", "defaultPhoneNbr", "defaultPhoneExtension", "defaultBillingFlag", "defaultFlag",
    "companyLocation", "communicationItems", "types", "integratorTags", "customFields", "ignoreDuplicates",
    "inactiveFlag", "securityIdentifier",
    *(f"userDefinedField{n}" for n in range(1, 11)),
)  # fmt: skip

WRITABLE_FIELDS = frozenset(FIELD_ORDER)
READ_ONLY_FIELDS = frozenset({"id", "_info"})

# What the server fills in when a client leaves a field out (observed in real responses).
SERVER_DEFAULTS: Mapping[str, Any] = {
    "portalSecurityLevel": 1,
    "marriedFlag": False,
    "childrenFlag": False,
    "disablePortalLoginFlag": False,
    "unsubscribeFlag": False,
    "defaultBillingFlag": False,
    "defaultFlag": False,
    "ignoreDuplicates": False,
    "inactiveFlag": False,
}


@dataclass(frozen=True)
class ContactContext:
    """What validation needs besides the body: reference data, other contacts, fresh ids.

    `next_item_id` is called only once the whole body is valid, so a refused body consumes no id.
    """

    reference: ReferenceData
    contact_name: Callable[[int], str | None]
    next_item_id: Callable[[], int]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fail(field: str, message: str, code: str = "InvalidField") -> InvalidObject:
    return InvalidObject("contact object is invalid", [FieldError(code, message, field)])


def _ref_id(field: str, value: object) -> int:
    if not isinstance(value, Mapping) or not _is_int(value.get("id")):
        raise _fail(field, f'{field} must be an object with an integer id, e.g. {{"id": 2}}')
    ref_id: int = value["id"]
    return ref_id


def _string(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise _fail(field, f"{field} must be a string, got {type(value).__name__}")
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(value) > limit:
        raise _fail(field, f"{field} is {len(value)} characters long; the maximum is {limit}", "MaxLength")
    if field in ENUMS and value not in ENUMS[field]:
        raise _fail(field, f"{field} must be one of {', '.join(ENUMS[field])}, got {value!r}")
    return value


def _company(value: object, ctx: ContactContext) -> Record:
    companies = ctx.reference.companies
    if isinstance(value, Mapping) and _is_int(value.get("id")) and value["id"] in companies:
        company = companies[value["id"]]  # the common case, without building the naming rows
    else:
        rows = {c.id: {"identifier": c.identifier, "name": c.name} for c in companies.values()}
        company = companies[reference_id("company", value, rows, "; GET /company/companies lists them")]
    return ctx.reference.embedded(
        ("company", company.id), {"id": company.id, "identifier": company.identifier, "name": company.name}
    )


def _site(value: object, company: Record | None, ctx: ContactContext) -> Record:
    if company is None:
        raise _fail("site", "a site needs a company: give company as well")
    sites = ctx.reference.companies[company["id"]].sites
    rows = {site_id: {"name": name} for site_id, name in sites.items()}
    site_id = reference_id("site", value, rows, f" among the sites of company {company['id']}")
    return ctx.reference.embedded(("site", company["id"], site_id), {"id": site_id, "name": sites[site_id]})


def _lookup(field: str, value: object, ctx: ContactContext) -> Record:
    table, keys = LOOKUP_REFERENCES[field]
    ref_id = reference_id(field, value, ctx.reference.lookups[table])
    row = ctx.reference.lookups[table][ref_id]
    return ctx.reference.embedded((table, ref_id), {key: row[key] for key in keys if key in row})


def _contact_ref(field: str, value: object, ctx: ContactContext) -> Record:
    ref_id = _ref_id(field, value)
    name = ctx.contact_name(ref_id)
    if name is None:
        raise _fail(field, f"{field} refers to contact {ref_id}, which does not exist")
    return {"id": ref_id, "name": name}


def _types(value: object, ctx: ContactContext) -> list[Record]:
    if not isinstance(value, list):
        raise _fail("types", 'types must be a list of {"id": n} objects')
    rows = ctx.reference.lookups["contactTypes"]
    result = []
    for item in value:
        type_id = reference_id("types", item, rows)
        name = rows[type_id]["name"]
        result.append(ctx.reference.embedded(("contactTypes", type_id), {"id": type_id, "name": name}))
    return result


def _communication_items(value: object, ctx: ContactContext) -> list[Record]:
    if not isinstance(value, list):
        raise _fail("communicationItems", "communicationItems must be a list of objects")
    types = ctx.reference.lookups["communicationTypes"]
    items = []
    for item in value:
        if not isinstance(item, Mapping):
            raise _fail("communicationItems", "each communication item must be an object")
        type_id = reference_id("communicationItems/type", item.get("type"), types)
        item_value = item.get("value")
        if not isinstance(item_value, str) or not item_value:
            raise _fail("communicationItems/value", "each communication item needs a non-empty string value")
        _string("communicationItems/value", item_value)
        row = types[type_id]
        built: Record = {
            "id": item["id"] if _is_int(item.get("id")) else None,  # a new item's id is allocated once all is valid
            "type": ctx.reference.embedded(("communicationTypes", type_id), {"id": type_id, "name": row["name"]}),
            "value": item_value,
        }
        extension = item.get("extension")
        if extension is not None:
            built["extension"] = _string("communicationItems/extension", extension)
        default_flag = item.get("defaultFlag", False)
        if not isinstance(default_flag, bool):
            raise _fail("communicationItems/defaultFlag", "defaultFlag must be true or false")
        built["defaultFlag"] = default_flag
        if row["communicationType"] == "Email" and "@" in item_value:
            built["domain"] = sys.intern("@" + item_value.split("@", 1)[1])  # a few domains, many addresses
        built["communicationType"] = row["communicationType"]
        items.append(shared_keys_dict(CommunicationItemKeys, built))
    return items


def _strings(field: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(field, f"{field} must be a list of strings")
    return list(value)


def _custom_fields(value: object) -> list[Record]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) and _is_int(v.get("id")) for v in value):
        raise _fail("customFields", "customFields must be a list of objects with an integer id")
    return [dict(v) for v in value]


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def build_contact(body: object, ctx: ContactContext) -> Record:
    """Validate a POST/PUT body into the stored contact shape (without `id` and `_info`).

    Unknown and read-only fields are ignored, as ConnectWise ignores them; nulls and empties are dropped.
    """
    if not isinstance(body, Mapping):
        raise InvalidObject(f"the request body must be a JSON object, got {type(body).__name__}")
    given = {k: v for k, v in body.items() if k in WRITABLE_FIELDS and not _is_empty(v)}
    for name, value in given.items():
        try:  # every string valid text, every number finite, nesting bounded: what every client can read back
            check_json_value(value, key=name)
        except InputError as exc:
            raise _fail(exc.key, exc.message) from None
    if "firstName" not in given:
        # The code real servers give a missing field (christaylorcodes/ConnectWiseManageAPI issues #30 and #53).
        raise _fail("firstName", "firstName is required", "MissingRequiredField")
    built: Record = {}
    company = _company(given["company"], ctx) if "company" in given else None
    for name, value in given.items():
        if name == "company":
            built[name] = company
        elif name == "site":
            built[name] = _site(value, company, ctx)
        elif name in LOOKUP_REFERENCES:
            built[name] = _lookup(name, value, ctx)
        elif name in ("managerContact", "assistantContact"):
            built[name] = _contact_ref(name, value, ctx)
        elif name == "types":
            built[name] = _types(value, ctx)
        elif name == "communicationItems":
            built[name] = _communication_items(value, ctx)
        elif name == "integratorTags":
            built[name] = _strings(name, value)
        elif name == "customFields":
            built[name] = _custom_fields(value)
        elif name in BOOL_FIELDS:
            if not isinstance(value, bool):
                raise _fail(name, f"{name} must be true or false, got {value!r}")
            built[name] = value
        elif name == "portalSecurityLevel":
            if not _is_int(value):
                raise _fail(name, f"{name} must be an integer, got {value!r}")
            built[name] = value
        elif name == "firstName" or name == "lastName" or name in STRING_FIELDS or name in ENUMS:
            built[name] = _string(name, value)
    for name, default in SERVER_DEFAULTS.items():
        built.setdefault(name, default)
    for item in built.get("communicationItems", ()):
        if item["id"] is None:
            item["id"] = ctx.next_item_id()
    return {name: built[name] for name in FIELD_ORDER if name in built and not _is_empty(built[name])}


def with_type_ids(body: object) -> object:
    """A POST body with its `typeIds` (contact type ids, "passed in only during new contact creation": the OpenAPI
    document's Contact) added to its `types`; other bodies unchanged. `typeIds` itself is never stored or shown."""
    if not isinstance(body, Mapping) or body.get("typeIds") is None:
        return body
    type_ids = body["typeIds"]
    if not isinstance(type_ids, list) or not all(_is_int(type_id) for type_id in type_ids):
        raise _fail("typeIds", f"typeIds must be a list of contact type ids, e.g. [1, 11]; got {type_ids!r}")
    types = body.get("types") or []
    if not isinstance(types, list):
        raise _fail("types", 'types must be a list of {"id": n} objects')
    named = {t.get("id") for t in types if isinstance(t, Mapping)}
    return {**body, "types": [*types, *({"id": type_id} for type_id in type_ids if type_id not in named)]}


def display_name(record: Mapping[str, Any]) -> str:
    """How ConnectWise names a contact in references: first and last name."""
    return " ".join(part for part in (record.get("firstName"), record.get("lastName")) if part)


PATCH_OPS = ("add", "replace", "remove")

# What a PATCH whose path points inside a reference (`company/identifier`, `site/id`) does. The PSA Developer
# Guide ("Patch") warns against such paths: "you may receive a false 200 message" (answered, not applied); yet
# ConnectPyse issue #26 reports `site/id` working, and django-connectwise patches `member/identifier` and `status/id`.
ReferencePaths = Literal["ignored", "applied", "refused"]
REFERENCE_PATHS: tuple[ReferencePaths, ...] = ("ignored", "applied", "refused")
REFERENCE_FIELDS = frozenset({"company", "site", "managerContact", "assistantContact", *LOOKUP_REFERENCES})


def apply_patch(
    current: Mapping[str, Any], operations: object, reference_paths: ReferencePaths = "ignored"
) -> Record | None:
    """Apply a ConnectWise PATCH list (`[{"op": "replace", "path": "firstName", "value": "Z"}]`) to a body.

    Paths name one top-level field (a leading `/` is tolerated). A path inside a reference (`company/identifier`)
    is skipped, applied (the reference then names the record with that key) or refused, as `reference_paths` says;
    any other path inside an object is refused. None when no operation applies (the guide's false 200).
    """
    if not isinstance(operations, list) or not operations:
        raise InvalidObject('a PATCH body must be a non-empty list like [{"op": "replace", "path": "x", "value": 1}]')
    body = {k: v for k, v in current.items() if k not in READ_ONLY_FIELDS}
    applied = 0
    for index, operation in enumerate(operations):
        if not isinstance(operation, Mapping):
            raise InvalidObject(f"PATCH operation {index} must be an object with op, path and value")
        op = str(operation.get("op", "")).lower()
        if op not in PATCH_OPS:
            raise _fail("op", f"PATCH operation {index}: op must be one of {', '.join(PATCH_OPS)}, got {op!r}")
        path = operation.get("path")
        if not isinstance(path, str) or not path.strip("/"):
            raise _fail("path", f"PATCH operation {index} needs a path naming a field")
        name = path[1:] if path.startswith("/") else path
        if "/" in name:
            head, _, key = name.partition("/")
            inside = f"PATCH path {path!r} points inside an object; replace the whole field instead"
            if head not in REFERENCE_FIELDS or "/" in key or not key or reference_paths == "refused":
                raise _fail(name, inside + (f', e.g. {{"path": "{head}", "value": {{"{key}": ...}}}}' if key else ""))
            if reference_paths == "ignored":
                continue
            if op == "remove" or "value" not in operation:
                raise _fail(name, f"PATCH operation {index} ({op} {name}) needs a value naming the {head}")
            body[head] = {key: operation["value"]}
            applied += 1
            continue
        if name in READ_ONLY_FIELDS:
            raise _fail(name, f"{name} is read-only")
        if name not in WRITABLE_FIELDS:
            raise _fail(name, f"PATCH path {path!r} is not a contact field (paths are case-sensitive)")
        if op == "remove":
            body.pop(name, None)
        else:
            if "value" not in operation:
                raise _fail(name, f"PATCH operation {index} ({op} {name}) needs a value")
            body[name] = operation["value"]
        applied += 1
    return body if applied else None
