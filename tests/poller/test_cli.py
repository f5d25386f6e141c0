"""`cwmock poller ...` as a user runs it: protocol errors, parked/redeliver, and `run` following the emulator."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from cwmock.cli.main import main
from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
from cwmock.contract_tests.harness.runner import Harness, HarnessSettings
from cwmock.fixtures import read_fixture
from cwmock.poller.state import PollerState
from cwmock.receiver.server import ReceiverServer
from cwmock.testing.plugin import LiveEmulator

TENANT = "cloudelements"


def test_once_without_the_protocol_environment_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("CWMOCK_INSTANCE", "CWMOCK_HUB_URL", "CWMOCK_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert main(["poller", "once"]) == 2
    assert "CWMOCK_INSTANCE is not set" in capsys.readouterr().err


def set_protocol_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The external-poller protocol's environment for the seed instance, its hub unreachable."""
    body = json.loads(read_fixture("instances/seed_example_polling.json"))
    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps({**body, "id": 1, "token": "t", "createdDate": "2026-01-01T00:00:00Z"}))
    env = {
        "CWMOCK_INSTANCE": str(instance),
        "CWMOCK_HUB_URL": "http://127.0.0.1:9/elements/api-v2",
        "CWMOCK_HUB_AUTH": "x",
        "CWMOCK_STATE_DIR": str(tmp_path / "state"),
        "CWMOCK_NOW": "2026-01-01T00:00:00Z",
        "CWMOCK_START": "2026-01-01T00:00:00Z",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("value", ["0", "65", "-3"])
def test_deliveries_in_flight_are_bounded(
    value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    set_protocol_env(tmp_path, monkeypatch)
    assert main(["poller", "once", "--max-in-flight", value]) == 2
    assert f"--max-in-flight {value}: give 1 to 64" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--account-id", "--company-id", "--user-id"])
def test_envelope_ids_must_be_positive(
    option: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    set_protocol_env(tmp_path, monkeypatch)
    assert main(["poller", "once", option, "0"]) == 2
    assert f"{option} 0: the platform's ids are positive integers" in capsys.readouterr().err


def test_an_unknown_raw_mode_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["poller", "once", "--raw", "records"])
    assert "argument --raw: invalid choice: 'records'" in capsys.readouterr().err


def test_an_unknown_crash_point_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    set_protocol_env(tmp_path, monkeypatch)
    monkeypatch.setenv("CWMOCK_POLLER_CRASH_AT", "during_lunch")
    assert main(["poller", "once"]) == 2
    assert "not a crash point" in capsys.readouterr().err


@pytest.mark.anyio
async def test_parked_notifications_are_listed_and_redelivered(
    cwmock_live: LiveEmulator, receiver_server: ReceiverServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    control = EmulatorControl(cwmock_live.url)
    body = json.loads(read_fixture("instances/seed_example_polling.json"))
    settings = HarnessSettings(cwmock_live.url, f"{receiver_server.url}/hooks", tmp_path)
    harness = Harness(control, receiver_server.receiver, ReferencePoller(), body, settings)
    await harness.start()
    try:
        harness.receiver.script(500, times=6)
        await control.create_contact(TENANT, {"firstName": "Parked"}, stamp=harness.start_instant)
        await control.replace_contact(TENANT, 1, {"firstName": "P"}, stamp=harness.start_instant + timedelta(seconds=9))
        await harness.run_windows(1)
        while (due := harness.windows[-1].outcome.next_due) is not None:
            await control.set_clock(due)
            await harness.run_window()
        assert len(harness.receiver.arrivals()) == 6
        assert main(["poller", "parked", "--state-dir", str(harness.state_dir)]) == 0
        [listed] = json.loads(capsys.readouterr().out)
        assert listed["attempts"] == 6
        assert main(["poller", "redeliver", "--state-dir", str(harness.state_dir), "--id", listed["id"]]) == 0
        assert json.loads(capsys.readouterr().out) == {"requeued": 1}
        await harness.run_window()
        arrivals = harness.receiver.arrivals()
        assert [a.status for a in arrivals] == [500] * 6 + [200]
        assert len({a.body for a in arrivals}) == 1
        verdict = await harness.settle_and_judge()
        assert verdict.passed, verdict.report()
    finally:
        await control.aclose()


@pytest.mark.anyio
async def test_run_follows_the_emulators_clock(
    cwmock_live: LiveEmulator, receiver_server: ReceiverServer, tmp_path: Path
) -> None:
    control = EmulatorControl(cwmock_live.url)
    body = json.loads(read_fixture("instances/seed_example_polling.json"))
    settings = HarnessSettings(cwmock_live.url, f"{receiver_server.url}/hooks", tmp_path)
    harness = Harness(control, receiver_server.receiver, ReferencePoller(), body, settings)
    await harness.start()
    context = harness.context(harness.start_instant)
    command = [
        sys.executable, "-m", "cwmock", "poller", "run", "--instance", str(harness.instance_path),
        "--hub-url", context.hub_url, "--hub-auth", context.hub_auth, "--state-dir", str(harness.state_dir),
        "--follow-emulator", cwmock_live.url, "--follower-name", "test-poller", "--max-windows", "3",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        async with httpx.AsyncClient(base_url=f"{cwmock_live.url}/__admin", timeout=30) as admin:
            await wait_for_follower(admin, "test-poller")
            await admin.post("/clock/advance", json={"seconds": 60})
            created = await control.create_contact(TENANT, {"firstName": "Followed"})
            await admin.post("/clock/advance", json={"seconds": 1740})
            out, err = process.communicate(timeout=60)
            status = (await admin.get("/clock")).json()
    finally:
        process.kill()
        await control.aclose()
    assert process.returncode == 0, err
    assert len(out.strip().splitlines()) == 3, out
    [arrival] = harness.receiver.arrivals()
    assert arrival.json()["message"]["events"][0]["objectId"] == str(created["id"])
    assert arrival.json()["message"]["events"][0]["pollDate"] == "2026-01-01T00:15:00Z"
    assert "test-poller" not in status["followers"], "the follower detaches on exit"


async def wait_for_follower(admin: httpx.AsyncClient, name: str, timeout: float = 30.0) -> None:
    """Wait (on the condition, in real time) until the poller's first long-poll has attached it."""
    attached = threading.Event()
    for _ in range(int(timeout * 20)):
        status = (await admin.get("/clock")).json()
        if name in status["followers"]:
            attached.set()
            return
        attached.wait(0.05)
    raise AssertionError(f"follower {name!r} never attached to the emulator's clock")


def test_state_is_one_sqlite_file(tmp_path: Path) -> None:
    PollerState.open(tmp_path).close()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite3"] == ["cwmock-poller.sqlite3"]


@pytest.mark.parametrize("seconds", ["0", "-1", "86401", "nan"])
def test_run_refuses_an_interval_that_is_not_a_positive_number_of_seconds(
    seconds: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--instance", str(tmp_path / "i.json"), "--hub-url", "http://x", "--hub-auth", "a"]
    assert main(["poller", "run", *arguments, "--state-dir", str(tmp_path), "--interval", seconds]) == 2
    assert "--interval" in capsys.readouterr().err


def test_run_takes_the_hub_credentials_from_the_environment_and_asks_for_them_when_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An argument shows in every process listing; the header carries the user and organization secrets."""
    monkeypatch.delenv("CWMOCK_HUB_AUTH", raising=False)
    arguments = ["--instance", str(tmp_path / "missing.json"), "--hub-url", "http://x", "--state-dir", str(tmp_path)]
    assert main(["poller", "run", *arguments]) == 2
    assert "CWMOCK_HUB_AUTH" in capsys.readouterr().err
    monkeypatch.setenv("CWMOCK_HUB_AUTH", "User u, Organization o, Element e")
    assert main(["poller", "run", *arguments]) == 2
    error = capsys.readouterr().err
    assert "cannot read the instance JSON" in error, "past the credentials: the environment supplied them"
    assert "Organization o" not in error


@pytest.mark.parametrize(("hub", "loads"), [("http://127.0.0.1:9/elements/api-v2", 0), ("https://127.0.0.1:9/x", 1)])
def test_a_window_loads_the_ca_bundle_only_for_https(
    hub: str, loads: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    set_protocol_env(tmp_path, monkeypatch)
    monkeypatch.setenv("CWMOCK_HUB_URL", hub)
    built: list[ssl.SSLContext] = []
    create = httpx.create_ssl_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(create(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    assert main(["poller", "once"]) == 0
    assert len(built) == loads
