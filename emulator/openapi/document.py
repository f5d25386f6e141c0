"""The OpenAPI 3.0 document of one emulator (`GET /openapi.json`): native API, hub view and admin API.

Hand-written to match the handlers; `tests/emulator/openapi/test_conformance.py` runs schemathesis against it
in-process, so a route or status that drifts from this document fails the suite.
"""

from __future__ import annotations

from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.model.setup_tables import SETUP_TABLES
from cwmock.emulator.native.linked import EMPTY_LISTS
from cwmock.emulator.openapi.admin import admin_paths
from cwmock.emulator.openapi.schemas import (
    CHILD_CONDITIONS,
    CLIENT_ID,
    CONDITIONS,
    CUSTOM_FIELD_CONDITIONS,
    FIELDS,
    NO_CONTENT,
    ORDER_BY,
    PAGE,
    PAGE_SIZE,
    PAGINATION_TYPE,
    SCHEMAS,
    Json,
    error_responses,
    json_content,
    path_param,
    query_param,
    request_body,
    schema_ref,
)


def native_paths(api: str) -> Json:
    """The native ConnectWise API under `api` (e.g. `/v4_6_release/apis/3.0`), plus the login route."""
    auth = [CLIENT_ID]
    contacts = json_content(
        {"type": "array", "items": schema_ref("Contact")}, "a page of contacts, `Link` header for the others"
    )
    list_contacts = {
        "summary": "List contacts",
        "parameters": [
            *auth,
            PAGINATION_TYPE,
            CONDITIONS,
            CHILD_CONDITIONS,
            CUSTOM_FIELD_CONDITIONS,
            ORDER_BY,
            FIELDS,
            PAGE,
            PAGE_SIZE,
            query_param("pageId", "forward-only paging: the last id already seen", {"type": "integer"}),
        ],
        "responses": {"200": contacts, **error_responses(400, 401)},
    }
    create = {
        "summary": "Create a contact",
        "parameters": auth,
        "requestBody": request_body(schema_ref("ContactBody")),
        "responses": {
            "201": json_content(schema_ref("Contact"), "the stored contact"),
            **error_responses(400, 401, 413),
        },
    }
    one = {"parameters": [path_param("id")]}
    return {
        "/login/companyinfo/{company}": {
            "get": {
                "summary": "Where a company's API lives (JSON null for an unknown company)",
                "parameters": [path_param("company", {"type": "string"})],
                "responses": {"200": json_content({"type": "object", "nullable": True}, "company info or null")},
            }
        },
        f"{api}/company/contacts": {"get": list_contacts, "post": create},
        f"{api}/company/contacts/": {"get": list_contacts, "post": create},
        f"{api}/company/contacts/count": {
            "get": {
                "summary": "Count contacts matching the conditions",
                "parameters": [*auth, CONDITIONS, CHILD_CONDITIONS, CUSTOM_FIELD_CONDITIONS],
                "responses": {
                    "200": json_content(
                        {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}}},
                        "the count",
                    ),
                    **error_responses(400, 401),
                },
            }
        },
        f"{api}/company/contacts/{{id}}": {
            **one,
            "get": {
                "parameters": auth,
                "responses": {"200": json_content(schema_ref("Contact"), "the contact"), **error_responses(401, 404)},
            },
            "put": {
                "parameters": auth,
                "requestBody": request_body(schema_ref("ContactBody")),
                "responses": {
                    "200": json_content(schema_ref("Contact"), "replaced"),
                    **error_responses(400, 401, 404, 413),
                },
            },
            "patch": {
                "parameters": auth,
                "requestBody": request_body(schema_ref("PatchOperations")),
                "responses": {
                    "200": json_content(schema_ref("Contact"), "patched"),
                    **error_responses(400, 401, 404, 413),
                },
            },
            "delete": {"parameters": auth, "responses": {**NO_CONTENT, **error_responses(401, 404)}},
        },
        **linked_paths(api),
        f"{api}/system/info": {
            "get": {
                "parameters": auth,
                "responses": {"200": json_content(schema_ref("Object"), "server version"), **error_responses(401)},
            }
        },
    }


def linked_paths(api: str) -> Json:
    """Companies, sites, setup tables and what contacts link to: read-only, paged, filtered like contacts."""
    auth = [CLIENT_ID]
    filtered = [*auth, CONDITIONS, CHILD_CONDITIONS, ORDER_BY, FIELDS, PAGE, PAGE_SIZE]

    def listing(item: str, description: str, statuses: tuple[int, ...] = (400, 401)) -> Json:
        array = {"type": "array", "items": schema_ref(item)}
        responses = {"200": json_content(array, description), **error_responses(*statuses)}
        return {"get": {"parameters": filtered, "responses": responses}}

    def one(item: str, description: str, *names: str) -> Json:
        responses = {"200": json_content(schema_ref(item), description), **error_responses(401, 404)}
        return {"parameters": [path_param(name) for name in names], "get": {"parameters": auth, "responses": responses}}

    def under(item: str, description: str, *names: str) -> Json:
        listed = listing(item, description, (400, 401, 404))
        return {"parameters": [path_param(name) for name in names], **listed}

    contact = f"{api}/company/contacts/{{id}}"
    paths: Json = {
        f"{api}/company/companies": listing("Company", "companies"),
        f"{api}/company/companies/{{id}}": one("Company", "a company", "id"),
        f"{api}/company/companies/{{id}}/sites": under("Object", "the company's sites", "id"),
        f"{api}/company/companies/{{id}}/sites/{{site_id}}": one("Object", "a site", "id", "site_id"),
        f"{contact}/communications": under("Object", "the contact's communication items", "id"),
        f"{contact}/communications/{{item_id}}": one("Object", "a communication item", "id", "item_id"),
        f"{contact}/image": {
            "parameters": [path_param("id")],
            "get": {
                "parameters": auth,
                "responses": {
                    "200": {"description": "the contact's image", "content": {"image/png": {"schema": {}}}},
                    **error_responses(401, 404),
                },
            },
        },
    }
    for name in ("notes", "tracks", "portalSecurity"):
        paths[f"{contact}/{name}"] = under("Object", "always empty: cwmock holds none", "id")
    for table in SETUP_TABLES:
        paths[f"{api}/{table}"] = listing("Object", f"the {table} setup table")
        paths[f"{api}/{table}/{{id}}"] = one("Object", "one row", "id")
    for empty in EMPTY_LISTS:
        paths[f"{api}/{empty}"] = listing("Object", "always empty: cwmock holds none")
    return paths


def hub_paths() -> Json:
    """The Open Connectors hub view of contacts."""
    hub_errors = {
        str(status): json_content(schema_ref("HubError"), text)
        for status, text in ((400, "bad query"), (401, "bad secrets or token"), (404, "no such contact"))
    }
    listing = json_content(
        {"type": "array", "items": schema_ref("Contact")},
        "a page of contacts",
        {"elements-returned-count": {"schema": {"type": "string"}}},
    )
    return {
        "/elements/api-v2/hubs/crm/contacts": {
            "get": {
                "summary": "List contacts (CEQL where, offset or cursor paging)",
                "parameters": [
                    query_param("where", "CEQL, e.g. lastUpdated>='2026-01-01T00:00:00Z'"),
                    ORDER_BY,
                    FIELDS,
                    PAGE,
                    PAGE_SIZE,
                    query_param("nextPage", "cursor from elements-next-page-token"),
                ],
                "responses": {"200": listing, **{k: v for k, v in hub_errors.items() if k != "404"}},
            }
        },
        "/elements/api-v2/hubs/crm/contacts/{id}": {
            "parameters": [path_param("id")],
            "get": {"responses": {"200": json_content(schema_ref("Contact"), "the contact"), **hub_errors}},
        },
    }


def openapi_document(config: EmulatorConfig) -> Json:
    """The OpenAPI 3.0.3 document of an emulator with this configuration."""
    security_schemes: Json = {
        "connectwise": {"type": "http", "scheme": "basic", "description": "company+publicKey:privateKey"},
        "openConnectors": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "User <secret>, Organization <secret>, Element <instance token>",
        },
        "admin": {"type": "http", "scheme": "bearer", "description": "only when started with an admin token"},
    }
    paths = {**native_paths(f"/{config.codebase}apis/3.0"), **hub_paths(), **admin_paths()}
    for path, item in paths.items():
        scheme = "admin" if path.startswith("/__admin") else "openConnectors" if path.startswith("/elements") else None
        scheme = scheme or ("connectwise" if "/apis/3.0" in path else None)
        for method, operation in item.items():
            if method != "parameters" and scheme is not None:
                operation.setdefault("security", [{scheme: []}])
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "cwmock: ConnectWise Manage and Open Connectors emulator",
            "version": config.version_number,
            "description": "The emulated native API, the hub view of contacts, and the admin API (/__admin).",
        },
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": security_schemes},
    }
