"""libfaketime at the emulator's start and speed: which runtimes honour it, measured on real child processes.

Each probe prints its wall clock as it starts, waits two emulated minutes with its runtime's own timer, and prints
its clock again. Under `accelerate` at speed 20 that wait takes six real seconds, not 120: a runtime that ignored
libfaketime would show the real instant (years off) or outlast the timeout. The findings are in
docs/contract-suite/live-judge.md#accelerated-time.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cwmock.core.clock import (
    ClockArgumentError,
    FakeTime,
    FaketimeMissing,
    ManualClock,
    accelerate,
    find_libfaketime,
)

from support.runtimes import required_libfaketime, required_program

START = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
SPEED = 20.0
WAIT = timedelta(minutes=2)
# Drift allowed between the probe's clock and the emulator's, in emulated seconds: the child's start-up (exec and
# loading libfaketime) and the pipe, x SPEED. 4 s is 200 ms of real time on a loaded 2-core machine.
DRIFT = timedelta(seconds=4)

PYTHON_PROBE = """
import sys, time
print(int(time.time() * 1000), flush=True)
time.sleep(120)
print(int(time.time() * 1000), flush=True)
"""
NODE_PROBE = """
console.log(Date.now());
setTimeout(() => console.log(Date.now()), 120000);
"""
JAVA_PROBE = """
public class Probe {
    public static void main(String[] args) throws Exception {
        System.out.println(System.currentTimeMillis());
        Thread.sleep(120000);
        System.out.println(System.currentTimeMillis());
    }
}
"""


def probe_command(runtime: str, tmp_path: Path) -> list[str]:
    if runtime == "python":
        return [sys.executable, "-c", PYTHON_PROBE]
    if runtime == "node":
        return [required_program("node"), "-e", NODE_PROBE]
    executable = shutil.which(runtime)
    if (
        executable is None
    ):  # CI does not install a JDK: Java was measured where one is (docs/contract-suite/live-judge.md)
        pytest.skip("java is not installed on this machine (optional: CI has none)")
    source = tmp_path / "Probe.java"
    source.write_text(JAVA_PROBE)
    return [executable, str(source)]  # Java 11+ runs a single source file


def instant(line: str) -> datetime:
    return datetime.fromtimestamp(int(line) / 1000, tz=timezone.utc)


@pytest.mark.parametrize("runtime", ["python", "node", "java"])
def test_a_runtime_under_libfaketime_keeps_the_emulators_time_and_pace(runtime: str, tmp_path: Path) -> None:
    library = required_libfaketime()
    command = probe_command(runtime, tmp_path)
    clock = ManualClock(datetime(2030, 1, 1, tzinfo=timezone.utc))
    fake = accelerate(clock, START, SPEED)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=fake.environment(library=library))
    lines: queue.Queue[tuple[str, datetime]] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put((line.strip(), clock.now()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        first, emulated_at_first = lines.get(timeout=30)
        second, emulated_at_second = lines.get(timeout=30)  # 120 emulated seconds are 6 real ones at speed 20
    finally:
        process.kill()
        process.wait(10)
        reader.join(10)
        assert process.stdout is not None
        process.stdout.close()
    started, waited = instant(first), instant(second)
    assert started >= START, f"{runtime} reads the start instant, not the real wall clock"
    assert abs(emulated_at_first - started) <= DRIFT, (runtime, emulated_at_first, started)
    assert waited - started >= WAIT, f"{runtime}'s timer waited {waited - started} of emulated time"
    assert abs(emulated_at_second - waited) <= DRIFT, (runtime, emulated_at_second, waited)


def test_the_environment_preloads_the_library_at_the_offset_and_speed() -> None:
    fake = FakeTime.matching(START, START + timedelta(days=2, seconds=0.25), 60)
    environ = fake.environment({"LD_PRELOAD": "/opt/other.so", "KEEP": "1"}, library=Path("/lib/libfaketime.so.1"))
    assert environ["LD_PRELOAD"] == "/lib/libfaketime.so.1:/opt/other.so"
    assert environ["FAKETIME"] == "-172800.250000 x60.0"
    assert (environ["FAKETIME_DONT_RESET"], environ["KEEP"]) == ("1", "1")
    assert FakeTime(timedelta(seconds=3), 1.5).spec == "+3.000000 x1.5"


def test_accelerate_starts_the_clock_following_the_wall_and_measures_its_offset() -> None:
    wall = ManualClock(START + timedelta(days=300))  # stands for the wall clock: frozen, so the offset is exact
    clock = ManualClock(START + timedelta(days=3), wall=wall)
    fake = accelerate(clock, START + timedelta(microseconds=700), 60, wall=wall)
    status = clock.status()
    assert (status.mode, status.speed, status.now) == ("following", 60, START + timedelta(microseconds=700))
    assert fake.offset == timedelta(days=-300, microseconds=700)


@pytest.mark.parametrize(
    ("offset", "speed", "reason"),
    [(timedelta(0), 0, "speed"), (timedelta(0), 1e9, "speed"), (timedelta(days=40_000), 1, "offset")],
)
def test_a_fake_time_libfaketime_cannot_be_told_is_refused(offset: timedelta, speed: float, reason: str) -> None:
    with pytest.raises(ClockArgumentError, match=reason):
        FakeTime(offset, speed)


def test_a_missing_library_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(FaketimeMissing, match="is not a file"):
        find_libfaketime({"CWMOCK_LIBFAKETIME": str(tmp_path / "nowhere.so")})
    named = tmp_path / "libfaketime.so.1"
    named.write_bytes(b"")
    assert find_libfaketime({"CWMOCK_LIBFAKETIME": str(named)}) == named
