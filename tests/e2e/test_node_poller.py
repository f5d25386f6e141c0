"""A poller written in node (`examples/node-poller/poller.mjs`), judged live by `cwmock judge` as a user runs it.

It polls on its own timer as a separate process: judged in real time and passing; its `--lossy` variant caught
MISSING; and under accelerated time (libfaketime at 60x), fifteen emulated minutes judged in well under a minute,
passing although its clock starts behind the emulator's (the drift of its start-up). Each test waits on the judge's
process with a timeout; none sleeps. They need node and libfaketime (`.ci/run` installs both).
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cwmock.core.timestamps import parse_iso

from support.runtimes import required_libfaketime, required_program

JUDGE_TIMEOUT = 110  # seconds: well under two minutes, whatever the machine
POLLER = Path(__file__).resolve().parents[2] / "examples" / "node-poller" / "poller.mjs"
REAL_TIME = ["--duration", "6s", "--steps-per-minute", "100"]
# 15 emulated minutes at 60x: 15 s of wall time, plus the settle; the poller polls every emulated minute.
ACCELERATED = ["--clock", "accelerated", "--speed", "60", "--duration", "15m", "--steps-per-minute", "4"]
ACCELERATED_SETTLE = ["--settle-timeout", "10m"]


def judge(tmp_path: Path, options: list[str], *poller_options: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    node = required_program("node")
    report = tmp_path / "verdict.json"
    command = [
        sys.executable, "-m", "cwmock", "judge", "--seed", "1", *options, "--json", str(report),
        "--junit", str(tmp_path / "verdict.xml"), "--work-dir", str(tmp_path / "work"),
        "--", node, str(POLLER), *poller_options,
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=JUDGE_TIMEOUT, env=env, check=False)
    assert report.exists(), done.stdout + done.stderr
    return done, json.loads(report.read_text(encoding="utf-8"))


def service_log(tmp_path: Path) -> str:
    return (tmp_path / "work" / "service.stderr").read_text(encoding="utf-8", errors="replace")


def test_the_node_poller_judged_live_in_real_time_passes(tmp_path: Path) -> None:
    done, verdict = judge(tmp_path, REAL_TIME, "--interval", "1")
    assert done.returncode == 0, done.stdout + done.stderr + service_log(tmp_path)
    assert verdict["outcome"] == "PASS"
    assert verdict["required"] > 0, "the workload wrote versions the poller had to deliver"
    assert verdict["inconclusive"] == []
    suite = ElementTree.parse(tmp_path / "verdict.xml").getroot()
    assert suite.get("failures") == "0"


def test_the_lossy_node_poller_is_caught_missing(tmp_path: Path) -> None:
    done, verdict = judge(tmp_path, REAL_TIME, "--interval", "1", "--lossy")
    assert done.returncode == 1, done.stdout + done.stderr
    assert verdict["outcome"] == "FAIL"
    kinds = {finding["kind"] for finding in verdict["findings"]}
    assert kinds == {"MISSING"}, "it loses updates and does nothing else wrong"
    assert "(lossy)" in service_log(tmp_path)


@pytest.mark.parametrize("lossy", [False, True], ids=["passes", "lossy-caught-missing"])
def test_the_node_poller_under_accelerated_time(tmp_path: Path, lossy: bool) -> None:
    required_libfaketime()
    # The poller's own timers run at 60x too: its default 30 s request timeout would be 0.5 s of real time, which a
    # machine busy with other tests can exceed; 600 emulated seconds are 10 real ones.
    flags = ["--interval", "60", "--timeout", "600", *(["--lossy"] if lossy else [])]
    done, verdict = judge(tmp_path, [*ACCELERATED, *ACCELERATED_SETTLE], *flags)
    if lossy:
        assert done.returncode == 1, done.stdout + done.stderr
        assert {finding["kind"] for finding in verdict["findings"]} == {"MISSING"}
    else:
        assert done.returncode == 0, done.stdout + done.stderr + service_log(tmp_path)
        assert verdict["outcome"] == "PASS", "its clock starts behind the emulator's: no finding comes of it"
        assert verdict["required"] > 0
    emulated = parse_iso(verdict["ended"]) - parse_iso(verdict["started"])
    assert emulated >= timedelta(minutes=15), "15 emulated minutes passed within the judge's 110 s timeout"
    assert len(verdict["windows"]) >= 15, "it polled about every emulated minute: its own timer ran at 60x"


def test_the_node_poller_meets_socket_faults_through_the_proxy_and_passes(tmp_path: Path) -> None:
    # Seed 30 plans a reset before the response and two bodies cut short, each at its emulated instant.
    done, verdict = judge(tmp_path, [*REAL_TIME, "--socket-faults", "--seed", "30"], "--interval", "1")
    assert done.returncode == 0, done.stdout + done.stderr + service_log(tmp_path)
    assert verdict["outcome"] == "PASS"
    faulted = " ".join(window for window in verdict["windows"] if "faulted" in window)
    assert "reset_before_response" in faulted
    assert "cut_body_after" in faulted
    log = service_log(tmp_path)
    assert "ECONNRESET" in log, "node saw the connection reset, not an HTTP status"
