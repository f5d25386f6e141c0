"""The zoo pollers' HTTP client: the standard library's `http.client`, a new connection for each request.

A zoo window is a process of its own, started again for every window the suite runs: httpx and its transport stack
were a third of that start-up, for a GET per hub page and a POST per notification. What the zoo needs of a client is
here: a timeout, the status, headers and body of an answer, and one error for every request that got no answer.
HTTPS verifies with the system's CA store (or `SSL_CERT_FILE`), where httpx used certifi's bundle.
"""

from __future__ import annotations

import http.client
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    """A request that got no whole answer (refused, reset, cut short, timed out), or an answer that is not a 2xx."""


@dataclass(frozen=True)
class Response:
    """An answer: its status, its header fields (names compared without case) and its whole body."""

    url: str
    status_code: int
    reason: str
    headers: http.client.HTTPMessage
    content: bytes

    def json(self) -> Any:
        """The body read as JSON (ValueError when it is not)."""
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        """Raise HttpError unless the status is 2xx."""
        if not 200 <= self.status_code < 300:
            raise HttpError(f"{self.status_code} {self.reason} from {self.url}")


class Client:
    """GET and POST with a timeout (seconds, for connecting and for each read); each request has its own connection,
    closed once the answer is read, so there is nothing to close afterwards."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._tls: ssl.SSLContext | None = None

    def get(self, url: str, headers: dict[str, str]) -> Response:
        """GET `url`."""
        return self._request("GET", url, None, headers)

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Response:
        """POST `content` to `url`."""
        return self._request("POST", url, content, headers)

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HttpError(f"cannot request {url!r}: not an http or https URL")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if parts.scheme == "http":
            return http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout), target
        if self._tls is None:
            self._tls = ssl.create_default_context()  # built for the first HTTPS request only
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=self.timeout, context=self._tls), target

    def _request(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Response:
        connection, target = self._connection(url)
        try:
            connection.request(method, target, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as error:
            raise HttpError(f"{method} {url} failed: {type(error).__name__}: {error}") from error
        finally:
            connection.close()
        return Response(url, answer.status, answer.reason, answer.headers, content)
