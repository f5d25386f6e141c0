"""`cwmock judge` end to end: a poller run as a separate long-running process, on its own timer, judged live.

Each judgement drives real time (the emulator's clock follows the wall), so each takes its duration plus the
settle: about 10 s. The test waits on the judge's process with a timeout; it never sleeps.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import httpx
import pytest

from cwmock.core.clock import ManualClock, SystemClock
from cwmock.emulator.app import create_emulator
from cwmock.emulator.http.server import BackgroundServer
from cwmock.fixtures import SEED_INSTANCE, read_fixture
from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import serve_receiver

JUDGE_TIMEOUT = 110  # seconds: well under two minutes, whatever the machine
REFERENCE_POLLER = (
    'exec "$PYTHON" -m cwmock poller run --instance "$CWMOCK_INSTANCE" --hub-url "$CWMOCK_HUB_URL" '
    '--state-dir "$CWMOCK_STATE_DIR" --interval 1'  # the hub's credentials come from CWMOCK_HUB_AUTH
)


def judge(
    tmp_path: Path, *service: str, seed: int = 1, options: tuple[str, ...] = ()
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = tmp_path / "verdict.json"
    command = [
        sys.executable, "-m", "cwmock", "judge", "--duration", "6s", "--steps-per-minute", "100", "--seed", str(seed),
        "--json", str(report), "--junit", str(tmp_path / "verdict.xml"), "--work-dir", str(tmp_path / "work"),
        *options, "--", *service,
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "PYTHONPATH": ":".join(sys.path)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=JUDGE_TIMEOUT, env=env, check=False)
    assert report.exists(), done.stdout + done.stderr
    return done, json.loads(report.read_text(encoding="utf-8"))


def test_the_reference_poller_as_a_service_passes(tmp_path: Path) -> None:
    done, verdict = judge(tmp_path, "sh", "-c", REFERENCE_POLLER)
    assert done.returncode == 0, done.stdout + done.stderr
    assert verdict["outcome"] == "PASS"
    assert verdict["required"] > 0
    assert verdict["inconclusive"] == []
    assert "PASS instance 1" in done.stdout
    suite = ElementTree.parse(tmp_path / "verdict.xml").getroot()
    assert suite.get("failures") == "0"
    assert int(suite.get("tests") or 0) > 1
    assert verdict["service"] == {"status": -15, "stoppedByJudge": True, "stderrTail": verdict["service"]["stderrTail"]}


def test_a_lossy_zoo_poller_as_a_service_is_caught_missing(tmp_path: Path) -> None:
    zoo = [sys.executable, "-m", "cwmock.contract_tests.zoo.service", "--bug", "dedupe-by-id", "--interval", "1"]
    done, verdict = judge(tmp_path, *zoo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert verdict["outcome"] == "FAIL"
    kinds = {finding["kind"] for finding in verdict["findings"]}
    assert "MISSING" in kinds
    suite = ElementTree.parse(tmp_path / "verdict.xml").getroot()
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert "no MISSING" in failed


def test_a_poller_that_never_polls_is_not_a_pass(tmp_path: Path) -> None:
    done, verdict = judge(tmp_path, sys.executable, "-c", "import sys; sys.stdin.read()")
    assert done.returncode != 0
    assert verdict["outcome"] != "PASS"


@pytest.mark.parametrize(("bug", "outcome"), [(None, "PASS"), ("dedupe-by-id", "FAIL")], ids=["correct", "lossy"])
def test_a_native_api_poller_is_judged_from_its_company_contacts_requests(
    tmp_path: Path, bug: str | None, outcome: str
) -> None:
    zoo = [sys.executable, "-m", "cwmock.contract_tests.zoo.service", "--native", "--interval", "1"]
    zoo += ["--bug", bug] if bug else []
    done, verdict = judge(tmp_path, *zoo, options=("--client-id", "my-native-poller"))
    assert verdict["outcome"] == outcome, done.stdout + done.stderr
    assert verdict["required"] > 0
    kinds = {f["kind"] for f in verdict["findings"]}
    if bug is None:
        assert kinds == set()
    else:
        assert "MISSING" in kinds
    assert verdict["requests"] > 5


def test_a_poller_already_running_is_judged_on_a_stack_attached_by_url(tmp_path: Path) -> None:
    clock = ManualClock(SystemClock().now())
    clock.follow_wall()
    emulator = create_emulator(clock=clock)
    with BackgroundServer(emulator.app) as server, serve_receiver(Receiver(clock)) as receiver:
        body = json.loads(read_fixture(SEED_INSTANCE))
        configuration = {**body["configuration"], "event.notification.callback.url": f"{receiver.url}/mine"}
        created = httpx.post(
            f"{server.url}/__admin/instances",
            json={"tenant": "cloudelements", "name": "running", "configuration": configuration},
        ).json()
        instance = tmp_path / "instance.json"
        instance.write_text(json.dumps({**body, **created, "configuration": configuration}), encoding="utf-8")
        (tmp_path / "state").mkdir()
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": ":".join(sys.path),
            "CWMOCK_INSTANCE": str(instance),
            "CWMOCK_HUB_URL": f"{server.url}/elements/api-v2",
            "CWMOCK_HUB_AUTH": "User cwmock-user-secret, Organization cwmock-organization-secret, "
            f"Element {created['token']}",
            "CWMOCK_STATE_DIR": str(tmp_path / "state"),
            "CWMOCK_START": created["createdDate"],
        }
        zoo = [sys.executable, "-m", "cwmock.contract_tests.zoo.service", "--interval", "1"]
        service = subprocess.Popen(zoo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            attach = ("--emulator-url", server.url, "--receiver-url", receiver.url, "--instance-id", str(created["id"]))
            report = tmp_path / "verdict.json"
            command = [sys.executable, "-m", "cwmock", "judge", "--duration", "8s", "--json", str(report), *attach]
            env_judge = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=JUDGE_TIMEOUT, env=env_judge, check=False
            )
        finally:
            service.terminate()
            service.wait(timeout=10)
        verdict = json.loads(report.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert verdict["outcome"] == "PASS"
    assert verdict["required"] > 0
    clock.close()
    assert verdict["service"] is None  # not the judge's to start or stop
