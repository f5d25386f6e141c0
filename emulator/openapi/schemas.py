"""Building blocks of the OpenAPI document: shared schemas, parameters and response helpers."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def schema_ref(name: str) -> Json:
    """A $ref to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: Json, description: str, headers: Json | None = None) -> Json:
    """A JSON response with its schema (and headers)."""
    response: Json = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def error_responses(*statuses: int, schema: str = "Error") -> Json:
    """ConnectWise-shaped error responses for these statuses."""
    described = {
        400: "the request is not valid (the body says which field and why)",
        401: "missing or wrong credentials",
        404: "no such resource",
        409: "the clock is busy or not controllable, or no fault proxy serves this emulator",
        413: "the request body is too large",
        504: "followers did not quiesce in time",
    }
    return {str(status): json_content(schema_ref(schema), described[status]) for status in statuses}


def query_param(name: str, description: str, schema: Json | None = None) -> Json:
    """An optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def path_param(name: str, schema: Json | None = None) -> Json:
    """A required path parameter (integer unless given a schema)."""
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "integer"}}


def request_body(schema: Json, required: bool = True) -> Json:
    """A JSON request body."""
    return {"required": required, "content": {"application/json": {"schema": schema}}}


NO_CONTENT = {"204": {"description": "done, empty body"}}
POSITIVE = {"type": "integer", "minimum": 1, "maximum": 1_000_000}
PAGE = query_param("page", "1-based page number", POSITIVE)
PAGE_SIZE = query_param("pageSize", "page size (native: capped at 1000; hub: at most 200)", POSITIVE)
CONDITIONS = query_param("conditions", "ConnectWise conditions, e.g. lastUpdated > [2026-01-01T00:00:00Z]")
CHILD_CONDITIONS = query_param(
    "childConditions", "conditions on child collections, e.g. communicationItems/value like '%@x'"
)
CUSTOM_FIELD_CONDITIONS = query_param(
    "customFieldConditions", 'conditions one custom field must satisfy, e.g. caption="TomNumber" and value != null'
)
ORDER_BY = query_param("orderBy", "field and direction, e.g. lastUpdated asc")
FIELDS = query_param("fields", "comma-separated fields to return, e.g. id,_info/lastUpdated")
CLIENT_ID = {"name": "clientId", "in": "header", "required": True, "schema": {"type": "string", "minLength": 1}}
PAGINATION_TYPE = {
    "name": "pagination-type",
    "in": "header",
    "required": False,
    "description": "forward-only: keyset paging by id with pageId",
    "schema": {"type": "string", "enum": ["forward-only"]},
}

SCHEMAS: Json = {
    "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}, "nullable": True},
        },
    },
    "RateLimited": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "HubError": {
        "type": "object",
        "required": ["message", "requestId", "providerMessage"],
        "properties": {
            "message": {"type": "string"},
            "requestId": {"type": "string"},
            "providerMessage": {"type": "string", "nullable": True, "description": "the provider's text; null if none"},
        },
    },
    "Info": {
        "type": "object",
        "properties": {
            "lastUpdated": {"type": "string"},
            "updatedBy": {"type": "string", "nullable": True},
            "dateEntered": {"type": "string", "description": "only with the non-faithful date-entered switch"},
        },
    },
    "Contact": {
        "type": "object",
        "description": "A ConnectWise contact (with `fields`, only the fields asked for)",
        "properties": {
            "id": {"type": "integer"},
            "firstName": {"type": "string", "nullable": True},
            "lastName": {"type": "string", "nullable": True},
            "company": {"type": "object", "nullable": True},
            "site": {"type": "object", "nullable": True},
            "communicationItems": {"type": "array", "items": {"type": "object"}},
            "types": {"type": "array", "items": {"type": "object"}},
            "inactiveFlag": {"type": "boolean"},
            "_info": schema_ref("Info"),
        },
    },
    "ContactBody": {
        "type": "object",
        "description": "A contact to write; firstName is required; unknown or read-only fields are refused",
        "properties": {
            "firstName": {"type": "string", "maxLength": 30},
            "lastName": {"type": "string", "maxLength": 30, "nullable": True},
            "title": {"type": "string", "maxLength": 100, "nullable": True},
            "inactiveFlag": {"type": "boolean"},
        },
    },
    "PatchOperations": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["op", "path"],
            "properties": {"op": {"type": "string"}, "path": {"type": "string"}, "value": {}},
        },
    },
    "Company": {
        "type": "object",
        "description": "A ConnectWise company (with `fields`, only the fields asked for)",
        "properties": {
            "id": {"type": "integer"},
            "identifier": {"type": "string"},
            "name": {"type": "string"},
            "status": {"type": "object"},
            "types": {"type": "array", "items": {"type": "object"}},
            "deletedFlag": {"type": "boolean"},
            "_info": schema_ref("Info"),
        },
    },
    "Object": {"type": "object"},
}
