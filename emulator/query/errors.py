"""The one error every query parser raises, and the bodies the HTTP layer answers it with."""

from __future__ import annotations

from typing import Any

from cwmock.emulator.model.errors import FieldError, InvalidObject

_SHOWN_TOKEN = 40


class QueryError(Exception):
    """A query parameter (`conditions`, CEQL `where`, `orderBy`, `fields`...) that cannot be understood.

    `token` is the offending text ("" at the end of the input) and `position` its 0-based offset.
    """

    def __init__(self, message: str, token: str, position: int) -> None:
        self.message = message
        self.token = token
        self.position = position
        super().__init__(describe(self))


def describe(error: QueryError) -> str:
    """`message at position N near 'token'`, the form every error body uses."""
    if not error.token:
        return f"{error.message} at position {error.position} (end of input)"
    token = error.token if len(error.token) <= _SHOWN_TOKEN else error.token[:_SHOWN_TOKEN] + "..."
    return f"{error.message} at position {error.position} near '{token}'"


def to_invalid_object(error: QueryError, parameter: str = "conditions", resource: str = "contact") -> InvalidObject:
    """The model-level 400 for a bad query parameter, naming the parameter as the field."""
    return InvalidObject(
        f"{parameter} is invalid", [FieldError("InvalidCondition", describe(error), parameter, resource)]
    )


def connectwise_error_body(error: QueryError, parameter: str = "conditions") -> dict[str, Any]:
    """ConnectWise's 400 body (PSA Developer Guide) for a bad `conditions`/`childConditions`/`orderBy`/`fields`."""
    invalid = to_invalid_object(error, parameter)
    return {
        "code": invalid.code,
        "message": f"{invalid.message}: {describe(error)}",
        "errors": [
            {"code": e.code, "message": e.message, "resource": e.resource, "field": e.field} for e in invalid.errors
        ],
    }


def hub_error_body(error: QueryError, request_id: str, parameter: str = "where") -> dict[str, Any]:
    """Open Connectors' 400 body (`{requestId, message}`) for a bad CEQL `where`, `orderBy` or `fields`."""
    return {"requestId": request_id, "message": f"Invalid {parameter}: {describe(error)}"}
