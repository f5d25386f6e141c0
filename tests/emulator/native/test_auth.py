"""Issue 19, breakage 5: a non-ASCII `Authorization: Basic` header used to answer 500."""

from __future__ import annotations

import base64

import pytest

from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.native.auth import CLIENT_ID

from support.in_process import CONTACTS, HUB_CONTACTS, INSTANCES, client_of, whole_emulator

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "value",
    [
        "Basic é".encode("latin-1"),
        "Basic ÿÿÿÿ".encode("latin-1"),
        b"Basic " + base64.b64encode("cwmock+ü:ç".encode("latin-1")),  # base64 of text that is not UTF-8
        b"Basic " + base64.b64encode("cwmock+\u00fc:\u00e7".encode()),  # valid UTF-8, unknown keys
        b"Basic \x00\x01",
        b"User \xe9, Organization \xe9, Element \xe9",
        b"Bearer \xff",
    ],
)
async def test_odd_credentials_are_a_401_on_every_api(value: bytes) -> None:
    emulator = whole_emulator(EmulatorConfig(admin_token="t0ken"))
    async with client_of(emulator) as client:
        for path in (CONTACTS, HUB_CONTACTS, f"{INSTANCES}/1", "/__admin/clock"):
            response = await client.get(path, headers=[(b"authorization", value), (b"clientid", CLIENT_ID.encode())])
            assert response.status_code == 401, (path, response.text)
