"""HTML form bodies (`application/x-www-form-urlencoded`) read into typed values, with errors that name the field."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from cwmock.core.timestamps import UTC, parse_iso
from cwmock.core.validation import InputError, id_from_text, read_json_document
from cwmock.core.validation.numbers import MAX_NUMBER_TEXT
from cwmock.emulator.http.bodies import read_limited

MAX_FORM_BYTES = 1 << 20
FORM_TYPE = "application/x-www-form-urlencoded"


class FormError(ValueError):
    """A form field the dashboard cannot use; the message says which and what to enter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Form:
    """The fields of one submitted form (the last value wins when a name repeats)."""

    values: dict[str, str]

    @classmethod
    async def read(cls, request: Request) -> Form:
        """Parse the request's form body (empty: no field); refuse other content types and bodies over 1 MiB."""
        body = await read_limited(request, MAX_FORM_BYTES)
        if body is None:
            raise FormError("", f"the form is larger than {MAX_FORM_BYTES} bytes")
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if body and content_type != FORM_TYPE:
            raise FormError("", f"send the form as {FORM_TYPE} (got {content_type or 'no content type'})")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise FormError("", "the form is not UTF-8") from None
        return cls(dict(parse_qsl(text, keep_blank_values=True)))

    def text(self, name: str, *, required: bool = False, label: str | None = None) -> str | None:
        """A field's text, stripped; None when empty (an error when `required`)."""
        value = self.values.get(name, "").strip()
        if not value:
            if required:
                raise FormError(name, f"{label or name} is required")
            return None
        return value

    def number(self, name: str, *, minimum: float | None = 0, label: str | None = None) -> float | None:
        """A finite number at or above `minimum`, or None when empty."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            if len(raw) > MAX_NUMBER_TEXT:  # the magnitude is checked by the rule of whatever takes the number
                raise ValueError(raw)
            value = float(raw)
        except ValueError:
            raise FormError(name, f"{label or name} must be a number, got {raw!r}") from None
        if not math.isfinite(value):
            raise FormError(name, f"{label or name} must be a finite number, got {raw!r}")
        if minimum is not None and value < minimum:
            raise FormError(name, f"{label or name} must be at least {minimum:g}, got {raw}")
        return value

    def integer(self, name: str, *, minimum: int | None = 0, label: str | None = None) -> int | None:
        """A whole number at or above `minimum`, or None when empty."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            value = id_from_text(label or name, raw)
        except InputError as exc:
            raise FormError(name, exc.message) from None
        if minimum is not None and value < minimum:
            raise FormError(name, f"{label or name} must be at least {minimum}, got {value}")
        return value

    def integers(self, name: str, *, label: str | None = None) -> list[int] | None:
        """Whole numbers separated by commas or spaces, or None when empty."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return [id_from_text(label or name, part) for part in raw.replace(",", " ").split()]
        except InputError:
            raise FormError(name, f"{label or name} must be whole numbers separated by commas, got {raw!r}") from None

    def instant(self, name: str, *, label: str | None = None) -> datetime | None:
        """An instant: ISO-8601 with a zone, or a browser's `datetime-local` value read as UTC; None when empty."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return parse_iso(raw)
        except ValueError:
            pass
        try:
            naive = datetime.fromisoformat(raw)
        except ValueError:
            raise FormError(
                name, f"{label or name} must be an instant such as 2026-01-01T00:15:00Z, got {raw!r}"
            ) from None
        return naive.replace(tzinfo=UTC) if naive.tzinfo is None else naive.astimezone(UTC)

    def json_object(self, name: str, *, label: str | None = None) -> dict[str, Any] | None:
        """A JSON object, or None when empty."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            value = read_json_document(raw, key=label or name)
        except InputError as exc:
            message = exc.message if "not valid JSON" in exc.message else f"{label or name}: {exc.message}"
            raise FormError(name, message) from None
        if not isinstance(value, dict):
            raise FormError(name, f"{label or name} must be a JSON object ({{...}}), got {type(value).__name__}")
        return value

    def checked(self, name: str) -> bool:
        """Whether a checkbox was ticked."""
        return name in self.values
