"""What an input rule raises: the key it was checking and a message naming the rule's bound."""

from __future__ import annotations


class InputError(ValueError):
    """A value an edge must refuse with a 4xx; `key` names what was wrong, the message says why and the bound."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


class MediaTypeError(InputError):
    """A body sent with a content type the endpoint does not read (HTTP 415)."""
