"""`Elements-Webhook-Signature`: signing and constant-time verification (Open Connectors, "Hash Verification").

The judge's own implementation, written apart from the poller's signer so neither can hide the other's bug.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

SIGNATURE_HEADER = "Elements-Webhook-Signature"

Algorithm = Literal["sha256", "sha1"]
_DIGESTS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}


class SignatureStatus(str, enum.Enum):
    """What the receiver concluded about one message's signature."""

    VALID = "valid"
    """Keys are configured and the header matches one of them."""
    INVALID = "invalid"
    """Keys are configured and the header is malformed or matches none of them."""
    MISSING = "missing"
    """Keys are configured but the message carries no signature header."""
    UNSIGNED_EXPECTED = "unsigned-expected"
    """No key is configured and the message is unsigned, as the platform does without a key."""
    UNEXPECTED = "unexpected"
    """No key is configured, yet the message is signed."""


@dataclass(frozen=True)
class SignatureVerdict:
    """The verdict on one message: status, which key matched (by index) and why."""

    status: SignatureStatus
    reason: str
    algorithm: Algorithm | None = None
    matched_key_index: int | None = None

    @property
    def ok(self) -> bool:
        """True when the message is signed as the configuration says it should be."""
        return self.status in (SignatureStatus.VALID, SignatureStatus.UNSIGNED_EXPECTED)


def sign(key: str, body: bytes, algorithm: Algorithm = "sha256") -> str:
    """The header value for `body` under `key`: `sha256=` + Base64(HMAC(key UTF-8, raw body bytes))."""
    digest = hmac.new(key.encode("utf-8"), body, _DIGESTS[algorithm]).digest()
    return f"{algorithm}=" + base64.b64encode(digest).decode("ascii")


def _parse(header: str) -> tuple[Algorithm, bytes] | str:
    """(algorithm, digest bytes), or a reason the header is malformed."""
    prefix, sep, encoded = header.partition("=")
    if not sep:
        return f"header {header!r} has no '<algorithm>=' prefix; expected 'sha256=<base64>'"
    if prefix not in _DIGESTS:
        return f"unknown algorithm {prefix!r} in {header!r}; expected 'sha256=<base64>'"
    try:
        digest = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return f"the value after {prefix}= is not standard Base64: {encoded!r}"
    algorithm: Algorithm = "sha256" if prefix == "sha256" else "sha1"
    return algorithm, digest


def verify(
    header: str | None, body: bytes, keys: Sequence[str], *, allow_legacy_sha1: bool = False
) -> SignatureVerdict:
    """Judge `header` (None when absent) for the raw `body` against every configured key, in constant time.

    The platform signs with sha256 since 2016; a `sha1=` header is accepted only with `allow_legacy_sha1`.
    """
    if not keys:
        if header is None:
            return SignatureVerdict(SignatureStatus.UNSIGNED_EXPECTED, "no signature key is set; none sent")
        return SignatureVerdict(
            SignatureStatus.UNEXPECTED, "a signature was sent although no signature key is configured"
        )
    if header is None:
        return SignatureVerdict(
            SignatureStatus.MISSING, f"a signature key is configured; no {SIGNATURE_HEADER} header was sent"
        )
    parsed = _parse(header)
    if isinstance(parsed, str):
        return SignatureVerdict(SignatureStatus.INVALID, parsed)
    algorithm, received = parsed
    if algorithm == "sha1" and not allow_legacy_sha1:
        return SignatureVerdict(
            SignatureStatus.INVALID,
            "legacy sha1= signature; the platform signs with sha256= (HMAC-SHA256) since 2016",
            algorithm=algorithm,
        )
    matched: int | None = None
    for index, key in enumerate(keys):
        expected = hmac.new(key.encode("utf-8"), body, _DIGESTS[algorithm]).digest()
        # Every key is compared, so timing does not reveal how close a forgery came.
        if hmac.compare_digest(expected, received) and matched is None:
            matched = index
    if matched is None:
        return SignatureVerdict(
            SignatureStatus.INVALID,
            f"{algorithm} signature matches none of the {len(keys)} configured key(s) for these body bytes",
            algorithm=algorithm,
        )
    return SignatureVerdict(SignatureStatus.VALID, f"{algorithm} signature matches key #{matched}", algorithm, matched)
