"""Domain errors raised by the model; the HTTP layer maps them to ConnectWise error bodies."""

from __future__ import annotations

from dataclasses import dataclass, field

from cwmock.core.validation import InputError, MediaTypeError


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, in ConnectWise's `errors[]` shape."""

    code: str
    message: str
    field: str
    resource: str = "contact"


@dataclass
class EmulatorError(Exception):
    """Base of every error the model reports to a client."""

    code: str
    message: str
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        details = "; ".join(f"{e.field}: {e.message}" for e in self.errors)
        return f"{self.code}: {self.message}" + (f" ({details})" if details else "")


class InvalidObject(EmulatorError):
    """A request body or parameter the model refuses (HTTP 400)."""

    def __init__(self, message: str, errors: list[FieldError] | None = None, code: str = "InvalidObject") -> None:
        super().__init__(code, message, errors or [])


class NotFound(EmulatorError):
    """No such record for this tenant (HTTP 404)."""

    def __init__(self, message: str) -> None:
        super().__init__("NotFound", message)


def invalid_field(field_name: str, message: str, code: str = "InvalidField") -> InvalidObject:
    """A 400 naming one offending field."""
    return InvalidObject("contact object is invalid", [FieldError(code, message, field_name)])


class UnsupportedMediaType(EmulatorError):
    """A body sent with a content type the endpoint does not read (HTTP 415)."""

    def __init__(self, message: str) -> None:
        super().__init__("UnsupportedMediaType", message)


def refused(error: InputError) -> EmulatorError:
    """The model error for a value an input rule refused: 415 for a content type, else a 400 naming the key."""
    if isinstance(error, MediaTypeError):
        return UnsupportedMediaType(error.message)
    return InvalidObject(error.message, [FieldError("InvalidField", error.message, error.key)])
