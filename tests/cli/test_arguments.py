"""Issue 19, breakage 12: `--host " 127.0.0.1"` passed the loopback check, then failed to bind with a traceback."""

from __future__ import annotations

import pytest

from cwmock.cli.commands import build_parser
from cwmock.cli.main import main


@pytest.mark.parametrize("host", [" 127.0.0.1", "127.0.0.1 ", "\t::1", "", "local host", "exa mple.com", "[::1"])
@pytest.mark.parametrize("command", ["emulator", "up"])
def test_a_host_that_cannot_be_bound_is_refused_before_anything_starts(
    command: str, host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--host", host])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "--host" in error
    assert "Traceback" not in error


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "[::1]", "localhost", "0.0.0.0", "my-host.example.com"])
def test_hosts_that_can_be_bound_pass(host: str) -> None:
    assert build_parser().parse_args(["emulator", "--host", host]).host == host
