"""The harness's admin client: certificates are checked on an HTTPS emulator, none is loaded for plain HTTP."""

from __future__ import annotations

import httpx
import pytest

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.testing.plugin import LiveEmulator, TlsLiveEmulator

pytestmark = pytest.mark.anyio


async def test_an_https_emulator_whose_ca_is_not_trusted_is_refused(cwmock_tls_live: TlsLiveEmulator) -> None:
    control = EmulatorControl(cwmock_tls_live.url)
    try:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await control.now()
    finally:
        await control.aclose()


async def test_a_plain_http_emulator_is_driven_as_before(cwmock_live: LiveEmulator) -> None:
    control = EmulatorControl(cwmock_live.url)
    try:
        assert await control.now() == cwmock_live.start
    finally:
        await control.aclose()
