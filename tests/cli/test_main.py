"""The `cwmock` command as a user runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest

from cwmock.cli.commands import build_parser, emulator_config
from cwmock.cli.main import main

from support.ports import free_port, free_ports
from support.processes import cwmock_running
from support.start_paths import modules_imported


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "emulator" in out
    assert "up" in out


def test_unknown_clock_mode_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["emulator", "--clock", "sundial"])
    assert "invalid choice" in capsys.readouterr().err


def read_lines_until(stream: Iterable[str], marker: str, timeout: float) -> list[str]:
    """Read a process's output lines in a thread until `marker` appears (or the timeout passes)."""
    lines: list[str] = []
    found = threading.Event()

    def reader() -> None:
        for line in stream:
            lines.append(line)
            if marker in line:
                found.set()
                return

    threading.Thread(target=reader, daemon=True).start()
    found.wait(timeout)
    return lines


@pytest.fixture
def emulator_process() -> Iterator[tuple[subprocess.Popen[str], int]]:
    port, receiver_port = free_ports(2)
    command = [
        sys.executable, "-m", "cwmock", "up", "--port", str(port), "--receiver-port", str(receiver_port),
        "--clock", "manual",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    yield process, port
    if process.poll() is None:
        process.kill()
        process.wait(10)
    assert process.stdout is not None
    process.stdout.close()


def test_cwmock_up_serves_sample_contacts_and_stops_cleanly_on_ctrl_c(
    emulator_process: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = emulator_process
    assert process.stdout is not None
    banner = read_lines_until(process.stdout, "Press Ctrl-C", timeout=30)
    assert any(f"http://127.0.0.1:{port}" in line for line in banner), banner
    url = f"http://127.0.0.1:{port}/v4_6_release/apis/3.0/company/contacts"
    auth = "Basic " + next(line for line in banner if "tenant cwmock:" in line).split("(Basic ")[1].rstrip(")\n")
    # The summary is printed once every server listens and the seed's instance exists.
    response = httpx.get(url, headers={"Authorization": auth, "clientId": "t"}, timeout=5)
    assert response.status_code == 200
    assert len(response.json()) == 12
    assert response.headers["date"] == "Thu, 01 Jan 2026 00:00:00 GMT"
    process.send_signal(signal.SIGINT)
    assert process.wait(20) == 0, "Ctrl-C must stop the stack cleanly"


def test_cwmock_emulator_serves_the_dashboard_behind_its_admin_token() -> None:
    port = free_port()
    with cwmock_running("emulator", "--port", str(port), "--admin-token", "tok-123") as banner:
        dashboard = f"http://127.0.0.1:{port}/__ui/"
        assert any(dashboard in line for line in banner), banner
        locked = httpx.get(dashboard, timeout=5)
        assert locked.status_code == 401
        assert 'name="token"' in locked.text
        opened = httpx.get(dashboard, headers={"Authorization": "Bearer tok-123"}, timeout=5)
        assert opened.status_code == 200
        assert "This emulator runs on the system clock" not in opened.text, "the CLI's clock can be moved"


@pytest.mark.parametrize("command", ["emulator", "up"])
def test_the_fidelity_switches_reach_the_emulator_settings(command: str) -> None:
    defaults = emulator_config(build_parser().parse_args([command]))
    assert (defaults.patch_reference_paths, defaults.bad_credentials_status) == ("ignored", 401)
    assert (defaults.rate_limit_per_minute, defaults.subsecond_stamps, defaults.hub_paging) == (None, False, "offset")
    options = "--patch-reference-paths applied --bad-credentials-status 404 --rate-limit-per-minute 1000"
    options += " --hub-paging keyset"
    switched = emulator_config(
        build_parser().parse_args([command, *options.split(), "--subsecond-stamps", "--contact-date-entered"])
    )
    assert (switched.patch_reference_paths, switched.bad_credentials_status) == ("applied", 404)
    assert (switched.rate_limit_per_minute, switched.subsecond_stamps, switched.hub_paging) == (1000, True, "keyset")
    assert switched.contact_date_entered, "cwmock up honours it too"


def test_a_bad_switch_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["emulator", "--rate-limit-per-minute", "0"])
    assert exit_info.value.code == 2
    assert "rate_limit_per_minute must be 1 or more" in capsys.readouterr().err


def test_a_poller_window_imports_neither_the_emulator_nor_httpx_s_cli(tmp_path: Path) -> None:
    done, modules = modules_imported(tmp_path, "cwmock", "poller", "once")
    assert done.returncode == 0, done.stderr
    assert "contacts: incomplete" in done.stderr, "the window ran: its fetch was refused"
    assert "httpx" in modules
    assert not modules & {"click", "rich", "pygments", "httpx._main"}
    assert not {name for name in modules if name.startswith(("cwmock.emulator", "cwmock.contract_tests"))}


def test_cwmock_contract_starts_pytest_without_importing_the_other_commands(tmp_path: Path) -> None:
    done, modules = modules_imported(tmp_path, "cwmock", "contract", "--version")
    assert done.returncode == 0, done.stderr
    assert "pytest" in done.stdout + done.stderr, "the suite's pytest ran, in its own interpreter"
    assert "cwmock.cli.contract" in modules
    assert not {name for name in modules if name.startswith(("cwmock.emulator", "cwmock.dashboard", "cwmock.poller"))}
    assert not modules & {"cwmock.cli.commands", "cwmock.contract_tests", "pytest"}
