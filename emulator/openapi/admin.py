"""The admin API's part of the OpenAPI document (`/__admin`)."""

from __future__ import annotations

from cwmock.emulator.faults.kinds import FAULT_KINDS
from cwmock.emulator.faults.sockets import SOCKET_FAULT_KINDS
from cwmock.emulator.openapi.schemas import (
    NO_CONTENT,
    Json,
    error_responses,
    json_content,
    path_param,
    query_param,
    request_body,
    schema_ref,
)


def _admin(summary: str, ok: Json, *errors: int, body: Json | None = None, params: list[Json] | None = None) -> Json:
    operation: Json = {"summary": summary, "tags": ["admin"], "responses": {**ok, **error_responses(*errors)}}
    if body is not None:
        operation["requestBody"] = request_body(body, required=False)
    if params:
        operation["parameters"] = params
    return operation


def admin_paths() -> Json:
    """The admin API (`/__admin`): clock, tenant mutations, inspection, lifecycle and faults."""
    obj = schema_ref("Object")
    ok = {"200": json_content(obj, "done")}
    created = {"201": json_content(obj, "created")}
    tenant = path_param("tenant", {"type": "string"})
    contact_id = path_param("id")
    instant = {"type": "string", "format": "date-time"}
    write_options = {
        "stamp": instant,
        "updatedBy": {"type": "string"},
        "visibleAfter": {"type": "number", "minimum": 0},
    }
    contact_body = {
        "type": "object",
        "required": ["contact"],
        "properties": {"contact": schema_ref("ContactBody"), **write_options},
    }
    instance_body = {
        "type": "object",
        "required": ["tenant", "name"],
        "properties": {
            "tenant": {"type": "string"},
            "name": {"type": "string", "minLength": 1},
            "tags": {"type": "array", "items": {"type": "string"}},
            "configuration": obj,
            "clientId": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "description": "register a native-API subject: the tenant's native requests sending this clientId",
            },
        },
    }
    fault = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string", "enum": list(FAULT_KINDS)}},
        "description": "kind options plus a scope: path or pathRegex, method, times, after, probability, seed, "
        "from and until (emulated instants: the fault matches only while the clock is in [from, until))",
    }
    socket_fault = {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"type": "string", "enum": list(SOCKET_FAULT_KINDS)},
            "cutAfter": {"type": "integer", "minimum": 0, "description": "cut_body_after: body bytes let through"},
            "from": instant,
            "until": instant,
        },
        "description": "applied by the TCP fault proxy (--fault-proxy-port) to connections through it; the same scope "
        "as /__admin/faults: path or pathRegex, method, times, after, probability, seed, from, until",
    }
    return {
        "/__admin/clock": {"get": _admin("Read the clock", ok, 409)},
        "/__admin/clock/set": {"post": _admin("Jump to an instant", ok, 400, 409, body=obj)},
        "/__admin/clock/advance": {"post": _admin("Advance, running everything due", ok, 400, 409, 504, body=obj)},
        "/__admin/clock/freeze": {"post": _admin("Stop following wall time", ok, 409)},
        "/__admin/clock/follow": {"post": _admin("Follow wall time", ok, 400, 409, body=obj)},
        "/__admin/clock/wait": {
            "get": _admin(
                "Long-poll until an instant",
                ok,
                400,
                409,
                params=[
                    query_param("until", "ISO instant"),
                    query_param("timeout", "seconds"),
                    query_param("follower", "name"),
                ],
            )
        },
        "/__admin/clock/followers/{name}": {
            "delete": _admin("Detach an external follower", ok, 409, params=[path_param("name", {"type": "string"})])
        },
        "/__admin/tenants/{tenant}/contacts": {
            "post": _admin(
                "Create a contact with an explicit stamp", created, 400, 404, body=contact_body, params=[tenant]
            )
        },
        "/__admin/tenants/{tenant}/contacts/bulk": {
            "post": _admin(
                "Generate contacts",
                created,
                400,
                404,
                params=[tenant],
                body={
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer", "minimum": 1, "maximum": 10_000},
                        "seed": {"type": "integer"},
                        **write_options,
                    },
                },
            )
        },
        "/__admin/tenants/{tenant}/contacts/touch": {
            "post": _admin("Rewrite contacts with a new stamp", ok, 400, 404, body=obj, params=[tenant])
        },
        "/__admin/tenants/{tenant}/contacts/{id}": {
            "put": _admin("Replace a contact", ok, 400, 404, body=contact_body, params=[tenant, contact_id]),
            "patch": _admin("Patch a contact", ok, 400, 404, body=obj, params=[tenant, contact_id]),
            "delete": _admin(
                "Delete a contact",
                NO_CONTENT,
                400,
                404,
                params=[tenant, contact_id, query_param("visibleAfter", "seconds", {"type": "number", "minimum": 0})],
            ),
        },
        "/__admin/tenants/{tenant}/seed": {
            "post": _admin("Seed contacts", created, 400, 404, body=obj, params=[tenant])
        },
        "/__admin/tenants/{tenant}/visibility-delay": {
            "put": _admin("Set the visibility delay", ok, 400, 404, body=obj, params=[tenant])
        },
        "/__admin/tenants/{tenant}/date-entered": {
            "put": _admin("Stamp dateEntered on new contacts (not faithful)", ok, 400, 404, body=obj, params=[tenant])
        },
        "/__admin/hub/paging": {
            "get": _admin("What the hub's next-page token wraps", ok),
            "put": _admin("Switch the hub's paging: offset or keyset", ok, 400, body=obj),
        },
        "/__admin/history": {
            "get": _admin(
                "Every version with its visibility",
                ok,
                400,
                404,
                params=[
                    query_param("tenant", "company id"),
                    query_param("id", "contact id", {"type": "integer"}),
                    query_param("since", "ISO instant"),
                    query_param("until", "ISO instant"),
                ],
            )
        },
        "/__admin/sequence": {"get": _admin("The last sequence number handed out, and server time", ok)},
        "/__admin/journal": {
            "get": _admin("The request journal", ok, params=[query_param("path", "path prefix")]),
            "delete": _admin("Clear the journal", NO_CONTENT),
        },
        "/__admin/instances": {
            "get": _admin("List instances", {"200": json_content({"type": "array", "items": obj}, "instances")}),
            "post": _admin("Create an instance (or a native-API subject)", created, 400, 404, body=instance_body),
        },
        "/__admin/instances/{id}": {
            "get": _admin("One instance", ok, 404, params=[contact_id]),
            "delete": _admin("Delete an instance", NO_CONTENT, 404, params=[contact_id]),
        },
        "/__admin/instances/{id}/served": {
            "get": _admin("Versions served to an instance", ok, 404, params=[contact_id])
        },
        "/__admin/instances/{id}/requests": {
            "get": _admin(
                "Every hub request of an instance, kept outside the journal's ring", ok, 404, params=[contact_id]
            )
        },
        "/__admin/requests/unattributed": {"get": _admin("Hub requests whose Element token named no instance", ok)},
        "/__admin/reset": {"post": _admin("Reset one tenant or everything", ok, 400, 404, body=obj)},
        "/__admin/snapshot": {"get": _admin("The whole state", ok)},
        "/__admin/restore": {"post": _admin("Restore a snapshot", ok, 400, body=obj)},
        "/__admin/faults": {
            "get": _admin("List faults", {"200": json_content({"type": "array", "items": obj}, "faults")}),
            "post": _admin("Add a fault", created, 400, 404, body=fault),
            "delete": _admin("Remove every fault", NO_CONTENT),
        },
        "/__admin/faults/{id}": {
            "get": _admin("One fault", ok, 404, params=[contact_id]),
            "delete": _admin("Remove a fault", NO_CONTENT, 404, params=[contact_id]),
        },
        "/__admin/socket-faults": {
            "get": _admin("List socket faults", {"200": json_content({"type": "array", "items": obj}, "faults")}),
            "post": _admin("Add a socket fault (needs the TCP fault proxy)", created, 400, 409, body=socket_fault),
            "delete": _admin("Remove every socket fault", NO_CONTENT),
        },
        "/__admin/socket-faults/{id}": {
            "get": _admin("One socket fault", ok, 404, params=[contact_id]),
            "delete": _admin("Remove a socket fault", NO_CONTENT, 404, params=[contact_id]),
        },
        "/__admin/fault-proxy": {"get": _admin("Where the TCP fault proxy listens (url, or null)", ok)},
    }
