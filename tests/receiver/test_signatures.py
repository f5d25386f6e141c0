"""The signature verdict each arrival gets: valid (and with which key), missing, tampered, doubled, unexpected."""

from __future__ import annotations

import httpx
import pytest

from cwmock.receiver.inbox import Receiver
from cwmock.receiver.signatures import SignatureStatus, sign

from support.receiver import BODY, KEY, hook


@pytest.mark.anyio
async def test_signature_verdict_per_message(client: httpx.AsyncClient, receiver: Receiver) -> None:
    receiver.set_signature_keys(["old key", KEY])
    await client.post("/", content=BODY, headers=hook("a", sign(KEY, BODY)))
    await client.post("/", content=BODY, headers=hook("b"))
    await client.post("/", content=BODY + b" ", headers=hook("c", sign(KEY, BODY)))
    twice = [("Elements-Webhook-Signature", sign(KEY, BODY))] * 2
    await client.post("/", content=BODY, headers=twice)

    valid, missing, tampered, doubled = (arrival.signature for arrival in receiver.arrivals())
    assert (valid.status, valid.matched_key_index, valid.algorithm) == (SignatureStatus.VALID, 1, "sha256")
    assert missing.status is SignatureStatus.MISSING
    assert tampered.status is SignatureStatus.INVALID
    assert (doubled.status, doubled.reason) == (
        SignatureStatus.INVALID,
        "2 Elements-Webhook-Signature headers; send exactly one",
    )


@pytest.mark.anyio
async def test_without_keys_unsigned_is_expected_and_a_signature_is_unexpected(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    await client.post("/", content=BODY)
    await client.post("/", content=BODY, headers=hook(signature=sign(KEY, BODY)))
    statuses = [arrival.signature.status for arrival in receiver.arrivals()]
    assert statuses == [SignatureStatus.UNSIGNED_EXPECTED, SignatureStatus.UNEXPECTED]
